package backfill

import (
	"context"
	"fmt"
	"math"
	"time"

	"golang.org/x/time/rate"

	"github.com/trafficinator/trafficinator/loader/internal/adapt"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// target is one Matomo target; this run's counters and latency are in m, shared with /metrics.
type target struct {
	idx      int
	cfg      config.Target
	client   engines.Client
	limiter  *rate.Limiter // nil: no BACKFILL_RPS_LIMIT
	limit    *adapt.Limiter
	hasToken bool
	m        *meter.Target
}

func newTarget(i int, t config.Target, c engines.Client, rps *float64, bulk int, limit adapt.Config, m *meter.Target) *target {
	tg := &target{idx: i, cfg: t, client: c, hasToken: t.Token != "", limit: adapt.New(limit), m: m}
	m.Concurrency.Store(int64(tg.limit.Limit()))
	if rps != nil && *rps > 0 {
		// The burst lets a full batch pass at once; the long-run rate is the limit.
		burst := max(bulk, int(math.Ceil(*rps)))
		tg.limiter = rate.NewLimiter(rate.Limit(*rps), burst)
	}
	return tg
}

// wait takes n tracking requests from the target's rate budget (BACKFILL_RPS_LIMIT counts
// requests, that is hits, not visits), waiting on clock for them.
func (t *target) wait(ctx context.Context, clock engines.Clock, n int) error {
	if t.limiter == nil {
		return nil
	}
	for n > 0 {
		k := min(n, t.limiter.Burst())
		now := clock.Now()
		r := t.limiter.ReserveN(now, k) // k ≤ burst: always granted
		if err := engines.Wait(ctx, clock, r.DelayFrom(now)); err != nil {
			r.CancelAt(clock.Now())
			return fmt.Errorf("backfill: rate limit: %w", err)
		}
		n -= k
	}
	return nil
}

// stats returns the target's counters for a Summary, with the whole run's latency percentiles.
func (t *target) stats(elapsed time.Duration) report.TargetStats {
	s := report.TargetStats{Target: t.cfg.Name, Counters: t.m.Counters()}
	if m := elapsed.Minutes(); m > 0 {
		s.AchievedPerMin = float64(s.VisitsFinished) / m
	}
	s.AchievedWindowS, s.AchievedSinceStartPerMin = elapsed.Seconds(), s.AchievedPerMin
	s.LatencyP50ms, s.LatencyP95ms = t.m.Quantile(0.5), t.m.Quantile(0.95)
	return s
}
