#!/usr/bin/env bash
# Schema-driven fuzzing of the API: schemathesis (pinned, from PyPI, in a
# virtual environment under the target dir) generates valid and invalid
# requests from docs/openapi.json and checks every answer against it
# (status codes, error shape, that valid data is accepted and invalid data
# refused) on the real server with a fresh SQLite database.
#   scripts/api-fuzz.sh SERVER_BINARY [EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
server=${1:?usage: $0 SERVER_BINARY [EXAMPLES]}
examples=${2:-30}
venv="${CARGO_TARGET_DIR:-target}/schemathesis"
[ -x "$venv/bin/st" ] || {
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis==4.32.5
}
work=$(mktemp -d)
port=18777
"$server" serve --listen "127.0.0.1:$port" --db "$work/fuzz.db" \
  --inquiries-per-minute 100000000 --inquiry-burst 100000000 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/api/v1/ready" >/dev/null && break; sleep 0.1; done
FUZZ_AGENT_TOKEN=$("$server" agent-token KF-0001 --db "$work/fuzz.db" 2>/dev/null)
# One inquiry, so that its thread's operations are fuzzed with its secret
# (scripts/schemathesis.toml).
receipt=$(curl -sf "http://127.0.0.1:$port/api/v1/inquiries" -H "Content-Type: application/json" -H "Idempotency-Key: fuzz-1" \
  -d '{"platform_no":"YZ-2023-00001","name":"Fuzz","email":"fuzz@example.org","intent":"joint_development","message":"fuzzing"}')
FUZZ_INQUIRY_ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$receipt")
FUZZ_THREAD_SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["thread_secret"])' <<<"$receipt")
export FUZZ_AGENT_TOKEN FUZZ_INQUIRY_ID FUZZ_THREAD_SECRET
# ensure_resource_availability is left out: a thread opens only with the
# secret of its own receipt (the agent's token does not open it, by design),
# so "created, then 404 with the same credentials" is the intended answer.
"$venv/bin/st" --config-file scripts/schemathesis.toml run docs/openapi.json --url "http://127.0.0.1:$port" \
  --max-examples "$examples" --generation-deterministic \
  --exclude-checks ensure_resource_availability
if grep -q panicked "$work/server.log"; then
  echo "the server panicked:" >&2; cat "$work/server.log" >&2; exit 1
fi
