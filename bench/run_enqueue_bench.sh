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
#   page goes to an SMTP server that refuses connections; "front-end": the key's rate limit is
#   1/minute, so every event is read, parsed, matched to its key and answered 429 without touching
#   the store — the HTTP front end's own ceiling, read as requests_per_s), JSON=1 for one JSON
#   line per scenario.
#   STORE=postgres: the servers use a throwaway PostgreSQL on this machine (scripts/
#   pg_test_server.sh, fsync on), a fresh database per scenario; INSTANCES=2 (postgres only): two
#   servers on that database, each loaded by its own generator with half the connections, and the
#   figures summed.
set -euo pipefail

server_bin=${1:-build/loom-oncall}
bench_bin=${2:-$(dirname "$server_bin")/loom-bench-enqueue-load}
connections=${CONNECTIONS:-64}
duration=${DURATION:-10s}
warmup=${WARMUP:-2s}
threads=${THREADS:-1}
open_keys=${OPEN_KEYS:-100}
scenarios=${SCENARIOS:-new repeat}
store=${STORE:-sqlite}
instances=${INSTANCES:-1}
if [[ $store != postgres && $instances != 1 ]]; then
  echo "run_enqueue_bench.sh: INSTANCES=$instances needs STORE=postgres" >&2
  exit 2
fi

for bin in "$server_bin" "$bench_bin"; do
  if [[ ! -x $bin ]]; then
    echo "run_enqueue_bench.sh: $bin is not an executable (build it first)" >&2
    exit 2
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/loom-bench.XXXXXX")
chmod 755 "$work"
pg_script="$(dirname "$0")/../scripts/pg_test_server.sh"
server_pids=()
urls=()
cleanup() {
  for pid in "${server_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [[ $store == postgres ]]; then bash "$pg_script" stop "$work/pg" >/dev/null 2>&1 || true; fi
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
  local contact= notify= limit=
  if [[ $mode == front-end ]]; then limit="
    rate_limit_per_minute: 1"; fi
  if [[ $mode == smtp-down ]]; then
    contact=", contact_methods: [ { id: mail, type: email, address: NAME@example.com } ]"
    notify="notify:
  smtp: { url: \"smtp://127.0.0.1:$(closed_port)\", from: oncall@example.com }
  allow_hosts: [127.0.0.1]"
  fi
  cat >"$file" <<EOF
services:
  - id: bench
    name: Benchmark service$limit
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
  if [[ $store == postgres ]]; then
    echo "store: { kind: postgres, url_env: LOOM_ONCALL_PG_URL }" >>"$file"
  fi
}

# Starts one server; adds its pid to server_pids and its URL to urls.
start_server() {
  local dir=$1 config=$2 url= pid
  mkdir -p "$dir/data"
  LOOM_ONCALL_ADMIN_TOKEN=bench-admin-$key LOOM_ONCALL_PG_URL=${pg_url:-} "$server_bin" serve \
    --config "$config" --data-dir "$dir/data" --listen 127.0.0.1:0 >"$dir/stdout" 2>"$dir/stderr" &
  pid=$!
  server_pids+=("$pid")
  # Start-up only: wait (bounded) for the listening line.
  for _ in $(seq 1 200); do
    # The server's shell may not have created the file yet.
    url=$(sed -n '1s/^loom-oncall listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$dir/stdout" \
      2>/dev/null || true)
    if [[ -n $url ]]; then
      urls+=("$url")
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "run_enqueue_bench.sh: the server did not start; its stderr:" >&2
  cat "$dir/stderr" >&2
  exit 1
}

stop_servers() {
  local pid rc
  for pid in "${server_pids[@]}"; do
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    if [[ $rc -ne 0 ]]; then
      echo "run_enqueue_bench.sh: a server exited with $rc after SIGTERM" >&2
      exit 1
    fi
  done
  server_pids=()
  urls=()
}

# Sums the JSON reports of several generators (one per line on stdin) into one line: counts,
# connections and rates added; each latency percentile is the worst instance's (an upper bound of
# the combined percentile).
sum_reports() {
  python3 -c '
import collections, json, sys
parts = [json.loads(line) for line in sys.stdin if line.strip()]
out = dict(parts[0])
out["url"] = " + ".join(p["url"] for p in parts)
for key in ("connections", "sent", "completed", "accepted_202", "accepted_202_without_dedup_key",
            "events_per_s", "requests_per_s"):
    out[key] = round(sum(p[key] for p in parts), 1)
for key in ("non_202", "errors"):
    total = collections.Counter()
    for p in parts:
        total.update(p[key])
    out[key] = dict(total)
out["latency_ms"] = {k: max(p["latency_ms"][k] for p in parts) for k in parts[0]["latency_ms"]}
out["instances"] = len(parts)
print(json.dumps(out))
'
}

if [[ $store == postgres ]]; then
  PG_FSYNC=on bash "$pg_script" start "$work/pg" >/dev/null
  pg_admin_url=$(cat "$work/pg/url")
fi

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "# loom-oncall: $server_bin ($("$server_bin" version 2>/dev/null || echo '?'))"
echo "# connections $connections, duration $duration, warm-up $warmup, generator threads $threads"
echo "# store $store, $instances instance(s)"
for scenario in $scenarios; do
  mode=
  case $scenario in
    new) ratio=0 ;;
    repeat) ratio=1 ;;
    new-smtp-down) ratio=0; mode=smtp-down ;;
    front-end) ratio=0; mode=front-end ;;
    *)
      echo "run_enqueue_bench.sh: unknown scenario $scenario (new, repeat, new-smtp-down," \
        "front-end)" >&2
      exit 2
      ;;
  esac
  dir="$work/$scenario"
  mkdir -p "$dir"
  write_config "$dir/loom-oncall.yaml" "$mode"
  if [[ $store == postgres ]]; then
    db="bench_${scenario//-/_}"
    psql "$pg_admin_url" -q -c "CREATE DATABASE $db" >/dev/null
    pg_url="${pg_admin_url%/*}/$db"
  fi
  for i in $(seq 1 "$instances"); do
    start_server "$dir/instance-$i" "$dir/loom-oncall.yaml"
  done
  echo
  echo "## scenario: $scenario (repeat ratio $ratio${mode:+, $mode})"
  per_instance=$((connections / instances))
  for url in "${urls[@]}"; do
    echo "\$ $bench_bin --url $url --key <key> --connections $per_instance --duration $duration" \
      "--warmup $warmup --repeat-ratio $ratio --open-keys $open_keys --threads $threads" \
      "${JSON:+--json}"
  done
  if [[ $instances == 1 ]]; then
    "$bench_bin" --url "${urls[0]}" --key "$key" --connections "$connections" \
      --duration "$duration" --warmup "$warmup" --repeat-ratio "$ratio" --open-keys "$open_keys" \
      --threads "$threads" ${JSON:+--json}
  else
    # One generator per instance, started together; their JSON reports summed.
    gen_pids=()
    for i in "${!urls[@]}"; do
      "$bench_bin" --url "${urls[$i]}" --key "$key" --connections "$per_instance" \
        --duration "$duration" --warmup "$warmup" --repeat-ratio "$ratio" \
        --open-keys "$open_keys" --threads "$threads" --json >"$dir/report-$i.json" &
      gen_pids+=("$!")
    done
    for pid in "${gen_pids[@]}"; do wait "$pid"; done
    for i in "${!urls[@]}"; do cat "$dir/report-$i.json"; done | sum_reports
  fi
  stop_servers
done
