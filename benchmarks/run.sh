#!/usr/bin/env bash
# Runs the geows benchmarks and writes their results to benchmarks/results/: one JSON file per run
# (<name>-<UTC stamp>.json: jmh, load-redis, load-nats, load-kafka, capacity) and, regenerated from the newest run
# of each, latest.json, latest.md (tables, where each target stands) and sweep.svg (p99 against
# delivered rate).
#
# Usage: benchmarks/run.sh [part...]          parts, in this order by default:
#   everyday  latency and CPU at fixed everyday rates (10k/20k/40k deliveries/s), fresh processes per
#             run, 5 runs per rate, medians: geows driven by the independent Node.js client and by the
#             Java client, and Socket.IO 4 + @socket.io/redis-adapter (installed from npm) in the same
#             run (benchmarks/everyday.sh; EVERYDAY_OPTS)                                  (~35 min)
#   jmh       JMH suites (codec, fan-out, registry, Redis, NATS and Kafka adapters against their raw clients),
#             short settings: 1 fork, 2 x 1 s warm-up, 5 x 1 s measurement          (~3.5 min)
#   redis     load sweep: two example server processes on one Redis, the default workload  (~2 min)
#   nats      the same on NATS (JetStream)                                                 (~2 min)
#   kafka     the same on one Kafka broker (KRaft, its own JVM from the benchmark jar), 60 s
#             warm-up (KAFKA_LOAD_OPTS)                                                     (~3 min)
#   capacity  15,000 idle connections on one node, memory per connection, storm rate      (~1.5 min)
#   storm     failover at scale: N clients of a region that is killed (SIGKILL) resume on the
#             surviving region; time to resume, connect->welcome percentiles, loss, readiness
#             (FailoverStorm; STORM_OPTS, default 10,000 clients on Redis)                  (~1 min)
#   joins     connection and join storms on one node, geows and Socket.IO in the same run, an
#             independent Node.js client, 3 runs, medians (benchmarks/joins.sh; JOINS_OPTS) (~3 min)
#   report    only regenerate latest.md / latest.json / sweep.svg from the latest results
# The last four take under 10 minutes on a 2-core machine; everyday takes the longest. Other arguments:
#   benchmarks/run.sh jmh 'RedisBrokerBenchmark' -i 5    a JMH regex and options after "jmh"
#   benchmarks/run.sh RedisBrokerBenchmark               (no part named: all arguments go to JMH)
# Settings through the environment (defaults shown in the code below):
#   JMH_OPTS, LOAD_OPTS (Redis and NATS), KAFKA_LOAD_OPTS, CAPACITY_OPTS, SKIP_BUILD=1 (use the jars as they are).
# Needs redis-server and nats-server (scripts/find-brokers.sh finds or installs them). Every server the
# run starts listens on a free loopback port and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

JMH_OPTS=${JMH_OPTS:--f 1 -wi 2 -w 1s -i 5 -r 1s}
[[ -n "${EVERYDAY_OPTS:-}" ]] || EVERYDAY_OPTS='--rates "10000 20000 40000" --runs 5'
LOAD_OPTS=${LOAD_OPTS:---sweep --rate 1000 --factor 1.5 --refine 3 --seconds 10 --warmup 10}
# Kafka's broker is a JVM started fresh: its JIT needs about a minute at load before it settles
KAFKA_LOAD_OPTS=${KAFKA_LOAD_OPTS:---sweep --rate 1000 --factor 1.5 --refine 3 --seconds 10 --warmup 60}
STORM_OPTS=${STORM_OPTS:---broker redis --clients 10000}
JOINS_OPTS=${JOINS_OPTS:---runs 3}
CAPACITY_OPTS=${CAPACITY_OPTS:---connections 15000 --hold 35}
results=benchmarks/results
jar=benchmarks/target/benchmarks.jar

parts=()
jmh_args=()
if [[ $# -eq 0 ]]; then
  parts=(everyday jmh redis nats kafka capacity storm joins)
else
  case "$1" in
    everyday|jmh|redis|nats|kafka|capacity|storm|joins|report|all)
      while [[ $# -gt 0 ]]; do
        case "$1" in
          all) parts+=(everyday jmh redis nats kafka capacity storm joins); shift ;;
          jmh) parts+=(jmh); shift
               # a JMH regex and options may follow "jmh"
               while [[ $# -gt 0 && ! "$1" =~ ^(everyday|redis|nats|kafka|capacity|storm|joins|report|all)$ ]]; do jmh_args+=("$1"); shift; done ;;
          everyday|redis|nats|kafka|capacity|storm|joins|report) parts+=("$1"); shift ;;
          *) echo "run.sh: unknown part '$1' (everyday, jmh, redis, nats, kafka, capacity, storm, joins, report, all)" >&2; exit 2 ;;
        esac
      done ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) parts=(jmh); jmh_args=("$@") ;;
  esac
fi

brokers=$(scripts/find-brokers.sh) || exit 1
while IFS= read -r line; do
  [[ "$line" == GEOWS_*=* ]] && export "${line?}"
done <<<"$brokers"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "== build (benchmarks and the example server)"
  mvn -B -q -ntp -DskipTests -pl benchmarks -am package
fi
mkdir -p "$results"
started=$(date +%s)

for part in "${parts[@]}"; do
  part_start=$(date +%s)
  case "$part" in
    everyday)
      echo "== everyday load ($EVERYDAY_OPTS)"
      eval "benchmarks/everyday.sh $EVERYDAY_OPTS"
      ;;
    jmh)
      stamp=$(date -u +%Y%m%dT%H%M%SZ)
      # An option given after "jmh" replaces the default one (JMH refuses an option twice).
      read -r -a defaults <<<"$JMH_OPTS"
      opts=()
      for ((k = 0; k < ${#defaults[@]}; k += 2)); do
        [[ " ${jmh_args[*]:-} " == *" ${defaults[k]} "* ]] || opts+=("${defaults[k]}" "${defaults[k + 1]}")
      done
      echo "== JMH (${opts[*]:-} ${jmh_args[*]:-})"
      java -jar "$jar" ${opts[@]+"${opts[@]}"} -rf json -rff "$results/jmh-$stamp.json" ${jmh_args[@]+"${jmh_args[@]}"} \
        | tee "$results/jmh-$stamp.txt"
      ;;
    redis|nats|kafka)
      opts=$LOAD_OPTS
      [[ "$part" == kafka ]] && opts=$KAFKA_LOAD_OPTS
      echo "== load sweep on $part ($opts)"
      # shellcheck disable=SC2086
      java -cp "$jar" io.geows.benchmarks.LoadTool --broker "$part" $opts --results "$results"
      ;;
    capacity)
      echo "== connection capacity ($CAPACITY_OPTS)"
      # shellcheck disable=SC2086
      java -cp "$jar" io.geows.benchmarks.ConnectionCapacity $CAPACITY_OPTS --results "$results"
      ;;
    storm)
      echo "== failover storm ($STORM_OPTS)"
      # shellcheck disable=SC2086
      java -cp "$jar" io.geows.benchmarks.FailoverStorm $STORM_OPTS --results "$results"
      ;;
    joins)
      echo "== connection and join storms ($JOINS_OPTS)"
      eval "benchmarks/joins.sh $JOINS_OPTS"
      ;;
    report) ;;
  esac
  echo "== $part took $(( $(date +%s) - part_start )) s"
done

java -cp "$jar" io.geows.benchmarks.Report "$results"
echo "== done in $(( $(date +%s) - started )) s: $results/latest.md"
