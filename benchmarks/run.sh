#!/usr/bin/env bash
# Builds the benchmarks and runs JMH. Results (JSON and the text table) go to benchmarks/results/.
# Usage: benchmarks/run.sh [JMH regex and options]   e.g. benchmarks/run.sh RedisBrokerBenchmark
# Needs redis-server (scripts/find-brokers.sh finds or installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
brokers=$(scripts/find-brokers.sh) || exit 1
while IFS= read -r line; do
  [[ "$line" == GEOWS_*=* ]] && export "${line?}"
done <<<"$brokers"
mvn -B -q -ntp -DskipTests -pl benchmarks -am package
mkdir -p benchmarks/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
java -jar benchmarks/target/benchmarks.jar -rf json -rff "benchmarks/results/jmh-$stamp.json" "$@" \
  | tee "benchmarks/results/jmh-$stamp.txt"
