#!/usr/bin/env bash
# Live-mode benchmarks (make bench). Prints figures; asserts nothing.
#
#  1. Throughput: pauses 0, against matomo-sink on loopback, sink and client pinned to one core each
#     (taskset). Tracking requests per second and per CPU-second of the loader (generating realistic
#     visits), k6 (equivalent tracking GETs, fresh cid each) and wrk (raw-HTTP limit), with ratios.
#  2. Rate accuracy: 1,000,000 visits/day for RATE_SECONDS (default 120 s): achieved vs target.
#  3. Memory: RSS with 10,000 visits in flight, per in-flight visit.
#
# Needs: taskset, wrk (apt-get install wrk), k6 (go install go.k6.io/k6@v1.8.1). Missing tools are
# reported and their rows skipped. Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
RATE_SECONDS=${RATE_SECONDS:-120}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT

(cd loader && CGO_ENABLED=0 go build -o "$BIN/loader" ./cmd/loader && CGO_ENABLED=0 go build -o "$BIN/matomo-sink" ./cmd/matomo-sink)
PORT=$(( 20000 + RANDOM % 20000 ))
SINK=http://127.0.0.1:$PORT
SINK_TOKEN=benchtoken0123456789abcdef012345 taskset -c 0 "$BIN/matomo-sink" -addr 127.0.0.1:$PORT -sites 1 >/dev/null 2>&1 &
for _ in $(seq 50); do curl -fs "$SINK/health" >/dev/null && break; sleep 0.1; done

