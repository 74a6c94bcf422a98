#!/usr/bin/env bash
# Finds the redis-server and nats-server binaries the integration tests start (geows-testkit),
# installing missing ones with apt-get when allowed to.
#
# Lookup order, the same as RedisServer / NatsServer in geows-testkit:
#   1. $GEOWS_REDIS_SERVER / $GEOWS_NATS_SERVER  (if set it must name an executable: no fallback)
#   2. PATH
#   3. redis-server: /usr/bin, /usr/sbin, /usr/local/bin; nats-server: /usr/sbin, /usr/bin, /usr/local/bin
#
# Output: on stdout one VAR=path line per binary (so `scripts/find-brokers.sh >> "$GITHUB_ENV"`
# works); progress and errors on stderr. Exit status 0 when both are found, 1 otherwise.
#
# Installing needs root or passwordless sudo, and apt-get. The packages' system services are not
# started (policy-rc.d + RUNLEVEL=1): the tests run their own servers on free ports, never on
# 6379 / 4222.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/find-brokers.sh [--no-install]

Finds redis-server and nats-server for the geows integration tests and prints
  GEOWS_REDIS_SERVER=<path>
  GEOWS_NATS_SERVER=<path>
Installs a missing one with apt-get when running as root or with passwordless sudo,
unless --no-install is given.
EOF
}

install_allowed=1
case "${1:-}" in
  "") ;;
  --no-install) install_allowed=0 ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

say() { printf '%s\n' "$*" >&2; }

# locate <binary> <env var> <fallback>...: prints the path, or fails (status 1 = not found,
# status 2 = the env var is set but wrong)
locate() {
  local name=$1 var=$2
  shift 2
  local from_env=${!var:-}
  if [[ -n "${from_env// /}" ]]; then
    if [[ -f "$from_env" && -x "$from_env" ]]; then
      printf '%s\n' "$from_env"
      return 0
    fi
    return 2
  fi
  local dir
  local IFS=:
  for dir in ${PATH:-}; do
    if [[ -n "$dir" && -f "$dir/$name" && -x "$dir/$name" ]]; then
      printf '%s\n' "$dir/$name"
      return 0
    fi
  done
  local candidate
  for candidate in "$@"; do
    if [[ -f "$candidate" && -x "$candidate" ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}

# how to run a command as root: "" (we are root), "sudo -n", or "none"
if [[ $EUID -eq 0 ]]; then
  root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  root="sudo -n"
else
  root=none
fi

policy_rc_created=0
cleanup() {
  if [[ $policy_rc_created -eq 1 ]]; then
    $root rm -f /usr/sbin/policy-rc.d || true
  fi
}
trap cleanup EXIT

# Debian packages start their service on install; policy-rc.d exit code 101 ("action forbidden")
# stops invoke-rc.d and deb-systemd-invoke from doing so. Only added if the system has none.
forbid_service_start() {
  if [[ $policy_rc_created -eq 0 && ! -e /usr/sbin/policy-rc.d ]]; then
    # shellcheck disable=SC2016
    $root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    policy_rc_created=1
  fi
}

apt_install() {
  local package=$1
  forbid_service_start
  say "installing $package with apt-get (its system service is not started)..."
  installed=1
  # shellcheck disable=SC2086
  if $root env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "$package" >&2; then
    return 0
  fi
  say "apt-get install failed; updating the package lists and trying again..."
  # shellcheck disable=SC2086
  $root env DEBIAN_FRONTEND=noninteractive apt-get update >&2 || return 1
  # shellcheck disable=SC2086
  $root env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends "$package" >&2
}

can_install() {
  [[ $install_allowed -eq 1 ]] && command -v apt-get >/dev/null 2>&1 && [[ "$root" != none ]]
}

# find <binary> <package> <env var> <fallback>...
find_binary() {
  local name=$1 package=$2 var=$3
  shift 3
  local path status=0
  path=$(locate "$name" "$var" "$@") || status=$?
  if [[ $status -eq 2 ]]; then
    say "error: $var=${!var} is not an executable file; point it at $name or unset it"
    return 1
  fi
  if [[ $status -ne 0 ]]; then
    if can_install; then
      apt_install "$package" || say "error: could not install $package with apt-get"
      status=0
      path=$(locate "$name" "$var" "$@") || status=$?
    fi
    if [[ $status -ne 0 ]]; then
      say "error: $name not found (looked in \$$var (unset), \$PATH, $*): install it with" \
          "\`sudo apt-get install $package\` or set $var to the path of the $name binary"
      return 1
    fi
  fi
  local version
  version=$("$path" --version 2>&1 || true)
  say "$name: $path (${version%%$'\n'*})"
  printf '%s=%s\n' "$var" "$path"
}

failed=0
installed=0
find_binary redis-server redis-server GEOWS_REDIS_SERVER \
  /usr/bin/redis-server /usr/sbin/redis-server /usr/local/bin/redis-server || failed=1
find_binary nats-server nats-server GEOWS_NATS_SERVER \
  /usr/sbin/nats-server /usr/bin/nats-server /usr/local/bin/nats-server || failed=1

if [[ $failed -eq 1 && $install_allowed -eq 1 ]] && ! can_install; then
  say "note: not installing: needs apt-get and root or passwordless sudo"
fi
if [[ $installed -eq 1 ]]; then
  say "note: the packages may have enabled a system service on the standard port (6379/4222)" \
      "for the next boot; the tests do not need it (sudo systemctl disable redis-server nats-server)"
fi
exit $failed
