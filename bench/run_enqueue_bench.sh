#!/usr/bin/env bash
# Runs the /v2/enqueue benchmark of docs/BENCHMARKS.md: for each scenario, starts a fresh
# `loom-oncall serve` (temporary data directory, a config with a known integration key, 127.0.0.1
# on a free port), runs loom-bench-enqueue-load against it, prints the result, and stops the server
# with SIGTERM. Builds nothing itself.
#
# Usage: bench/run_enqueue_bench.sh [path/to/loom-oncall] [path/to/loom-bench-enqueue-load]
#   defaults: build/loom-oncall and the generator beside it.
# Environment (optional): CONNECTIONS (64), DURATION (10s), WARMUP (2s), THREADS (1),
#   OPEN_KEYS (100), SCENARIOS ("new repeat"; also "new-smtp-down": new incidents while every
#   page goes to an SMTP server that refuses connections), JSON=1 for one JSON line per scenario.
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

# A local port nothing listens on, for the new-smtp-down scenario's SMTP server.
closed_port() {
  local port
  for port in 1 7 9 19 2525 25250; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "run_enqueue_bench.sh: found no closed local port for the dead SMTP server" >&2
  exit 1
}

# Every role is staffed, so each new incident pages its primary and notifies the escalation
# manager in its ingest transaction, as in production. With $2 = smtp-down, every user has one
# email contact method and notify.smtp points at a closed local port: every page and notification
# is then attempted, refused, recorded and retried with backoff while the load runs (otherwise the
# users have no contact method and their outbox rows are written undeliverable, never sent).
write_config() {
  local file=$1 mode=${2:-}
  local contact= notify=
  if [[ $mode == smtp-down ]]; then
    contact=", contact_methods: [ { id: mail, type: email, address: NAME@example.com } ]"
    notify="notify:
  smtp: { url: \"smtp://127.0.0.1:$(closed_port)\", from: oncall@example.com }
  allow_hosts: [127.0.0.1]"
  fi
  cat >"$file" <<EOF
services:
  - id: bench
    name: Benchmark service
    integration_keys:
      - key: "$key"
    roles: { primary: prim, secondary: second, escalation_manager: mgr, security_lead: sec }
users:
  - { id: alice, name: Alice${contact//NAME/alice} }
  - { id: bob, name: Bob${contact//NAME/bob} }
  - { id: erin, name: Erin${contact//NAME/erin} }
  - { id: sam, name: Sam${contact//NAME/sam} }
schedules:
  - { id: prim, layers: [ { participants: [alice, bob], shift: 1w, start: 2026-01-05 } ] }
  - { id: second, layers: [ { participants: [bob, alice], shift: 1w, start: 2026-01-05 } ] }
  - { id: mgr, layers: [ { participants: [erin], shift: 1w, start: 2026-01-05 } ] }
  - { id: sec, layers: [ { participants: [sam], shift: 1w, start: 2026-01-05 } ] }
$notify
EOF
}

start_server() {
  local dir=$1 config=$2
  mkdir -p "$dir/data"
  LOOM_ONCALL_ADMIN_TOKEN=bench-admin-$key "$server_bin" serve --config "$config" \
    --data-dir "$dir/data" --listen 127.0.0.1:0 >"$dir/stdout" 2>"$dir/stderr" &
  server_pid=$!
  # Start-up only: wait (bounded) for the listening line.
  for _ in $(seq 1 200); do
    # The server's shell may not have created the file yet.
    url=$(sed -n '1s/^loom-oncall listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$dir/stdout" \
      2>/dev/null || true)
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
  mode=
  case $scenario in
    new) ratio=0 ;;
    repeat) ratio=1 ;;
    new-smtp-down) ratio=0; mode=smtp-down ;;
    *)
      echo "run_enqueue_bench.sh: unknown scenario $scenario (new, repeat, new-smtp-down)" >&2
      exit 2
      ;;
  esac
  dir="$work/$scenario"
  mkdir -p "$dir"
  write_config "$dir/loom-oncall.yaml" "$mode"
  start_server "$dir" "$dir/loom-oncall.yaml"
  echo
  echo "## scenario: $scenario (repeat ratio $ratio${mode:+, $mode})"
  echo "\$ $bench_bin --url $url --key <key> --connections $connections --duration $duration" \
    "--warmup $warmup --repeat-ratio $ratio --open-keys $open_keys --threads $threads" \
    "${JSON:+--json}"
  "$bench_bin" --url "$url" --key "$key" --connections "$connections" --duration "$duration" \
    --warmup "$warmup" --repeat-ratio "$ratio" --open-keys "$open_keys" --threads "$threads" \
    ${JSON:+--json}
  stop_server
done
