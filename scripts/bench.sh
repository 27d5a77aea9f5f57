#!/usr/bin/env bash
# `make bench`: end-to-end throughput of the whole pipeline on this machine. Starts its
# own broker and services (ports 19092, 18081–18085), submits N demo orders, pays every
# invoice, and reports orders/s from submission to `completed` (orderctl demo measures).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stack.sh
PORT=${ORDERFLOW_BENCH_BROKER_PORT:-19092}
ORDERS=${ORDERFLOW_BENCH_ORDERS:-500}
WORK=$(mktemp -d /tmp/orderflow-bench.XXXXXX)
export ORDERFLOW_BOOTSTRAP_SERVERS=127.0.0.1:$PORT ORDERFLOW_KAFKA_PROFILE=local ORDERFLOW_LOG_LEVEL=warning
export ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE=0
# The demo's simulated work takes no time here, so the figure is the pipeline's own
# capacity (five services, one broker, SQLite fsync per batch) on this machine.
export ORDERFLOW_WAREHOUSE_PICK_SECONDS=0 ORDERFLOW_WAREHOUSE_CHECK_SECONDS=0 ORDERFLOW_WAREHOUSE_PACK_SECONDS=0 ORDERFLOW_WAREHOUSE_INSPECT_SECONDS=0
export ORDERFLOW_LOGISTICS_IN_TRANSIT_AFTER_SECONDS=0 ORDERFLOW_LOGISTICS_DELIVERED_AFTER_SECONDS=0 ORDERFLOW_TICK_MS=50
trap 'stack_stop; rm -rf "$WORK"' INT TERM EXIT
mkdir -p "$WORK/data" "$WORK/logs"

stack_start_broker "$PORT" "$WORK/logs"
"$BIN/orderctl" topics create --partitions 6 > /dev/null
stack_start_services "$WORK/data" "$WORK/logs" 18081 --demo-mode
# Credit limits high enough that a thousand open orders don't trip them.
python3 - "$WORK/customers.json" <<'PY'
import json, sys
customers = json.load(open("deploy/masterdata/customers.json"))
for c in customers: c["creditLimit"] = "1000000000.00"
json.dump(customers, open(sys.argv[1], "w"))
PY
"$BIN/orderctl" masterdata load deploy/masterdata/products.json "$WORK/customers.json" > /dev/null
stack_wait_ready 18081 "$WORK/logs"
"$BIN/orderctl" stock receive deploy/masterdata/stock.json --times $((ORDERS / 5 + 1)) > /dev/null
echo "benchmark: $ORDERS orders through intake → review → warehouse → logistics → billing (demo mode, payments by the tool)"
"$BIN/orderctl" demo --orders "$ORDERS" --pay --wait --max-order-value 5000 --timeout 900
for i in "${!SERVICES[@]}"; do
  echo "${SERVICES[$i]}: resident memory $(ps -o rss= -p "${pids[$((i+1))]}" | tr -d ' ') KiB"
done
