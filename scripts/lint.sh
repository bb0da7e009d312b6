#!/usr/bin/env bash
# Style checks run in CI: clang-format on every C++ file, clang-tidy on the layers that do not
# include Boost.Beast (those take minutes per file). REQUIRES: build/compile_commands.json.
set -euo pipefail
cd "$(dirname "$0")/.."

files=$(git ls-files 'src/*.cc' 'src/*.h' 'bench/*.cc')
clang-format --dry-run --Werror $files
echo "lint: clang-format clean ($(echo "$files" | wc -w) files)"

tidy=$(git ls-files 'src/common/*.cc' 'src/accounts/*.cc' 'src/core/*.cc' 'src/probe/*.cc' 'src/ingest/*.cc' 'src/config/*.cc' 'src/store/*.cc' 'src/engine/*.cc' 'src/notify/*.cc' 'src/server/*.cc' 'src/oidc/*.cc' | grep -v '_test\.cc$')
clang-tidy --quiet -p build $tidy 2>/dev/null
echo "lint: clang-tidy clean ($(echo "$tidy" | wc -w) files)"
