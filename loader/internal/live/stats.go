package live

import (
	"context"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// statsLoop prints a Stats record every interval, with rates over the last minute and since the
// start, and latency percentiles over the interval.
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

// snapshot returns per-target and total stats, with latencies over the time since the previous
// snapshot and rates over the last minute and since the start, and starts the next interval.
func (s *statsLoop) snapshot() ([]report.TargetStats, report.TargetStats) {
	now := s.e.deps.Clock.Now()
	elapsed := now.Sub(s.e.start)
	ivs := s.win.Advance(now)
	out := make([]report.TargetStats, len(s.e.targets))
	for i, t := range s.e.targets {
		out[i] = report.TargetStats{Target: t.cfg.Name, Counters: t.m.Counters(), InFlight: t.m.InFlight.Load(),
			TargetPerMin: s.e.intendedPerMin(i, elapsed), AchievedPerMin: ivs[i].StartedPerMin,
			AchievedWindowS: ivs[i].RateSpan.Seconds(), AchievedSinceStartPerMin: ivs[i].SinceStartPerMin,
			LatencyP50ms: ivs[i].P50ms, LatencyP95ms: ivs[i].P95ms}
	}
	return out, report.Total(out)
}

// wholeRun sets a summary's rates to the visits started over the whole scheduling time (elapsed),
// the figure to hold against the target rate.
func wholeRun(ts *report.TargetStats, elapsed time.Duration) {
	ts.AchievedWindowS, ts.AchievedPerMin = elapsed.Seconds(), 0
	if m := elapsed.Minutes(); m > 0 {
		ts.AchievedPerMin = float64(ts.VisitsStarted) / m
	}
	ts.AchievedSinceStartPerMin = ts.AchievedPerMin
}

// intendedPerMin is target i's intended visits per minute at elapsed: its share of the pacer's rate.
func (e *Engine) intendedPerMin(i int, elapsed time.Duration) float64 {
	return e.pacer.Rate(elapsed) * 60 * e.routes.Share(i)
}
