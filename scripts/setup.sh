#!/usr/bin/env bash
# Installs every Debian package that building, testing and running loom-oncall needs.
# Idempotent: runs `apt-get update` once and installs only what is missing; a no-op when all are present.
# Then installs the npm packages from their package-lock.json files when missing: web (uPlot, which
# the build compiles into the console), tests/ical (ical.js), tests/browser (playwright-core,
# which drives Debian's chromium package), tests/oidc (oidc-provider), tests/providers (twilio,
# the vendor's helper library) and tests/providers/teams (adaptivecards).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-system-dev
  nlohmann-json3-dev libsimdjson-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev
  libpqxx-dev postgresql libsodium-dev
  libcjose-dev libjansson-dev
  libyaml-cpp-dev libmd4c-dev libmd4c-html0 libmd4c-html0-dev libcli11-dev libspdlog-dev libfmt-dev
  libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev
  clang-format clang-tidy
  python3 python3-aiosmtpd curl
  nodejs npm
  chromium fonts-dejavu-core
)

# npm ci in <dir> (relative to the project) unless node_modules/<module> is there and newer than
# the lock file.
install_npm_packages() {
  local rel="$1" module="$2" dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/$rel"
  if [ -d "$dir/node_modules/$module" ] && [ "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    return 0
  fi
  echo "setup: npm ci in $rel"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

install_npm_dependencies() {
  # web: uPlot, the charting library the console's reports page uses (compiled into the binary).
  install_npm_packages web uplot
  # tests/ical: ical.js, the real iCalendar parser the integration tests check the feeds with.
  install_npm_packages tests/ical ical.js
  # tests/browser: playwright-core (no browser download: the tests use /usr/bin/chromium). Pinned
  # to 1.61, the last release that runs on Debian 12's own Node.js 18 (1.62 and later need 20).
  install_npm_packages tests/browser playwright-core
  # tests/oidc: oidc-provider, the OpenID Connect provider the single sign-on tests sign in at.
  install_npm_packages tests/oidc oidc-provider
  # tests/providers: the official twilio helper, which signs the callbacks test_twilio.py sends.
  install_npm_packages tests/providers twilio
  # tests/providers/teams: adaptivecards, Microsoft's Adaptive Cards library, which parses the
  # cards the Teams channel sends (tests/integration/test_chat_channels.py).
  install_npm_packages tests/providers/teams adaptivecards
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
  install_npm_dependencies
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_npm_dependencies
