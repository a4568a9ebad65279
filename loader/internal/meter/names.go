package meter

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// namespace prefixes every metric name.
const namespace = "trafficinator"

// latencyHelp is the help of trafficinator_request_duration_seconds.
const latencyHelp = "Latency of tracking requests (a single hit, or a bulk batch) in seconds: the last attempt, " +
	"from sending to reading the reply. Live counts every request; backfill the batches Matomo answered."

// def is one counter or gauge read from a Target's atomic.
type def struct {
	desc  *prometheus.Desc
	typ   prometheus.ValueType
	value func(*Target) *atomic.Int64
}

func counter(name, help string, value func(*Target) *atomic.Int64) def {
	return def{newDesc(name, help), prometheus.CounterValue, value}
}

func gauge(name, help string, value func(*Target) *atomic.Int64) def {
	return def{newDesc(name, help), prometheus.GaugeValue, value}
}

func newDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, []string{"target"}, nil)
}

// defs are the counters and gauges of every target. Backfill-only ones stay 0 in live runs, and
// live-only ones in backfills.
var defs = []def{
	counter("visits_started_total", "Visits started (backfill: delivered).",
		func(t *Target) *atomic.Int64 { return &t.VisitsStarted }),
	counter("visits_finished_total", "Visits whose every hit was sent (backfill: delivered).",
		func(t *Target) *atomic.Int64 { return &t.VisitsFinished }),
	counter("visits_dropped_total", "Live visits never sent: due while CONCURRENCY visits were in flight, or found due too late.",
		func(t *Target) *atomic.Int64 { return &t.VisitsDropped }),
	counter("visits_capped_total", "Live visits held back by MAX_VISITS_PER_DAY.",
		func(t *Target) *atomic.Int64 { return &t.VisitsCapped }),
	counter("hits_sent_total", "Tracking requests sent (hits; a bulk request counts each of its hits).",
		func(t *Target) *atomic.Int64 { return &t.HitsSent }),
	counter("hits_tracked_total", "Hits Matomo recorded.",
		func(t *Target) *atomic.Int64 { return &t.HitsTracked }),
	counter("hits_invalid_total", "Hits Matomo rejected as invalid.",
		func(t *Target) *atomic.Int64 { return &t.HitsInvalid }),
	counter("hits_failed_total", "Hits without an answer after retries (network errors, 5xx, 429).",
		func(t *Target) *atomic.Int64 { return &t.HitsFailed }),
	counter("hits_dropped_total", "Bulk hits Matomo answered for but neither tracked nor rejected.",
		func(t *Target) *atomic.Int64 { return &t.HitsDropped }),
	counter("retries_total", "Requests sent again after a failed attempt.",
		func(t *Target) *atomic.Int64 { return &t.Retries }),
	counter("orders_total", "Ecommerce orders sent (backfill: delivered).",
		func(t *Target) *atomic.Int64 { return &t.Orders }),
	counter("bot_visits_total", "Crawler visits sent (BOT_PROBABILITY), which Matomo excludes; included in visits_started_total.",
		func(t *Target) *atomic.Int64 { return &t.BotVisits }),
	counter("bot_hits_total", "Hits of crawler visits, included in hits_sent_total.",
		func(t *Target) *atomic.Int64 { return &t.BotHits }),
	gauge("in_flight_visits", "Live visits in flight.",
		func(t *Target) *atomic.Int64 { return &t.InFlight }),
	counter("visits_landed_total", "Backfill visits of batches without a reply that the Live API found recorded, so not sent again.",
		func(t *Target) *atomic.Int64 { return &t.VisitsLanded }),
	counter("visits_maybe_duplicated_total", "Backfill visits sent again without the Live API confirming that the earlier post was not recorded.",
		func(t *Target) *atomic.Int64 { return &t.VisitsMaybeDuplicated }),
	counter("visits_maybe_missing_total", "Backfill visits given up on without knowing whether Matomo recorded them.",
		func(t *Target) *atomic.Int64 { return &t.VisitsMaybeMissing }),
	counter("batches_uncertain_total", "Backfill batches posted without a usable reply: Matomo may or may not have recorded them.",
		func(t *Target) *atomic.Int64 { return &t.BatchesUncertain }),
	counter("batches_settled_total", "Backfill batches without a reply whose fate the Live API settled.",
		func(t *Target) *atomic.Int64 { return &t.BatchesSettled }),
	gauge("concurrency_limit", "Current limit on requests in flight to the target; 0 when no per-target limit applies.",
		func(t *Target) *atomic.Int64 { return &t.Concurrency }),
}

var (
	intendedDesc = newDesc("target_visits_per_minute", "Intended visit rate now, per minute (live).")
	requestsDesc = prometheus.NewDesc(namespace+"_requests_total",
		"Tracking requests by the HTTP status class of their last reply (error: no reply).", []string{"target", "class"}, nil)
)
