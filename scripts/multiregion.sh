#!/usr/bin/env bash
# Runs the whole multi-region topology on one machine, on loopback: a broker plus two regions
# (us-east, eu-west) of two nodes each, every node its own process of the example server.
#
#   scripts/multiregion.sh            # Redis broker (redis-server started here on a spare port)
#   BROKER=nats scripts/multiregion.sh  # NATS with JetStream instead
#   BASE_PORT=9100 scripts/multiregion.sh
#
# Nodes: us-east-1 ws :BASE+1 http :BASE+11, us-east-2 ws :BASE+2 http :BASE+12,
#        eu-west-1 ws :BASE+3 http :BASE+13, eu-west-2 ws :BASE+4 http :BASE+14.
# Ctrl-C stops everything (each node drains: goaway, then close).
set -euo pipefail
cd "$(dirname "$0")/.."
base=${BASE_PORT:-9100}
broker_kind=${BROKER:-redis}
work=$(mktemp -d /tmp/geows-multiregion.XXXXXX)
pids=()

cleanup() {
  trap - INT TERM EXIT
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup INT TERM EXIT

brokers=$(scripts/find-brokers.sh) || exit 1
while IFS= read -r line; do
  [[ "$line" == GEOWS_*=* ]] && export "${line?}"
done <<<"$brokers"

broker_port=$((base + 99))
if [[ "$broker_kind" == nats ]]; then
  "$GEOWS_NATS_SERVER" -a 127.0.0.1 -p "$broker_port" -js -sd "$work/js" >"$work/broker.log" 2>&1 &
  pids+=($!)
  broker_uri="nats://127.0.0.1:$broker_port"
else
  "$GEOWS_REDIS_SERVER" --port "$broker_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    >"$work/broker.log" 2>&1 &
  pids+=($!)
  broker_uri="redis://127.0.0.1:$broker_port"
fi
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null && break
  sleep 0.1
done

jar=geows-example-server/target/geows-example-server.jar
mvn -B -q -ntp -DskipTests -pl geows-example-server -am package

# Every node signs broker messages with the same key; anonymous demo tokens (a demo, not production).
inter_region_key=$(head -c 32 /dev/urandom | base64)
i=0
for region in us-east eu-west; do
  for n in 1 2; do
    i=$((i + 1))
    ws=$((base + i)); http=$((base + 10 + i))
    java -Xmx256m -jar "$jar" --region "$region" --node-id "$region-$n" --host 127.0.0.1 \
      --port "$ws" --http-port "$http" --public-url "ws://127.0.0.1:$ws/" --broker "$broker_uri" \
      --anonymous true --inter-region-keys "demo:$inter_region_key" \
      >"$work/$region-$n.log" 2>&1 &
    pids+=($!)
  done
done

for i in 1 2 3 4; do
  http=$((base + 10 + i))
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$http/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
done
echo
echo "broker: $broker_uri"
echo "us-east-1 ws://127.0.0.1:$((base + 1))/  page http://127.0.0.1:$((base + 11))/"
echo "us-east-2 ws://127.0.0.1:$((base + 2))/  page http://127.0.0.1:$((base + 12))/"
echo "eu-west-1 ws://127.0.0.1:$((base + 3))/  page http://127.0.0.1:$((base + 13))/"
echo "eu-west-2 ws://127.0.0.1:$((base + 4))/  page http://127.0.0.1:$((base + 14))/"
echo "logs in $work; Ctrl-C to stop"
wait
