#!/usr/bin/env bash
# Live-mode benchmarks (make bench). Prints figures; asserts nothing.
#
#  1. Throughput against matomo-sink on loopback, sink and client pinned to one core each (taskset):
#     tracking requests per second and per CPU-second of the loader in two regimes — saturated
#     (long visits sent flat out) and paced (default visits started by the scheduler at 1,000/s, the
#     process idle between batches; also with one-page visits, for the per-visit/per-hit fit, and
#     with the default pauses between hits) — next to k6 (equivalent tracking GETs, fresh cid each,
#     flat out) and wrk (the raw-HTTP limit), with both ratios for both regimes, in the same run.
#  2. Rate accuracy: 1,000,000 visits/day for RATE_SECONDS (default 120 s): achieved vs target.
#  3. Memory: RSS with 10,000 visits in flight, per in-flight visit.
#
# Needs: taskset, wrk (apt-get install wrk), k6 (go install go.k6.io/k6@v1.8.1). Missing tools are
# reported and their rows skipped. Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}   # seconds per throughput row
RATE_SECONDS=${RATE_SECONDS:-120}
BIN=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$BIN"' EXIT

(cd loader && CGO_ENABLED=0 go build -o "$BIN/loader" ./cmd/loader && CGO_ENABLED=0 go build -o "$BIN/matomo-sink" ./cmd/matomo-sink)
# LOADER=path measures another loader binary (an older build, for a before/after comparison).
[ -n "${LOADER:-}" ] && cp "$LOADER" "$BIN/loader"
PORT=$(( 20000 + RANDOM % 20000 ))
SINK=http://127.0.0.1:$PORT
SINK_TOKEN=benchtoken0123456789abcdef012345 taskset -c 0 "$BIN/matomo-sink" -addr 127.0.0.1:$PORT -sites 1 >/dev/null 2>&1 &
for _ in $(seq 50); do curl -fs "$SINK/health" >/dev/null && break; sleep 0.1; done

