#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for tests and local trials:
#
#   scripts/throwaway-postgres.sh start DIR PORT   # initdb (once) + start; prints the URL
#   scripts/throwaway-postgres.sh stop DIR
#   scripts/throwaway-postgres.sh restart DIR
#
# The superuser is `postgres` with the password `yunzhan`, required on TCP
# (scram-sha-256), so wrong credentials are refused as on a real server.
# PostgreSQL will not run as root: as root, the cluster is run by the
# `postgres` user that Debian's package creates.
set -euo pipefail

command="${1:?usage: $0 start|stop|restart DIR [PORT]}"
dir="${2:?usage: $0 start|stop|restart DIR [PORT]}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    port="${3:?usage: $0 start DIR PORT}"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      as_owner bash -c "echo yunzhan > '$dir/password'"
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/password" \
        --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k '$dir' -c fsync=on -c max_connections=200" start >/dev/null
    echo "postgres://postgres:yunzhan@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  restart)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart >/dev/null
    ;;
  *)
    echo "usage: $0 start|stop|restart DIR [PORT]" >&2
    exit 2
    ;;
esac
