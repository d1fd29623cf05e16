#!/usr/bin/env bash
# rest_bench: ledgerflowd's REST throughput and latency, measured with wrk (Debian) over
# 32 keep-alive connections on loopback, against a daemon on a fresh file database with
# synchronous=FULL and the rate limit off.
#
#   bench/rest_bench.sh [--seconds N] [--connections C]
#
# Prints requests/s and p50/p99 for GET /v1/instances/{id} and for durable starts
# (POST /v1/workflows/{name}/instances, answered after COMMIT), and compares them with the
# goals (>= 20,000 GETs/s, >= 5,000 starts/s, p99 < 10 ms) and with Temporal Cloud's
# published start latency (p99 78 ms). wrk and the daemon share the machine's cores, so
# the figures are a lower bound of what the daemon does alone.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10
connections=32
while [[ $# -gt 0 ]]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "rest_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
scripts/setup
[[ -x build/bin/ledgerflowd ]] || scripts/build
work=$(mktemp -d /tmp/lf_rest_bench.XXXXXX)
mkdir -p "$work/workflows"
cp bench/rest/auto_invoice.yaml "$work/workflows/"
build/bin/ledgerflowd --demo --listen 127.0.0.1:0 --db "$work/bench.db" \
  --workflows "$work/workflows" --models "$work/models" --log-level warn \
  --set limits.rate_per_second=0 >"$work/out" 2>"$work/err" &
pid=$!
cleanup() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$work/out")
[[ -n $url ]] || { echo "rest_bench: the daemon did not start:"; cat "$work/err"; exit 1; }

id=$(curl -sf -X POST "$url/v1/workflows/rest_bench_invoice/instances" \
  -H 'Authorization: Bearer lf-demo-alice' -d '{"invoice": {"id": "I-1", "amount": 10}}' |
  grep -o '"id":"[0-9]\{13\}-[^"]*"' | head -1 | cut -d'"' -f4)
[[ -n $id ]] || { echo "rest_bench: could not start an instance"; exit 1; }

run() {  # name script -> prints "name rps p50_ms p99_ms"
  local name=$1 script=$2 out
  out=$(LF_INSTANCE_PATH="/v1/instances/$id" wrk -t2 -c"$connections" -d"${seconds}s" \
    --latency -s "$script" "$url" 2>&1)
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/non-2..? responses/ {print $NF}' <<<"$out")
  to_ms() { awk -v v="$1" 'BEGIN { u = v; gsub(/[0-9.]/, "", u); n = v + 0;
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.2f", n }'; }
  printf "%-34s %10.0f %9s %9s %8s\n" "$name" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "${bad:-?}"
}

echo "rest_bench: $connections keep-alive connections, ${seconds}s each, wrk -t2, $(nproc) cores shared"
printf "%-34s %10s %9s %9s %8s\n" "request" "req/s" "p50 ms" "p99 ms" "errors"
get_line=$(run "GET /v1/instances/{id}" bench/rest/get_instance.lua)
echo "$get_line"
post_line=$(run "POST .../instances (durable start)" bench/rest/post_start.lua)
echo "$post_line"
started=$(curl -sf "$url/metrics" | awk '/^ledgerflow_store_commits_total/ {c=$2} /^ledgerflow_store_write_sets_total/ {w=$2} END {if (c > 0) printf "%.1f", w / c}')
echo "mean write sets per commit during the run: ${started:-?}"
echo
get_rps=$(awk '{print $(NF-3)}' <<<"$get_line")
post_rps=$(awk '{print $(NF-3)}' <<<"$post_line")
post_p99=$(awk '{print $(NF-1)}' <<<"$post_line")
awk -v g="$get_rps" -v p="$post_rps" -v q="$post_p99" 'BEGIN {
  printf "against the goals: GET %.0f/s of 20000 (%s), durable starts %.0f/s of 5000 (%s), start p99 %.2f ms of 10 (%s)\n",
    g, (g >= 20000 ? "met" : "NOT met"), p, (p >= 5000 ? "met" : "NOT met"), q, (q < 10 ? "met" : "NOT met")
  printf "Temporal Cloud publishes a p99 of 78 ms for starting a workflow: ratio %.1fx\n", 78 / q
}'
