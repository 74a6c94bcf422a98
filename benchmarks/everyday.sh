#!/usr/bin/env bash
# Everyday load, measured as an outsider would: fixed rates, freshly started server processes for every
# run, a warm-up at the rate, several runs per rate, two kinds of client, and the peer measured in the
# same run.
#
# For each rate and run: (1) geows, two fresh example-server processes on a fresh redis-server, driven by
# the independent Node.js client (benchmarks/node/load.js, `ws` 8, written from docs/protocol.md);
# (2) geows driven by the project's Java load clients (LoadTool, which starts its own fresh servers);
# (3) Socket.IO 4 + @socket.io/redis-adapter (benchmarks/node/sio-server.js), two fresh processes on a
# fresh redis-server, driven by the same Node.js client. Workload everywhere: 200 clients (half per
# region), 20 rooms with members in both, 100 B payloads, open loop. Results: one JSON per measurement
# in benchmarks/results/everyday-<stamp>/, and a Markdown table of medians (with each run) printed and
# written to everyday.md there.
#
# Usage: benchmarks/everyday.sh [--rates "10000 20000 40000"] [--runs 5] [--warmup 20] [--seconds 10]
#                               [--clients node,java,socketio] [--tick 5] [--broker redis|nats]
# --tick: ms between the Node.js client's sending rounds (what the rate owes is sent together).
# --broker: what geows runs on (Socket.IO always uses Redis, its adapter's broker).
# GEOWS_EXTRA_JVM: more JVM options for the geows servers, e.g. -XX:+UseParallelGC.
# Rates are deliveries per second (each publish reaches the 10 members of its room).
# Needs: a JDK, Maven (builds benchmarks.jar if missing), Node.js 18+ and npm (installs the pinned
# packages of benchmarks/node), redis-server (GEOWS_REDIS_SERVER or on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

rates="10000 20000 40000"; runs=5; warmup=20; seconds=10; kinds="node,java,socketio"; tick=5; broker=redis
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rates) rates="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --clients) kinds="$2"; shift 2 ;;
    --tick) tick="$2"; shift 2 ;;
    --broker) broker="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "everyday.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

# Helpers shared with joins.sh: prepare (jar, Node.js packages, broker binaries), free_port, cleanup
# (trap), await_line, start_redis/nats/geows/sio.
source benchmarks/lib.sh
prepare
[[ "$broker" == redis || "$broker" == nats ]] || { echo "everyday.sh: --broker is redis or nats" >&2; exit 2; }
[[ "$broker" != nats || -x "$nats_bin" ]] || { echo "everyday.sh: nats-server not found: install it or set GEOWS_NATS_SERVER" >&2; exit 1; }
[[ -x "$redis_bin" ]] || { echo "everyday.sh: redis-server not found: install it (apt-get install redis-server) or set GEOWS_REDIS_SERVER" >&2; exit 1; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="benchmarks/results/everyday-$stamp"
logs="${TMPDIR:-/tmp}/geows-everyday-$stamp"
mkdir -p "$out" "$logs"
jvm_opts=(-Xms512m -Xmx512m -XX:+UseG1GC ${GEOWS_EXTRA_JVM:-})
key="bench:$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
pids=()

for rate in $rates; do
  publishes=$((rate / 10))
  for run in $(seq "$runs"); do
    if [[ ",$kinds," == *",node,"* ]]; then
      if [[ "$broker" == nats ]]; then start_nats; broker_pid=$nats_pid; else start_redis; broker_pid=$redis_pid; fi
      start_geows us-east "$rate-$run"; us_url=$url; us_pid=$pid
      start_geows eu-west "$rate-$run"; eu_url=$url; eu_pid=$pid
      node benchmarks/node/load.js --target geows --label "geows ($broker)" --urls "us-east=$us_url,eu-west=$eu_url" \
        --rate "$publishes" --warmup "$warmup" --seconds "$seconds" --pids "$us_pid,$eu_pid" --broker-pid "$broker_pid" \
        --tick "$tick" --out "$out/geows-$broker-node-$rate-$run.json"
      cleanup
    fi
    if [[ ",$kinds," == *",java,"* ]]; then
      java -cp "$jar" io.geows.benchmarks.LoadTool --broker "$broker" --rate "$publishes" --warmup "$warmup" \
        --seconds "$seconds" --results "$out" --name "geows-$broker-java-$rate-$run" \
        --logs "$logs" 2>&1 | grep -E '^run ' | sed 's/^run /geows java-nio /'
    fi
    if [[ ",$kinds," == *",socketio,"* ]]; then
      start_redis
      start_sio us-east "$rate-$run"; us_url=$url; us_pid=$pid
      start_sio eu-west "$rate-$run"; eu_url=$url; eu_pid=$pid
      node benchmarks/node/load.js --target socketio --urls "us-east=$us_url,eu-west=$eu_url" --rate "$publishes" \
        --warmup "$warmup" --seconds "$seconds" --pids "$us_pid,$eu_pid" --broker-pid "$redis_pid" \
        --tick "$tick" --out "$out/socketio-node-$rate-$run.json"
      cleanup
    fi
  done
done
rm -f "$out/latest.json" "$out/latest.md" "$out/sweep.svg" # LoadTool's own summaries of its last step
node benchmarks/node/summary.js "$out" | tee "$out/everyday.md"
echo "server logs: $logs"
