#!/usr/bin/env bash
# Builds loom-oncall and starts it with the demo configuration on http://127.0.0.1:8080, data in
# ./data (embedded SQLite). Installs what is missing first. Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default --target loom-oncall
exec ./build/loom-oncall serve --demo --data-dir ./data "$@"
