#!/usr/bin/env bash
# Runs every test of geows: unit tests (Surefire) and integration tests (Failsafe) of all modules.
# Integration tests start real redis-server and nats-server processes on free loopback ports, so
# this first finds those binaries (or installs them with apt-get when it may), then runs Maven.
# Usage: scripts/test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mvn >/dev/null 2>&1; then
  echo "test.sh: Maven (mvn) is not on PATH: install it (Debian/Ubuntu: sudo apt-get install maven)" >&2
  exit 1
fi
if ! command -v java >/dev/null 2>&1; then
  echo "test.sh: no JDK on PATH: install JDK 17 or newer (Debian/Ubuntu: sudo apt-get install openjdk-17-jdk)" >&2
  exit 1
fi

# find-brokers.sh prints GEOWS_REDIS_SERVER=... and GEOWS_NATS_SERVER=... lines, or says how to get them.
brokers=$(scripts/find-brokers.sh) || exit 1
while IFS= read -r line; do
  [[ "$line" == GEOWS_*=* ]] && export "${line?}"
done <<<"$brokers"

# The browser test drives the demo page in a real headless Chromium with playwright-core.
browser=$(scripts/find-browser.sh) || exit 1
while IFS= read -r line; do
  [[ "$line" == CHROMIUM=* ]] && export "${line?}"
done <<<"$browser"

# geows-js (the browser and Node.js client) is built and tested against real nodes during the
# Maven build (JsClientIntegrationTests): its npm packages (TypeScript, esbuild, ws) first.
if [[ ! -d geows-js/node_modules/typescript || geows-js/package-lock.json -nt geows-js/node_modules/.package-lock.json ]]; then
  command -v npm >/dev/null 2>&1 || { echo "test.sh: npm not found: install Node.js 18 or newer (Debian/Ubuntu: sudo apt-get install nodejs npm)" >&2; exit 1; }
  echo "test.sh: installing geows-js's npm packages (npm ci in geows-js/)" >&2
  npm ci --prefix geows-js --no-audit --no-fund >&2
fi

exec mvn -B -ntp verify "$@"
