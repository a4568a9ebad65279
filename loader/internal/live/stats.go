package live

import (
	"context"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// statsLoop prints a Stats record every interval, with per-interval rates and latency percentiles.
type statsLoop struct {
	e       *Engine
	last    time.Time
	started []int64
	hist    [][latencyBuckets]int64
}

func newStatsLoop(e *Engine) *statsLoop {
	s := &statsLoop{e: e, last: e.start, started: make([]int64, len(e.targets)), hist: make([][latencyBuckets]int64, len(e.targets))}
	return s
}

func (s *statsLoop) run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	timer := s.e.deps.Clock.NewTimer(every)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C():
		}
		now := s.e.deps.Clock.Now()
		st := report.Stats{Elapsed: now.Sub(s.e.start).Seconds()}
		st.Targets, st.Total = s.snapshot(true)
		if err := s.e.deps.Out.Write(report.TypeStats, &st); err != nil {
			s.e.deps.Log.Error("cannot write stats", "error", err.Error())
		}
		timer.Reset(every)
	}
}

// snapshot returns per-target and total stats. With advance, rates and latencies cover the time since
// the previous snapshot; otherwise since the start.
func (s *statsLoop) snapshot(advance bool) ([]report.TargetStats, report.TargetStats) {
	now := s.e.deps.Clock.Now()
	minutes := now.Sub(s.last).Minutes()
	elapsed := now.Sub(s.e.start)
	s.e.spreadCapped(s.e.sched.Stats().Capped) // the scheduler counts them; the records show them per target
	out := make([]report.TargetStats, len(s.e.targets))
	total := report.TargetStats{Target: "total"}
	share := s.shares()
	for i, t := range s.e.targets {
		c := t.counters()
		cur := t.latency.snapshot()
		ts := report.TargetStats{Target: t.cfg.Name, Counters: c, InFlight: t.inFlight.Load(),
			TargetPerMin: s.e.pacer.Rate(elapsed) * 60 * share[i],
			LatencyP50ms: quantile(&s.hist[i], &cur, 0.50),
			LatencyP95ms: quantile(&s.hist[i], &cur, 0.95)}
		if minutes > 0 {
			ts.AchievedPerMin = float64(c.VisitsStarted-s.started[i]) / minutes
		}
		if advance {
			s.started[i], s.hist[i] = c.VisitsStarted, cur
		}
		out[i] = ts
		total.Counters.Add(c)
		total.InFlight += ts.InFlight
		total.TargetPerMin += ts.TargetPerMin
		total.AchievedPerMin += ts.AchievedPerMin
		total.LatencyP50ms = max(total.LatencyP50ms, ts.LatencyP50ms)
		total.LatencyP95ms = max(total.LatencyP95ms, ts.LatencyP95ms)
	}
	if advance {
		s.last = now
	}
	return out, total
}

// shares is each target's expected share of the visits: 1 each in mirror mode, by weight otherwise.
func (s *statsLoop) shares() []float64 {
	out := make([]float64, len(s.e.targets))
	total := 0.0
	for _, w := range s.e.weights {
		total += w
	}
	for i := range out {
		if s.e.cfg.TargetMode == "mirror" || len(out) == 1 {
			out[i] = 1
		} else {
			out[i] = s.e.weights[i] / total
		}
	}
	return out
}
