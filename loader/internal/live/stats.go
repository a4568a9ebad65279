package live

import (
	"context"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// statsLoop prints a Stats record every interval, with per-interval rates and latency percentiles.
type statsLoop struct {
	e   *Engine
	win *meter.Window
}

func newStatsLoop(e *Engine) *statsLoop {
	return &statsLoop{e: e, win: e.meter.NewWindow(e.start)}
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
		st.Targets, st.Total = s.snapshot()
		if err := s.e.deps.Out.Write(report.TypeStats, &st); err != nil {
			s.e.deps.Log.Error("cannot write stats", "error", err.Error())
		}
		timer.Reset(every)
	}
}

// snapshot returns per-target and total stats, with rates and latencies over the time since the
// previous snapshot, and starts the next interval.
func (s *statsLoop) snapshot() ([]report.TargetStats, report.TargetStats) {
	now := s.e.deps.Clock.Now()
	elapsed := now.Sub(s.e.start)
	ivs := s.win.Advance(now)
	out := make([]report.TargetStats, len(s.e.targets))
	total := report.TargetStats{Target: "total"}
	for i, t := range s.e.targets {
		ts := report.TargetStats{Target: t.cfg.Name, Counters: t.m.Counters(), InFlight: t.m.InFlight.Load(),
			TargetPerMin: s.e.intendedPerMin(i, elapsed), AchievedPerMin: ivs[i].StartedPerMin,
			LatencyP50ms: ivs[i].P50ms, LatencyP95ms: ivs[i].P95ms}
		out[i] = ts
		total.Add(ts.Counters)
		total.InFlight += ts.InFlight
		total.TargetPerMin += ts.TargetPerMin
		total.AchievedPerMin += ts.AchievedPerMin
		total.LatencyP50ms = max(total.LatencyP50ms, ts.LatencyP50ms)
		total.LatencyP95ms = max(total.LatencyP95ms, ts.LatencyP95ms)
	}
	return out, total
}

// intendedPerMin is target i's intended visits per minute at elapsed: its share of the pacer's rate.
func (e *Engine) intendedPerMin(i int, elapsed time.Duration) float64 {
	return e.pacer.Rate(elapsed) * 60 * e.routes.Share(i)
}
