#!/usr/bin/env bash
# Connection and join storms on one server, geows and the peer in the same run: the table of the
# failover-at-scale issue, measured by the independent Node.js client (benchmarks/node/joins.js).
#
# For each run: (1) geows: a fresh redis-server and one fresh example-server process; (2) Socket.IO 4 +
# @socket.io/redis-adapter (benchmarks/node/sio-server.js): a fresh redis-server and one fresh process.
# The client connects N clients (C in flight), then the first 2,000, 5,000 and N clients each join one of
# 20 rooms at once, then N joins run C in flight. Results: one JSON per system and run in
# benchmarks/results/joins-<stamp>/, and a table of medians (each run listed) in joins.md there.
#
# --warmup N: each server first serves N unmeasured rounds of the same phases (0: measured fresh).
#
# Usage: benchmarks/joins.sh [--runs 3] [--clients 10000] [--concurrency 100] [--sizes 2000,5000,10000]
#                            [--systems geows,socketio] [--broker redis|nats] [--warmup 0]
# GEOWS_EXTRA_JVM: more JVM options for the geows server. Needs what everyday.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3; clients=10000; concurrency=100; sizes=2000,5000,10000; systems=geows,socketio; broker=redis; warmup=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --systems) systems="$2"; shift 2 ;;
    --broker) broker="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "joins.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

source benchmarks/lib.sh
prepare
[[ "$broker" == redis || "$broker" == nats ]] || { echo "joins.sh: --broker is redis or nats" >&2; exit 2; }
[[ "$broker" != nats || -x "$nats_bin" ]] || { echo "joins.sh: nats-server not found: install it or set GEOWS_NATS_SERVER" >&2; exit 1; }
[[ -x "$redis_bin" ]] || { echo "joins.sh: redis-server not found: install it (apt-get install redis-server) or set GEOWS_REDIS_SERVER" >&2; exit 1; }
(( $(ulimit -n) > clients + 100 )) || ulimit -n $((clients + 1000)) 2>/dev/null \
  || { echo "joins.sh: $clients clients need more open files than 'ulimit -n' allows ($(ulimit -n))" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="benchmarks/results/joins-$stamp"
logs="${TMPDIR:-/tmp}/geows-joins-$stamp"
mkdir -p "$out" "$logs"
jvm_opts=(-Xms512m -Xmx512m -XX:+UseG1GC ${GEOWS_EXTRA_JVM:-})
key="bench:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
pids=()

common=(--clients "$clients" --concurrency "$concurrency" --sizes "$sizes" --warmup "$warmup")
for run in $(seq "$runs"); do
  if [[ ",$systems," == *",geows,"* ]]; then
    if [[ "$broker" == nats ]]; then start_nats; else start_redis; fi
    start_geows us-east "joins-$run"
    node benchmarks/node/joins.js --target geows --url "$url" --pid "$pid" "${common[@]}" --out "$out/geows-$broker-$run.json"
    cleanup
  fi
  if [[ ",$systems," == *",socketio,"* ]]; then
    start_redis
    start_sio us-east "joins-$run"
    node benchmarks/node/joins.js --target socketio --url "$url" --pid "$pid" "${common[@]}" --out "$out/socketio-$run.json"
    cleanup
  fi
done
node benchmarks/node/summary.js "$out" | tee "$out/joins.md"
echo "server logs: $logs"
