// Package meter holds one run's counters and latency per target, shared by the live and backfill
// engines and exposed to Prometheus.
//
// Engines add to a Target's exported atomics and call Observe and Status; nothing is counted
// twice. The stats records (pkg/report) and /metrics read the same values: the counters when
// asked, and the latency from one real Prometheus histogram per target, which a Window reads
// interval by interval for the stats records' percentiles.
package meter

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Classes are the status classes of requests_total, in the order Status counts them: "error" is a
// request that got no reply.
var Classes = [5]string{"2xx", "3xx", "4xx", "5xx", "error"}

// Buckets are the upper bounds (seconds) of the latency histogram: exponential from 0.5 ms by a
// factor of 1.25 up to 133 s, past any sensible HTTP_TIMEOUT. A quantile interpolated within a
// bucket is exact to the bucket, and a few percent off when latencies spread over several buckets.
var Buckets = prometheus.ExponentialBuckets(0.0005, 1.25, 57)

// Target is one Matomo target's counters for a run. Engines add to the exported atomics directly.
// Targets are made by NewSet.
type Target struct {
	// Name is the target's name from the config, the value of the metrics' target label.
	Name string

	VisitsStarted, VisitsFinished, VisitsDropped, VisitsCapped  atomic.Int64
	HitsSent, HitsTracked, HitsInvalid, HitsFailed, HitsDropped atomic.Int64
	Retries, Orders, InFlight                                   atomic.Int64
	// BotVisits and BotHits count the crawler visits (and their hits) among those sent.
	BotVisits, BotHits atomic.Int64

	// Backfill only: visits of batches without a reply that the Live API found recorded, visits
	// sent again without that confirmation, and visits given up on without knowing whether they
	// were recorded; batches posted without a usable reply, and such batches settled.
	VisitsLanded, VisitsMaybeDuplicated, VisitsMaybeMissing atomic.Int64
	BatchesUncertain, BatchesSettled                        atomic.Int64
	// DropsBlamed counts the live visits dropped because this target held the most visits in
	// flight: in mirror mode a visit holds its slot until every target answered, so a drop is the
	// slowest target's doing, though every target misses the visit (VisitsDropped). A capacity
	// search judges a target's dropped share by it. Not served on /metrics.
	DropsBlamed atomic.Int64
	// Concurrency is the current limit on requests in flight to this target (a gauge); 0 when
	// no per-target limit applies.
	Concurrency atomic.Int64

	latency  prometheus.Histogram
	classes  [len(Classes)]atomic.Int64
	intended atomic.Pointer[func() float64]
}

func newTarget(name string) *Target {
	return &Target{Name: name, latency: prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Name: "request_duration_seconds", Help: latencyHelp,
		ConstLabels: prometheus.Labels{"target": name}, Buckets: Buckets,
	})}
}

// Observe records the latency of one request (a single hit or a bulk batch).
func (t *Target) Observe(d time.Duration) {
	t.latency.Observe(d.Seconds())
}

// Status counts one request by the HTTP status class of its reply; code 0 means no reply.
func (t *Target) Status(code int) {
	t.classes[classOf(code)].Add(1)
}

// StatusOf counts one request known only by its error, as a bulk request is: nil is a 2xx, a
// *matomo.StatusError its code's class, and any other error no reply.
func (t *Target) StatusOf(err error) {
	var se *matomo.StatusError
	switch {
	case err == nil:
		t.Status(200)
	case errors.As(err, &se):
		t.Status(se.Code)
	default:
		t.Status(0)
	}
}

// classOf maps an HTTP status (0: no reply) to an index of Classes.
func classOf(code int) int {
	switch {
	case code >= 200 && code < 300:
		return 0
	case code >= 300 && code < 400:
		return 1
	case code >= 400 && code < 500:
		return 2
	case code >= 500:
		return 3
	}
	return 4
}

// StatusCounts returns the requests counted by Status so far, by class, in the order of Classes.
func (t *Target) StatusCounts() [len(Classes)]int64 {
	var out [len(Classes)]int64
	for i := range t.classes {
		out[i] = t.classes[i].Load()
	}
	return out
}

// Counters returns the target's cumulative counters.
func (t *Target) Counters() report.Counters {
	return report.Counters{
		VisitsStarted: t.VisitsStarted.Load(), VisitsFinished: t.VisitsFinished.Load(),
		VisitsDropped: t.VisitsDropped.Load(), VisitsCapped: t.VisitsCapped.Load(),
		HitsSent: t.HitsSent.Load(), HitsTracked: t.HitsTracked.Load(), HitsInvalid: t.HitsInvalid.Load(),
		HitsFailed: t.HitsFailed.Load(), HitsDropped: t.HitsDropped.Load(),
		Retries: t.Retries.Load(), Orders: t.Orders.Load(),
		BotVisits: t.BotVisits.Load(), BotHits: t.BotHits.Load(),
	}
}

// SetIntendedRate makes /metrics report f() as the target's intended visits per minute, read
// when scraped. Without it, the gauge is left out.
func (t *Target) SetIntendedRate(f func() float64) {
	t.intended.Store(&f)
}

// Quantile returns the q-quantile (0..1) of every latency observed so far, in milliseconds; 0
// without observations.
func (t *Target) Quantile(q float64) float64 {
	return quantileMs(t.mark(), mark{}, q)
}
