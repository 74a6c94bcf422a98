#!/usr/bin/env bash
# Makes sure the browser test can run: a Chromium (Debian's chromium package) and the npm package
# playwright-core in browser-tests/. Installs what is missing when it may (apt-get as root or with
# passwordless sudo; npm ci), or says how. Prints CHROMIUM=<path> on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '%s\n' "$*" >&2; }

chromium=${CHROMIUM:-}
if [[ -z "$chromium" ]]; then
  for c in /usr/bin/chromium /usr/bin/chromium-browser "$(command -v chromium 2>/dev/null || true)"; do
    if [[ -n "$c" && -x "$c" ]]; then chromium=$c; break; fi
  done
fi
if [[ -z "$chromium" ]]; then
  if [[ $EUID -eq 0 ]]; then root=""; elif sudo -n true 2>/dev/null; then root="sudo -n"; else root=none; fi
  if [[ "$root" != none ]] && command -v apt-get >/dev/null 2>&1; then
    say "chromium not found: installing Debian's chromium package"
    $root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2 \
      || { $root apt-get update >&2 && $root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2; }
    chromium=/usr/bin/chromium
  else
    say "chromium not found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set CHROMIUM to its path"
    exit 1
  fi
fi
[[ -x "$chromium" ]] || { say "CHROMIUM=$chromium is not an executable"; exit 1; }

if [[ ! -d browser-tests/node_modules/playwright-core ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    say "npm not found: install Node.js 18 or newer (Debian/Ubuntu: sudo apt-get install nodejs npm)"
    exit 1
  fi
  say "installing playwright-core for the browser test (npm ci in browser-tests/)"
  npm ci --prefix browser-tests --no-audit --no-fund >&2
fi
say "chromium: $chromium ($("$chromium" --version 2>/dev/null | head -1))"
printf 'CHROMIUM=%s\n' "$chromium"
