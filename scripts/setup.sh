#!/usr/bin/env bash
# Installs every Debian package that building, testing and running loom-oncall needs.
# Idempotent: runs `apt-get update` once and installs only what is missing; a no-op when all are present.
# Then installs the iCalendar test's npm packages (tests/ical, from its package-lock.json) when missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-system-dev
  nlohmann-json3-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev
  libyaml-cpp-dev libmd4c-dev libmd4c-html0 libmd4c-html0-dev libcli11-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev
  clang-format clang-tidy
  python3 python3-aiosmtpd curl
  nodejs npm
)

# tests/ical: ical.js, the real iCalendar parser the integration tests check the feeds with.
install_ical_test_packages() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/ical"
  if [ -d "$dir/node_modules/ical.js" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  echo "setup: npm ci in tests/ical"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

missing=()
for p in "${packages[@]}"; do
  # NodeSource's nodejs bundles npm (and conflicts with Debian's npm): an npm on PATH is enough.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  install_ical_test_packages
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_ical_test_packages
