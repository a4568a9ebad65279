package live

import (
	"context"
	"sync/atomic"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Sender is the part of a Matomo client a live visit needs; *matomo.Client implements it.
type Sender interface {
	Track(ctx context.Context, r *matomo.Request) (matomo.Result, error)
	TrackBulk(ctx context.Context, rs []matomo.Request) (matomo.BulkResult, error)
}

var _ Sender = (*matomo.Client)(nil)

// target is one Matomo target with its live counters.
type target struct {
	cfg      config.Target
	send     Sender
	hasToken bool
	bulk     bool

	visitsStarted, visitsFinished, visitsDropped, visitsCapped  atomic.Int64
	hitsSent, hitsTracked, hitsInvalid, hitsFailed, hitsDropped atomic.Int64
	retries, orders, inFlight                                   atomic.Int64
	latency                                                     histogram
	byClass                                                     [5]atomic.Int64 // 2xx, 3xx, 4xx, 5xx, error
}

// counters returns the target's cumulative counters.
func (t *target) counters() report.Counters {
	return report.Counters{
		VisitsStarted: t.visitsStarted.Load(), VisitsFinished: t.visitsFinished.Load(),
		VisitsDropped: t.visitsDropped.Load(), VisitsCapped: t.visitsCapped.Load(),
		HitsSent: t.hitsSent.Load(), HitsTracked: t.hitsTracked.Load(), HitsInvalid: t.hitsInvalid.Load(),
		HitsFailed: t.hitsFailed.Load(), HitsDropped: t.hitsDropped.Load(),
		Retries: t.retries.Load(), Orders: t.orders.Load(),
	}
}

// statusClass maps an HTTP status (0 = no reply) to an index of byClass.
func statusClass(status int) int {
	switch {
	case status >= 200 && status < 300:
		return 0
	case status >= 300 && status < 400:
		return 1
	case status >= 400 && status < 500:
		return 2
	case status >= 500:
		return 3
	}
	return 4
}

// StatusClasses names the byClass buckets, for metrics labels.
var StatusClasses = [5]string{"2xx", "3xx", "4xx", "5xx", "error"}
