#!/usr/bin/env bash
# `make run`: starts the local broker, creates the topics, starts the five services in
# demo mode and the tracking service (web page and API on port 8086), loads master data
# and stock, submits demo orders that pay their invoices, and keeps everything running
# until Ctrl-C / SIGTERM, which stop all it started.
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
TRACKING_PORT=${ORDERFLOW_TRACKING_PORT:-8086}
stack_start_tracking "$RUN/data" "$RUN/logs" "$TRACKING_PORT"
export ORDERFLOW_TRACKING_URL=http://127.0.0.1:$TRACKING_PORT
"$BIN/orderctl" masterdata load deploy/masterdata/products.json deploy/masterdata/customers.json
echo "waiting for the services to be ready…"
stack_wait_ready 8081 "$RUN/logs"
stack_wait_port_ready "$TRACKING_PORT" "$RUN/logs"
"$BIN/orderctl" stock receive deploy/masterdata/stock.json
"$BIN/orderctl" demo --orders "$ORDERS" --pay --keep-paying > "$RUN/logs/demo.log" 2>&1 &
pids+=($!)

cat <<TXT

OrderFlow is running: broker 127.0.0.1:$PORT; $ORDERS demo orders submitted (a demo customer pays each invoice).
  order tracking page: http://127.0.0.1:$TRACKING_PORT/   (search an order number, channel:external id or customer)
  tracking API:        curl 127.0.0.1:$TRACKING_PORT/orders/SO-$(date +%Y)-000001   /kpis   /sla-breaches   /deadletters
  watch orders move:   $BIN/orderctl tail orders.status
  one order:           $BIN/orderctl status SO-$(date +%Y)-000001
  KPIs:                $BIN/orderctl kpi
  dead letters:        $BIN/orderctl tail orders.deadletter
  more orders:         $BIN/orderctl demo --orders 50
  health / metrics:    curl 127.0.0.1:8081/ready   curl 127.0.0.1:8083/metrics   (8081 intake … 8085 billing, $TRACKING_PORT tracking)
  stock levels:        curl 127.0.0.1:8083/stock
  logs:                $RUN/logs/
  (orderctl in another shell needs: export LD_LIBRARY_PATH=$ROOT/.tools/lib)
Press Ctrl-C to stop everything.
TXT
wait "${pids[0]}"
