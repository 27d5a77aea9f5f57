# Shared by run.sh and bench.sh: start/stop the local broker, the five services and (run.sh)
# the tracking service.
# Every process started is recorded in `pids` and stopped by PID in `stack_stop`.
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BIN=${ORDERFLOW_BIN_DIR:?ORDERFLOW_BIN_DIR is set by make}
SERVICES=(intake review warehouse logistics billing)
pids=()

stack_stop() {
  trap - INT TERM EXIT
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# stack_start_broker PORT LOGDIR
stack_start_broker() {
  local port=$1 logs=$2
  if (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    echo "port $port is in use: stop what runs there or set ORDERFLOW_BROKER_PORT" >&2; return 1
  fi
  "$ROOT/.tools/bin/tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ > "$logs/broker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0; sleep 0.1; done
  echo "the broker did not start; see $logs/broker.log" >&2; return 1
}

# stack_start_services DATADIR LOGDIR FIRST_HTTP_PORT [extra flags…]
stack_start_services() {
  local data=$1 logs=$2 port=$3; shift 3
  for svc in "${SERVICES[@]}"; do
    "$BIN/$svc" --db-path "$data/$svc.sqlite" --http-port "$port" "$@" > "$logs/$svc.log" 2>&1 &
    pids+=($!)
    port=$((port+1))
  done
}

# stack_start_tracking DATADIR LOGDIR HTTP_PORT: the tracking service (API and web page).
stack_start_tracking() {
  local data=$1 logs=$2 port=$3
  "$BIN/tracking" --db-path "$data/tracking.sqlite" --http-port "$port" > "$logs/tracking.log" 2>&1 &
  pids+=($!)
}

# stack_wait_port_ready PORT LOGDIR: waits for one service's /ready.
stack_wait_port_ready() {
  local port=$1 logs=$2
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "service on port $port is not ready; see $logs" >&2; return 1
}

# stack_wait_ready FIRST_HTTP_PORT LOGDIR
stack_wait_ready() {
  local first=$1 logs=$2
  for port in $(seq "$first" $((first+4))); do
    for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fs "http://127.0.0.1:$port/ready" >/dev/null || { echo "service on port $port is not ready; see $logs" >&2; return 1; }
  done
}
