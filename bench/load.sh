#!/usr/bin/env bash
# Load figures for docs/PERFORMANCE.md: wrk against release servers on
# loopback, in one run, three set-ups side by side:
#   1 replica on SQLite · 1 replica on PostgreSQL · 2 replicas behind nginx on PostgreSQL
# GET /api/v1/health on the SQLite replica is the baseline measured in the
# same run. Needs wrk, nginx and PostgreSQL (Debian packages).
#   bash bench/load.sh [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-32}
for tool in wrk nginx psql; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
    { echo "needs $tool (apt-get install wrk nginx postgresql)" >&2; exit 2; }
done
cargo build --release -p yunzhan-server
server="${CARGO_TARGET_DIR:-target}/release/yunzhan-server"
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  scripts/throwaway-postgres.sh stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

admin=$(scripts/throwaway-postgres.sh start "$work/pg" 55439)
database() { # NAME: a fresh database on the throwaway cluster; prints its URL
  PGPASSWORD=yunzhan psql -q -h 127.0.0.1 -p 55439 -U postgres -c "CREATE DATABASE $1" >/dev/null
  echo "${admin%/postgres}/$1"
}
ready() { # URL
  for _ in $(seq 300); do curl -sf "$1/api/v1/ready" >/dev/null && return; sleep 0.1; done
  echo "no answer from $1" >&2; exit 1
}
replica() { # PORT DB
  # The rate limit is lifted: this measures the server, not its refusals.
  "$server" serve --listen "127.0.0.1:$1" --db "$2" --trusted-proxy 127.0.0.1 \
    --inquiries-per-minute 100000000 --inquiry-burst 100000000 2>>"$work/server.log" &
  pids+=($!)
  ready "http://127.0.0.1:$1"
}

summary=()
run() { # SETUP NAME URL [wrk options]
  local setup=$1 name=$2 url=$3; shift 3
  echo "== $setup · $name (${seconds}s, $connections connections, 2 threads)"
  local out; out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url")
  echo "$out"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {n += 1} END {print n + 0}' <<<"$out")
  summary+=("| $setup | $name | $rps | $p99 | $errors |")
}

replica 18081 "$work/load.db"
run "1 × SQLite" "GET /api/v1/health (baseline)" "http://127.0.0.1:18081/api/v1/health"
run "1 × SQLite" "GET /api/v1/halls" "http://127.0.0.1:18081/api/v1/halls"
run "1 × SQLite" "POST /api/v1/inquiries" "http://127.0.0.1:18081/api/v1/inquiries" -s bench/inquiry.lua

one=$(database bench_one)
replica 18082 "$one"
run "1 × PostgreSQL" "GET /api/v1/halls" "http://127.0.0.1:18082/api/v1/halls"
run "1 × PostgreSQL" "POST /api/v1/inquiries" "http://127.0.0.1:18082/api/v1/inquiries" -s bench/inquiry.lua

two=$(database bench_two)
replica 18083 "$two"
replica 18084 "$two"
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off; worker_processes 2; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  upstream replicas { server 127.0.0.1:18083; server 127.0.0.1:18084; keepalive 64; }
  server {
    listen 127.0.0.1:18090;
    location / {
      proxy_pass http://replicas; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
    }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
ready "http://127.0.0.1:18090"
run "2 × PostgreSQL behind nginx" "GET /api/v1/halls" "http://127.0.0.1:18090/api/v1/halls"
run "2 × PostgreSQL behind nginx" "POST /api/v1/inquiries" "http://127.0.0.1:18090/api/v1/inquiries" -s bench/inquiry.lua

count() { PGPASSWORD=yunzhan psql -tA -h 127.0.0.1 -p 55439 -U postgres -d "$1" -c "SELECT count(*) FROM inquiries"; }
echo
echo "| set-up | request | requests/s | p99 | errors |"
echo "|---|---|---:|---:|---:|"
printf '%s\n' "${summary[@]}"
echo
echo "inquiry rows: PostgreSQL one replica $(count bench_one), two replicas $(count bench_two)"
