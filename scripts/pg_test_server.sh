#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests, from Debian's postgresql package (the server binaries under
# /usr/lib/postgresql/<version>/bin; the distribution's own cluster is not used or touched).
#
#   scripts/pg_test_server.sh start DIR   initdb in a new directory under /tmp, start on 127.0.0.1
#                                          on a free port, write the connection URL to DIR/url and
#                                          that directory's path to DIR/pgroot
#   scripts/pg_test_server.sh stop DIR    stop it (immediately) and remove both directories
#
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root). Its data
# directory, socket and log are not under DIR: DIR may be in a checkout under /root, which the
# `postgres` user cannot enter; $TMPDIR (default /tmp) can. In <pgroot>: data/ (the cluster),
# server.log, initdb.log and the Unix socket. fsync is off unless PG_FSYNC=on (the benchmarks): the
# tests kill our server, never this one, and throwaway data need not survive a power cut.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi

bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "pg_test_server: PostgreSQL server binaries not found (run scripts/setup.sh)" >&2
  exit 1
fi

# From / : the postgres user may not be able to enter the current directory (a checkout in /root).
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

stop() {
  local root
  if [ -f "$dir/pgroot" ]; then
    root="$(cat "$dir/pgroot")"
    if [ -f "$root/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$root/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$root" in
      */loom-pg-test.*) rm -rf "$root" ;;
    esac
  fi
}

case "$cmd" in
  start)
    stop
    rm -rf "$dir"
    mkdir -p "$dir"
    root="$(mktemp -d "${TMPDIR:-/tmp}/loom-pg-test.XXXXXXXX")"
    echo "$root" >"$dir/pgroot"
    chmod 755 "$root"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$root"; fi
    as_owner "$bin/initdb" -D "$root/data" -U loom --auth=trust -E UTF8 --no-locale \
      >"$root/initdb.log" 2>&1 || { cat "$root/initdb.log" >&2; exit 1; }
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $root -c fsync=${PG_FSYNC:-off} -c full_page_writes=${PG_FSYNC:-off} -c max_connections=300" \
      start >/dev/null || { cat "$root/server.log" >&2; exit 1; }
    echo "postgresql://loom@127.0.0.1:$port/postgres" >"$dir/url"
    echo "pg_test_server: $(cat "$dir/url") (data in $root/data)"
    ;;
  stop)
    stop
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
