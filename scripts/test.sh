#!/usr/bin/env bash
# Builds loom-oncall and runs every test (unit, integration). Installs what is missing first.
# Usage: scripts/test.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
ctest --preset default "$@"