requests() { curl -fs "$SINK/summary" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p' | head -1; }
hits() { curl -fs "$SINK/summary" | sed -n 's/.*"hits":\([0-9]*\).*/\1/p' | head -1; }
reset() { curl -fs -X POST "$SINK/reset" >/dev/null; }
# cpu_of OUT CMD...: runs CMD with its stdout in OUT, prints "user+sys seconds".
cpu_of() { local out=$1; shift; /usr/bin/env time -f '%U %S' -o "$BIN/time" "$@" >"$out" 2>/dev/null || true; awk '{print $1+$2}' "$BIN/time"; }

row() { printf '%-34s %10s %9s %10s %11s\n' "$@"; }
# summary_total FILE FIELD: a number from the total of the loader's summary record
summary_total() { grep -a '"type":"summary"' "$1" | grep -o '"total":{[^}]*}' | sed -n "s/.*\"$2\":\([0-9.e+-]*\).*/\1/p" | head -1; }
# loader NAME ENV...: runs the loader pinned to core 1 for DURATION, prints its row, keeps its summary
# in $BIN/NAME.jsonl and its requests and CPU seconds in REQ[NAME] and CPU[NAME]
declare -A REQ CPU PER_CPU
loader() {
  local name=$1; shift
  reset
  CPU[$name]=$(cpu_of "$BIN/$name.jsonl" env MATOMO_URL="$SINK/matomo.php" AUTO_STOP_AFTER_HOURS=$(awk "BEGIN{print $DURATION/3600}") \
    RANDOMIZE_VISITOR_COUNTRIES=false STATS_INTERVAL=1h LOG_LEVEL=ERROR SEED=1 "$@" taskset -c 1 "$BIN/loader")
  REQ[$name]=$(requests); PER_CPU[$name]=$(awk "BEGIN{printf \"%.0f\", ${REQ[$name]}/${CPU[$name]}}")
  row "$name" "${REQ[$name]}" "$(awk "BEGIN{printf \"%.0f\", ${REQ[$name]}/$DURATION}")" "${CPU[$name]}" "${PER_CPU[$name]}"
}
# rate_error NAME PERDAY: started visits against the target over the scheduling time
rate_error() {
  awk -v s="$(summary_total "$BIN/$1.jsonl" visits_started)" -v w="$(summary_total "$BIN/$1.jsonl" achieved_window_s)" -v r="$2" \
    'BEGIN{want=r*w/86400; printf "%.0f visits started in %.2f s, target %.1f: error %+.3f%%", s, w, want, (s-want)/want*100}'
}

echo "== 1. Throughput (${DURATION}s each, sink on core 0, client on core 1)"
row client requests req/s CPU-s req/CPU-s
# Saturated: visits of 20–30 page views sent flat out (POST), so that neither the rate ceiling of
# 100,000,000 visits/day nor per-visit work is the limit: the most requests a core can send.
loader "loader saturated (20-30 pv, POST)" TARGET_VISITS_PER_DAY=100000000 CONCURRENCY=64 PAGEVIEWS_MIN=20 PAGEVIEWS_MAX=30 \
  PAUSE_BETWEEN_PVS_MIN=0 PAUSE_BETWEEN_PVS_MAX=0
SAT="loader saturated (20-30 pv, POST)"
# Paced: what a user runs: default visit shapes (3–6 page views plus actions) started by the
# scheduler at 1,000 visits/s, GET without countries; the process idles between batches of work.
PACED="loader paced (default visits, GET)"
loader "$PACED" TARGET_VISITS_PER_DAY=86400000 CONCURRENCY=5000 TRACKING_TRANSPORT=get PAUSE_BETWEEN_PVS_MIN=0 PAUSE_BETWEEN_PVS_MAX=0
# The same pace with visits of one page view (plus actions): with the row above, two equations
# cost = a·visits + b·hits, for the cost of a visit and of a hit.
SHORT="loader paced (1-pv visits, GET)"
loader "$SHORT" TARGET_VISITS_PER_DAY=86400000 CONCURRENCY=5000 TRACKING_TRANSPORT=get PAGEVIEWS_MIN=1 PAGEVIEWS_MAX=1 \
  PAUSE_BETWEEN_PVS_MIN=0 PAUSE_BETWEEN_PVS_MAX=0
# Paced with the default pauses between hits (0.5–2 s): every hit waits on the scheduler's grid.
PAUSED="loader paced (default pauses, GET)"
loader "$PAUSED" TARGET_VISITS_PER_DAY=86400000 CONCURRENCY=10000 TRACKING_TRANSPORT=get

if command -v k6 >/dev/null || [ -x "$HOME/go/bin/k6" ]; then
  K6=$(command -v k6 || echo "$HOME/go/bin/k6")
  reset
  CPU[k6]=$(cpu_of /dev/null env SINK="$SINK/matomo.php" DURATION="${DURATION}s" taskset -c 1 "$K6" run --quiet --no-summary loader/bench/k6-tracking.js)
  REQ[k6]=$(requests); PER_CPU[k6]=$(awk "BEGIN{printf \"%.0f\", ${REQ[k6]}/${CPU[k6]}}")
  row "k6 (64 VUs, flat out)" "${REQ[k6]}" "$(awk "BEGIN{printf \"%.0f\", ${REQ[k6]}/$DURATION}")" "${CPU[k6]}" "${PER_CPU[k6]}"
else
  echo "k6 not found: go install go.k6.io/k6@v1.8.1"
fi

if command -v wrk >/dev/null; then
  reset
  CPU[wrk]=$(cpu_of /dev/null taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" -s loader/bench/wrk-tracking.lua "$SINK")
  REQ[wrk]=$(requests); PER_CPU[wrk]=$(awk "BEGIN{printf \"%.0f\", ${REQ[wrk]}/${CPU[wrk]}}")
  row "wrk (64 connections, flat out)" "${REQ[wrk]}" "$(awk "BEGIN{printf \"%.0f\", ${REQ[wrk]}/$DURATION}")" "${CPU[wrk]}" "${PER_CPU[wrk]}"
else
  echo "wrk not found: apt-get install wrk"
fi
for who in "$SAT" "$PACED"; do
  [ -n "${PER_CPU[k6]:-}" ] && echo "$who / k6  requests per CPU-second: $(awk "BEGIN{printf \"%.2f\", ${PER_CPU[$who]}/${PER_CPU[k6]}}")x (goal >= 3)"
  [ -n "${PER_CPU[wrk]:-}" ] && echo "$who / wrk requests per CPU-second: $(awk "BEGIN{printf \"%.2f\", ${PER_CPU[$who]}/${PER_CPU[wrk]}}")x (goal >= 0.3)"
done
echo "paced rate: $(rate_error "$PACED" 86400000)"
echo "paced rate with pauses: $(rate_error "$PAUSED" 86400000)"
# Two-point fit: CPU = a·visits + b·hits over the two paced runs without pauses (the start-up, a
# fixed ~0.2 s, is left in both: it shows up in a, the per-visit cost, as 0.2 s / 20,000 visits).
awk -v c1="${CPU[$PACED]}" -v h1="${REQ[$PACED]}" -v v1="$(summary_total "$BIN/$PACED.jsonl" visits_started)" \
    -v c2="${CPU[$SHORT]}" -v h2="${REQ[$SHORT]}" -v v2="$(summary_total "$BIN/$SHORT.jsonl" visits_started)" 'BEGIN{
  det = v1*h2 - v2*h1; if (det == 0) { print "two-point fit: degenerate"; exit }
  a = (c1*h2 - c2*h1)/det; b = (v1*c2 - v2*c1)/det
  printf "two-point fit (paced): %.1f us per visit + %.1f us per hit (%.2f and %.2f hits per visit)\n", a*1e6, b*1e6, h1/v1, h2/v2 }'

# THROUGHPUT_ONLY=1 stops here.
[ -n "${THROUGHPUT_ONLY:-}" ] && exit 0

echo "== 2. Rate accuracy: 1,000,000 visits/day for ${RATE_SECONDS}s"
reset
env MATOMO_URL="$SINK/matomo.php" TARGET_VISITS_PER_DAY=1000000 CONCURRENCY=2000 PAUSE_BETWEEN_PVS_MIN=0 \
  PAUSE_BETWEEN_PVS_MAX=0 AUTO_STOP_AFTER_HOURS=$(awk "BEGIN{print $RATE_SECONDS/3600}") RANDOMIZE_VISITOR_COUNTRIES=false \
  STATS_INTERVAL=1h LOG_LEVEL=ERROR "$BIN/loader" > "$BIN/rate.jsonl"
started=$(grep '"type":"summary"' "$BIN/rate.jsonl" | sed -n 's/.*"total":{[^}]*"visits_started":\([0-9]*\).*/\1/p')
awk -v s="$started" -v t="$RATE_SECONDS" 'BEGIN{want=1000000*t/86400; printf "target %.1f visits, started %d, error %+.3f%%\n", want, s, (s-want)/want*100}'

echo "== 3. Memory with 10,000 visits in flight"
reset
# No bounces and the original's visit lengths (pauses of 30-60 s): every visit stays in flight for
# minutes, so 10,000 are in flight at once (a bounce ends at once and is never in flight for long).
MATOMO_URL="$SINK/matomo.php" TARGET_VISITS_PER_DAY=100000000 CONCURRENCY=10000 PAUSE_BETWEEN_PVS_MIN=30 \
  PAUSE_BETWEEN_PVS_MAX=60 BOUNCE_PROBABILITY=0 VISIT_LENGTHS=uniform MAX_TOTAL_VISITS=10000 RANDOMIZE_VISITOR_COUNTRIES=false STATS_INTERVAL=1s SHUTDOWN_GRACE=0s \
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
read -r n2 r2 < <(rss_at 9900) # a few visits (crawlers, one-page visits) end before the last ones start
kill -TERM $LPID; wait $LPID || true
# The slope between two points leaves out what does not grow with visits (binary, catalogue, pools).
echo "RSS with $n2 visits in flight: $r2 KiB = $(awk -v b="$r2" -v n="$n2" 'BEGIN{ if (n>0) printf "%.1f", b/n; else printf "?" }') KiB per in-flight visit, all included (goal <= 20)"
echo "growth from $n1 to $n2 in flight: $(awk -v a="$r1" -v b="$r2" -v m="$n1" -v n="$n2" 'BEGIN{ if (n>m) printf "%.1f", (b-a)/(n-m); else printf "?" }') KiB per added visit"