requests() { curl -fs "$SINK/summary" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p' | head -1; }
hits() { curl -fs "$SINK/summary" | sed -n 's/.*"hits":\([0-9]*\).*/\1/p' | head -1; }
reset() { curl -fs -X POST "$SINK/reset" >/dev/null; }
# cpu_of CMD...: runs CMD, prints "user+sys seconds".
cpu_of() { /usr/bin/env time -f '%U %S' -o "$BIN/time" "$@" >/dev/null 2>&1 || true; awk '{print $1+$2}' "$BIN/time"; }

row() { printf '%-8s %12s %14s %16s\n' "$@"; }
echo "== 1. Throughput (${DURATION}s each, sink on core 0, client on core 1)"
row client requests req/s req/CPU-s
declare -A PER_CPU

reset
# Visits of 20–30 page views, so that the rate ceiling of 100,000,000 visits/day is not the limit.
cpu=$(cpu_of env MATOMO_URL="$SINK/matomo.php" TARGET_VISITS_PER_DAY=100000000 CONCURRENCY=64 PAGEVIEWS_MIN=20 PAGEVIEWS_MAX=30 \
  PAUSE_BETWEEN_PVS_MIN=0 PAUSE_BETWEEN_PVS_MAX=0 AUTO_STOP_AFTER_HOURS=$(awk "BEGIN{print $DURATION/3600}") \
  RANDOMIZE_VISITOR_COUNTRIES=false STATS_INTERVAL=1h LOG_LEVEL=ERROR taskset -c 1 "$BIN/loader")
n=$(requests); PER_CPU[loader]=$(awk "BEGIN{printf \"%.0f\", $n/$cpu}")
row loader "$n" "$(awk "BEGIN{printf \"%.0f\", $n/$DURATION}")" "${PER_CPU[loader]}"

if command -v k6 >/dev/null || [ -x "$HOME/go/bin/k6" ]; then
  K6=$(command -v k6 || echo "$HOME/go/bin/k6")
  reset
  cpu=$(cpu_of env SINK="$SINK/matomo.php" DURATION="${DURATION}s" taskset -c 1 "$K6" run --quiet --no-summary loader/bench/k6-tracking.js)
  n=$(requests); PER_CPU[k6]=$(awk "BEGIN{printf \"%.0f\", $n/$cpu}")
  row k6 "$n" "$(awk "BEGIN{printf \"%.0f\", $n/$DURATION}")" "${PER_CPU[k6]}"
else
  echo "k6 not found: go install go.k6.io/k6@v1.8.1"
fi

if command -v wrk >/dev/null; then
  reset
  cpu=$(cpu_of taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" -s loader/bench/wrk-tracking.lua "$SINK")
  n=$(requests); PER_CPU[wrk]=$(awk "BEGIN{printf \"%.0f\", $n/$cpu}")
  row wrk "$n" "$(awk "BEGIN{printf \"%.0f\", $n/$DURATION}")" "${PER_CPU[wrk]}"
else
  echo "wrk not found: apt-get install wrk"
fi
[ -n "${PER_CPU[k6]:-}" ] && echo "loader / k6  requests per CPU-second: $(awk "BEGIN{printf \"%.2f\", ${PER_CPU[loader]}/${PER_CPU[k6]}}")x (goal >= 3)"
[ -n "${PER_CPU[wrk]:-}" ] && echo "loader / wrk requests per CPU-second: $(awk "BEGIN{printf \"%.2f\", ${PER_CPU[loader]}/${PER_CPU[wrk]}}")x (goal >= 0.3)"

echo "== 2. Rate accuracy: 1,000,000 visits/day for ${RATE_SECONDS}s"
reset
env MATOMO_URL="$SINK/matomo.php" TARGET_VISITS_PER_DAY=1000000 CONCURRENCY=2000 PAUSE_BETWEEN_PVS_MIN=0 \
  PAUSE_BETWEEN_PVS_MAX=0 AUTO_STOP_AFTER_HOURS=$(awk "BEGIN{print $RATE_SECONDS/3600}") RANDOMIZE_VISITOR_COUNTRIES=false \
  STATS_INTERVAL=1h LOG_LEVEL=ERROR "$BIN/loader" > "$BIN/rate.jsonl"
started=$(grep '"type":"summary"' "$BIN/rate.jsonl" | sed -n 's/.*"total":{[^}]*"visits_started":\([0-9]*\).*/\1/p')
awk -v s="$started" -v t="$RATE_SECONDS" 'BEGIN{want=1000000*t/86400; printf "target %.1f visits, started %d, error %+.3f%%\n", want, s, (s-want)/want*100}'

echo "== 3. Memory with 10,000 visits in flight"
reset
MATOMO_URL="$SINK/matomo.php" TARGET_VISITS_PER_DAY=100000000 CONCURRENCY=10000 PAUSE_BETWEEN_PVS_MIN=30 \
  PAUSE_BETWEEN_PVS_MAX=60 MAX_TOTAL_VISITS=10000 RANDOMIZE_VISITOR_COUNTRIES=false STATS_INTERVAL=1s SHUTDOWN_GRACE=0s \
  LOG_LEVEL=ERROR "$BIN/loader" > "$BIN/mem.jsonl" 2>/dev/null &
LPID=$!
rss_at() { # rss_at N: RSS (KiB) once N visits are in flight; prints "inflight rss"
  for _ in $(seq 240); do
    sleep 0.25
    inflight=$(tail -n 3 "$BIN/mem.jsonl" | { grep -a '"type":"stats"' || true; } | tail -1 | sed -n 's/.*"total":{.*"in_flight":\([0-9]*\).*/\1/p')
    if [ "${inflight:-0}" -ge "$1" ]; then echo "$inflight $(awk '/VmRSS/{print $2}' /proc/$LPID/status)"; return; fi
  done
  echo "0 0"
}
read -r n1 r1 < <(rss_at 2000)
read -r n2 r2 < <(rss_at 10000)
kill -TERM $LPID; wait $LPID || true
# The slope between two points leaves out what does not grow with visits (binary, catalogue, pools).
echo "RSS with $n2 visits in flight: $r2 KiB = $(awk -v b="$r2" -v n="$n2" 'BEGIN{ if (n>0) printf "%.1f", b/n; else printf "?" }') KiB per in-flight visit, all included (goal <= 20)"
echo "growth from $n1 to $n2 in flight: $(awk -v a="$r1" -v b="$r2" -v m="$n1" -v n="$n2" 'BEGIN{ if (n>m) printf "%.1f", (b-a)/(n-m); else printf "?" }') KiB per added visit"
