#!/usr/bin/env bash
# Runs the /v2/enqueue benchmark of docs/BENCHMARKS.md: for each scenario, starts a fresh
# `loom-oncall serve` (temporary data directory, a config with a known integration key, 127.0.0.1
# on a free port), runs loom-bench-enqueue-load against it, prints the result, and stops the server
# with SIGTERM. Builds nothing itself.
#
# Usage: bench/run_enqueue_bench.sh [path/to/loom-oncall] [path/to/loom-bench-enqueue-load]
#   defaults: build/loom-oncall and the generator beside it.
# Environment (optional): CONNECTIONS (64), DURATION (10s), WARMUP (2s), THREADS (1),
#   OPEN_KEYS (100), SCENARIOS ("new repeat"), JSON=1 for one JSON line per scenario.
set -euo pipefail

server_bin=${1:-build/loom-oncall}
bench_bin=${2:-$(dirname "$server_bin")/loom-bench-enqueue-load}
connections=${CONNECTIONS:-64}
duration=${DURATION:-10s}
warmup=${WARMUP:-2s}
threads=${THREADS:-1}
open_keys=${OPEN_KEYS:-100}
scenarios=${SCENARIOS:-new repeat}

for bin in "$server_bin" "$bench_bin"; do
  if [[ ! -x $bin ]]; then
    echo "run_enqueue_bench.sh: $bin is not an executable (build it first)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/loom-bench.XXXXXX")
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

key=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# Every role is staffed, so each new incident pages its primary and notifies the escalation
# manager in its ingest transaction, as in production.
cat >"$work/loom-oncall.yaml" <<EOF
services:
  - id: bench
    name: Benchmark service
    integration_keys:
      - key: "$key"
    roles: { primary: prim, secondary: second, escalation_manager: mgr, security_lead: sec }
users:
  - { id: alice, name: Alice }
  - { id: bob, name: Bob }
  - { id: erin, name: Erin }
  - { id: sam, name: Sam }
schedules:
  - { id: prim, layers: [ { participants: [alice, bob], shift: 1w, start: 2026-01-05 } ] }
  - { id: second, layers: [ { participants: [bob, alice], shift: 1w, start: 2026-01-05 } ] }
  - { id: mgr, layers: [ { participants: [erin], shift: 1w, start: 2026-01-05 } ] }
  - { id: sec, layers: [ { participants: [sam], shift: 1w, start: 2026-01-05 } ] }
EOF

start_server() {
  local dir=$1
  mkdir -p "$dir/data"
  LOOM_ONCALL_ADMIN_TOKEN=bench-admin-$key "$server_bin" serve --config "$work/loom-oncall.yaml" \
    --data-dir "$dir/data" --listen 127.0.0.1:0 >"$dir/stdout" 2>"$dir/stderr" &
  server_pid=$!
  # Start-up only: wait (bounded) for the listening line.
  for _ in $(seq 1 200); do
    url=$(sed -n '1s/^loom-oncall listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$dir/stdout")
    if [[ -n $url ]]; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run_enqueue_bench.sh: the server did not start; its stderr:" >&2
  cat "$dir/stderr" >&2
  exit 1
}

stop_server() {
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=
  if [[ $rc -ne 0 ]]; then
    echo "run_enqueue_bench.sh: the server exited with $rc after SIGTERM" >&2
    exit 1
  fi
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "# loom-oncall: $server_bin ($("$server_bin" version 2>/dev/null || echo '?'))"
echo "# connections $connections, duration $duration, warm-up $warmup, generator threads $threads"
for scenario in $scenarios; do
  case $scenario in
    new) ratio=0 ;;
    repeat) ratio=1 ;;
    *) echo "run_enqueue_bench.sh: unknown scenario $scenario (new, repeat)" >&2; exit 2 ;;
  esac
  dir="$work/$scenario"
  start_server "$dir"
  echo
  echo "## scenario: $scenario (repeat ratio $ratio)"
  echo "\$ $bench_bin --url $url --key <key> --connections $connections --duration $duration" \
    "--warmup $warmup --repeat-ratio $ratio --open-keys $open_keys --threads $threads" \
    "${JSON:+--json}"
  "$bench_bin" --url "$url" --key "$key" --connections "$connections" --duration "$duration" \
    --warmup "$warmup" --repeat-ratio "$ratio" --open-keys "$open_keys" --threads "$threads" \
    ${JSON:+--json}
  stop_server
done
