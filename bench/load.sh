#!/usr/bin/env bash
# Load figures for docs/PERFORMANCE.md: wrk against the release server on
# loopback, with a fresh database. Health (the smallest handler) is the
# baseline measured in the same run.
#   bash bench/load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
connections=${2:-32}
port=18080
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
cargo build --release -p yunzhan-server
target=${CARGO_TARGET_DIR:-target}
db=$(mktemp -d)/load.db
# The rate limit is lifted: this measures the server, not the limiter's refusals.
"$target/release/yunzhan-server" serve --listen 127.0.0.1:$port --db "$db" \
  --inquiries-per-minute 100000000 --inquiry-burst 100000000 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done

run() {
  local name=$1; shift
  echo "== $name (${seconds}s, $connections connections, 2 threads)"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@"
}
run "baseline: GET /api/v1/health" "http://127.0.0.1:$port/api/v1/health"
run "GET /api/v1/halls" "http://127.0.0.1:$port/api/v1/halls"
run "GET /api/v1/halls/chengdu/booths?per_page=50" "http://127.0.0.1:$port/api/v1/halls/chengdu/booths?per_page=50"
run "POST /api/v1/inquiries" -s bench/inquiry.lua "http://127.0.0.1:$port/api/v1/inquiries"
echo "== inquiry rows in the database: $(sqlite3 "$db" 'select count(*) from inquiries' 2>/dev/null || echo '(install sqlite3 to count)')"
