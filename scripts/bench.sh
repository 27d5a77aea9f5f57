#!/usr/bin/env bash
# `make bench`: end-to-end figures of the whole pipeline on this machine, release build.
#
# For each size in ORDERFLOW_BENCH_SIZES (default 2000 10000 50000) it starts a fresh
# local broker and the five services (ports 19092, 18081–18085), submits that many demo
# orders at once, pays every invoice, and reports
#   - orders/s from the first submission to the last `completed` (orderctl demo measures),
#   - CPU microseconds per order of each service and of the broker (from /proc, user+system),
#   - resident memory of each service at the end of the run (VmRSS) and its peak (VmHWM);
# then, on a fresh stack again, it submits orders at a fixed rate (half of the capacity
# measured at the middle size, or ORDERFLOW_BENCH_RATE) and reports latency
# p50/p95/p99 from submission to `completed`. Last, how throughput changes between sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/stack.sh
PORT=${ORDERFLOW_BENCH_BROKER_PORT:-19092}
SIZES=${ORDERFLOW_BENCH_SIZES:-"2000 10000 50000"}
LATENCY_SECONDS=${ORDERFLOW_BENCH_LATENCY_SECONDS:-20}
WORK=$(mktemp -d /tmp/orderflow-bench.XXXXXX)
export ORDERFLOW_BOOTSTRAP_SERVERS=127.0.0.1:$PORT ORDERFLOW_KAFKA_PROFILE=local ORDERFLOW_LOG_LEVEL=warning
export ORDERFLOW_WAREHOUSE_QC_FAILURE_RATE=0
# The demo's simulated work takes no time here, so the figure is the pipeline's own
# capacity (five services, one broker, SQLite fsync per batch) on this machine.
export ORDERFLOW_WAREHOUSE_PICK_SECONDS=0 ORDERFLOW_WAREHOUSE_CHECK_SECONDS=0 ORDERFLOW_WAREHOUSE_PACK_SECONDS=0 ORDERFLOW_WAREHOUSE_INSPECT_SECONDS=0
export ORDERFLOW_LOGISTICS_IN_TRANSIT_AFTER_SECONDS=0 ORDERFLOW_LOGISTICS_DELIVERED_AFTER_SECONDS=0 ORDERFLOW_TICK_MS=50
trap 'stack_stop; rm -rf "$WORK"' INT TERM EXIT
CLK_TCK=$(getconf CLK_TCK)

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v tck="$CLK_TCK" '{ print ($14 + $15) / tck }' "/proc/$1/stat"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# run_stack NAME ORDERS [demo flags…]: a fresh broker and services, one demo run, the
# figures into $WORK/NAME.*; the stack is stopped afterwards.
run_stack() {
  local name=$1 orders=$2; shift 2
  local dir="$WORK/$name"
  mkdir -p "$dir/data" "$dir/logs"
  pids=()
  stack_start_broker "$PORT" "$dir/logs"
  "$BIN/orderctl" topics create --partitions 6 > /dev/null
  stack_start_services "$dir/data" "$dir/logs" 18081 --demo-mode
  # Credit limits high enough that thousands of open orders don't trip them.
  python3 - "$dir/customers.json" <<'PY'
import json, sys
customers = json.load(open("deploy/masterdata/customers.json"))
for c in customers: c["creditLimit"] = "100000000000.00"
json.dump(customers, open(sys.argv[1], "w"))
PY
  "$BIN/orderctl" masterdata load deploy/masterdata/products.json "$dir/customers.json" > /dev/null
  stack_wait_ready 18081 "$dir/logs"
  "$BIN/orderctl" stock receive deploy/masterdata/stock.json --times $((orders / 5 + 1)) > /dev/null
  sleep 2   # let the stock receipts settle, so the run measures orders only
  local before=()
  for pid in "${pids[@]}"; do before+=("$(cpu_seconds "$pid")"); done
  /usr/bin/time -o "$dir/orderctl.time" -f "%U %S" "$BIN/orderctl" demo --orders "$orders" --pay --wait --max-order-value 5000 \
    --timeout 1800 --result-file "$dir/result.json" "$@" | grep -v '^progress' || true
  : > "$dir/cpu"
  for i in "${!pids[@]}"; do
    local label=broker
    [ "$i" -gt 0 ] && label=${SERVICES[$((i-1))]}
    echo "$label $(cpu_seconds "${pids[$i]}") ${before[$i]} $(peak_rss_kib "${pids[$i]}") $(rss_kib "${pids[$i]}")" >> "$dir/cpu"
  done
  stack_stop
  trap 'stack_stop; rm -rf "$WORK"' INT TERM EXIT
}

# report NAME ORDERS: one size's figures.
report() {
  local dir="$WORK/$1" orders=$2
  python3 - "$dir/result.json" "$dir/cpu" "$orders" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
orders = int(sys.argv[3])
rows = [line.split() for line in open(sys.argv[2])]
print(f"  {int(result['finished'])}/{orders} orders in {result['seconds']:.1f} s: {result['ordersPerSecond']:.0f} orders/s")
services_us = 0.0
for label, after, before, peak, rss in rows:
    us = (float(after) - float(before)) * 1e6 / orders
    if label != "broker": services_us += us
    extra = f", RSS {int(rss) / 1024:.0f} MiB at the end (peak {int(peak) / 1024:.0f} MiB)" if label != "broker" else ""
    print(f"  {label:<10} {us:8.0f} µs CPU/order{extra}")
print(f"  services together: {services_us:.0f} µs CPU/order")
user, system = open(sys.argv[2].replace("/cpu", "/orderctl.time")).read().split()[-2:]
print(f"  (orderctl, submitting, reading the status feed and paying: {(float(user) + float(system)) * 1e6 / orders:.0f} µs CPU/order)")
PY
}

echo "benchmark on $(nproc) cores, $(date -u +%Y-%m-%d), release build: intake → review → warehouse → logistics → billing (demo mode, payments by orderctl)"
for size in $SIZES; do
  echo "== $size orders, submitted at once"
  run_stack "size-$size" "$size"
  report "size-$size" "$size"
done

sizes=($SIZES)
middle=${sizes[$(( ${#sizes[@]} / 2 ))]}
rate=${ORDERFLOW_BENCH_RATE:-$(python3 -c "import json; print(max(1, int(json.load(open('$WORK/size-$middle/result.json'))['ordersPerSecond'] / 2)))")}
latency_orders=$(( rate * LATENCY_SECONDS ))
echo "== latency: $latency_orders orders at $rate orders/s (half the capacity measured at $middle orders)"
run_stack latency "$latency_orders" --rate "$rate" > /dev/null
python3 - "$WORK/latency/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"  submission → completed: p50 {r.get('latency_p50_ms', 0):.0f} ms, p95 {r.get('latency_p95_ms', 0):.0f} ms, p99 {r.get('latency_p99_ms', 0):.0f} ms")
PY

echo "== throughput by size"
python3 - "$WORK" $SIZES <<'PY'
import json, sys
work, sizes = sys.argv[1], sys.argv[2:]
figures = [(int(s), json.load(open(f"{work}/size-{s}/result.json"))["ordersPerSecond"]) for s in sizes]
base = figures[0][1]
for size, rate in figures:
    print(f"  {size:>6} orders: {rate:7.0f} orders/s ({(rate / base - 1) * 100:+.0f} % against {figures[0][0]})")
PY
