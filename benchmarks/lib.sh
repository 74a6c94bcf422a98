# Shared by the benchmark scripts (everyday.sh, joins.sh): free ports, fresh broker and server processes,
# clean-up. The caller sets: logs, jvm_opts, key, broker (redis|nats), and pids=().
# prepare sets jar, redis_bin and nats_bin.
# start_* set pid (and url, redis_port, nats_port); every process started is killed by cleanup (also on exit).

prepare() {
  jar=benchmarks/target/benchmarks.jar
  if [[ ! -f "$jar" ]]; then
    mvn -B -ntp -q -DskipTests -pl benchmarks -am package
  fi
  command -v node >/dev/null || { echo "$(basename "$0"): Node.js is needed for the independent client and the Socket.IO peer (apt-get install nodejs npm)" >&2; exit 1; }
  (cd benchmarks/node && { [[ -d node_modules ]] || npm ci --no-audit --no-fund >/dev/null; })
  redis_bin=${GEOWS_REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
  nats_bin=${GEOWS_NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
cleanup() { for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap cleanup EXIT

# Waits until a log line matches, prints the match (60 s at most).
await_line() {
  local file=$1 pattern=$2
  for _ in $(seq 600); do
    if grep -Eo "$pattern" "$file" 2>/dev/null | head -1; then return 0; fi
    sleep 0.1
  done
  echo "$(basename "$0"): nothing matching '$pattern' in $file" >&2; return 1
}

start_redis() {
  redis_port=$(free_port)
  "$redis_bin" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$logs/redis-$redis_port.log" 2>&1 &
  redis_pid=$!; pids+=("$redis_pid")
  await_line "$logs/redis-$redis_port.log" "Ready to accept connections" >/dev/null
}

start_nats() {
  nats_port=$(free_port)
  local dir="$logs/nats-$nats_port"
  mkdir -p "$dir"
  "$nats_bin" -a 127.0.0.1 -p "$nats_port" -js -sd "$dir" >"$logs/nats-$nats_port.log" 2>&1 &
  nats_pid=$!; pids+=("$nats_pid")
  await_line "$logs/nats-$nats_port.log" "Server is ready" >/dev/null
}

start_geows() { # region -> sets url, pid
  local region=$1 log="$logs/geows-$1-$2.log" address
  if [[ "$broker" == nats ]]; then address="nats://127.0.0.1:$nats_port"; else address="redis://127.0.0.1:$redis_port"; fi
  GEOWS_MAX_MESSAGES_PER_SECOND=0 java "${jvm_opts[@]}" -cp "$jar" io.geows.example.ExampleServer --region "$region" \
    --node-id "$region-1" --host 127.0.0.1 --port 0 --http-port 0 --broker "$address" \
    --anonymous true --max-connections-per-address 0 --inter-region-keys "$key" >"$log" 2>&1 &
  pid=$!; pids+=("$pid")
  url=$(await_line "$log" "ws ws://[^ ]+" | cut -d' ' -f2)
}

start_sio() {
  local region=$1 log="$logs/sio-$1-$2.log"
  node benchmarks/node/sio-server.js --region "$region" --port 0 --redis "redis://127.0.0.1:$redis_port" >"$log" 2>&1 &
  pid=$!; pids+=("$pid")
  url=$(await_line "$log" "ws http://[^ ]+" | cut -d' ' -f2)
}
