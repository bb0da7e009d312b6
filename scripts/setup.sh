#!/usr/bin/env bash
# Installs every Debian package that building, testing and running loom-oncall needs.
# Idempotent: runs `apt-get update` once and installs only what is missing; a no-op when all are present.
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
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
