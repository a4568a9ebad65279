package backfill

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/trafficinator/trafficinator/loader/internal/adapt"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// client is what a backfill needs of a Matomo client.
type client interface {
	TrackBulk(ctx context.Context, reqs []matomo.Request) (matomo.BulkResult, error)
	LastVisits(ctx context.Context, siteID int, date string, visitorIDs []string) ([]matomo.Visit, error)
	InvalidateArchivedReports(ctx context.Context, siteIDs []int, dates []string) ([]string, error)
	Site(ctx context.Context, id int) (matomo.Site, error)
}

var _ client = (*matomo.Client)(nil)

// target is one Matomo target with this run's counters.
type target struct {
	idx      int
	cfg      config.Target
	client   client
	limiter  *rate.Limiter // nil: no BACKFILL_RPS_LIMIT
	limit    *adapt.Limiter
	hasToken bool

	visits, landed, maybeDup, maybeMissing, orders atomic.Int64
	hitsSent, tracked, invalid, dropped            atomic.Int64
	failed, retries, uncertain, settled            atomic.Int64
	latency                                        histogram
}

func newTarget(i int, t config.Target, c client, rps *float64, bulk int, limit adapt.Config) *target {
	tg := &target{idx: i, cfg: t, client: c, hasToken: t.Token != "", limit: adapt.New(limit)}
	if rps != nil && *rps > 0 {
		// The burst lets a full batch pass at once; the long-run rate is the limit.
		burst := max(bulk, int(math.Ceil(*rps)))
		tg.limiter = rate.NewLimiter(rate.Limit(*rps), burst)
	}
	return tg
}

// wait takes n tracking requests from the target's rate budget (BACKFILL_RPS_LIMIT counts
// requests, that is hits, not visits).
func (t *target) wait(ctx context.Context, n int) error {
	if t.limiter == nil {
		return nil
	}
	for n > 0 {
		k := min(n, t.limiter.Burst())
		if err := t.limiter.WaitN(ctx, k); err != nil {
			return fmt.Errorf("backfill: rate limit: %w", err)
		}
		n -= k
	}
	return nil
}

// stats returns the target's counters for a Summary.
func (t *target) stats(elapsed time.Duration) report.TargetStats {
	s := report.TargetStats{Target: t.cfg.Name, Counters: report.Counters{
		VisitsStarted: t.visits.Load(), VisitsFinished: t.visits.Load(),
		HitsSent: t.hitsSent.Load(), HitsTracked: t.tracked.Load(), HitsInvalid: t.invalid.Load(),
		HitsDropped: t.dropped.Load(), HitsFailed: t.failed.Load(), Retries: t.retries.Load(),
		Orders: t.orders.Load(),
	}}
	if m := elapsed.Minutes(); m > 0 {
		s.AchievedPerMin = float64(s.VisitsFinished) / m
	}
	s.LatencyP50ms, s.LatencyP95ms = t.latency.quantile(0.5), t.latency.quantile(0.95)
	return s
}

// histogram counts latencies in buckets growing by 2^(1/4) from 0.1 ms, enough for percentiles
// within 10%.
type histogram struct {
	buckets [96]atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	ms := d.Seconds() * 1000
	i := 0
	if ms > 0.1 {
		i = min(int(math.Log2(ms/0.1)*4)+1, len(h.buckets)-1)
	}
	h.buckets[i].Add(1)
}

// quantile returns the upper bound (ms) of the bucket holding quantile q; 0 without samples.
func (h *histogram) quantile(q float64) float64 {
	var total int64
	for i := range h.buckets {
		total += h.buckets[i].Load()
	}
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	var seen int64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			return math.Round(0.1*math.Pow(2, float64(i)/4)*100) / 100
		}
	}
	return 0
}
