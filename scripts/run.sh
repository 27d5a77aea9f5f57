#!/usr/bin/env bash
# `make run`: starts the local broker, creates the topics, starts the five services in
# demo mode, loads master data and stock, submits demo orders that pay their invoices,
# and keeps everything running until Ctrl-C / SIGTERM, which stop all it started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stack.sh
PORT=${ORDERFLOW_BROKER_PORT:-9092}
ORDERS=${ORDERFLOW_DEMO_ORDERS:-30}
RUN=$ROOT/.run
export ORDERFLOW_BOOTSTRAP_SERVERS=127.0.0.1:$PORT ORDERFLOW_KAFKA_PROFILE=local
trap 'echo; echo "stopping…"; stack_stop; echo "stopped (logs kept in $RUN/logs)"' INT TERM EXIT

rm -rf "$RUN/data"; mkdir -p "$RUN/data" "$RUN/logs"
echo "starting the local broker (Tansu, in memory) on 127.0.0.1:$PORT"
stack_start_broker "$PORT" "$RUN/logs"
"$BIN/orderctl" topics create --partitions 6
stack_start_services "$RUN/data" "$RUN/logs" 8081 --demo-mode
"$BIN/orderctl" masterdata load deploy/masterdata/products.json deploy/masterdata/customers.json
echo "waiting for the services to be ready…"
stack_wait_ready 8081 "$RUN/logs"
"$BIN/orderctl" stock receive deploy/masterdata/stock.json
"$BIN/orderctl" demo --orders "$ORDERS" --pay --keep-paying > "$RUN/logs/demo.log" 2>&1 &
pids+=($!)

cat <<TXT

OrderFlow is running: broker 127.0.0.1:$PORT; $ORDERS demo orders submitted (a demo customer pays each invoice).
  watch orders move:   $BIN/orderctl tail orders.status
  one order:           $BIN/orderctl status SO-$(date +%Y)-000001
  KPIs:                $BIN/orderctl kpi
  dead letters:        $BIN/orderctl tail orders.deadletter
  more orders:         $BIN/orderctl demo --orders 50
  health / metrics:    curl 127.0.0.1:8081/ready   curl 127.0.0.1:8083/metrics   (8081 intake … 8085 billing)
  stock levels:        curl 127.0.0.1:8083/stock
  logs:                $RUN/logs/
  (orderctl in another shell needs: export LD_LIBRARY_PATH=$ROOT/.tools/lib)
Press Ctrl-C to stop everything.
TXT
wait "${pids[0]}"
