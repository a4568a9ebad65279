package capacity

import (
	"context"
	"log/slog"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Runner drives a Search in time: for each step it sets the rate on Ramp, lets the warm-up pass,
// measures the rest of the step from Meter, and prints the Step and Threshold records. When the
// search is over (or ctx ends), it ends Ramp's schedule, so the scheduler stops and the visits
// in flight finish.
type Runner struct {
	Search *Search
	Ramp   *pace.Ramp
	Meter  *meter.Set
	// Clock and Start are the run's: the Ramp's elapsed 0 is Start.
	Clock  engines.Clock
	Start  time.Time
	Warmup time.Duration
	Out    *report.Writer
	Log    *slog.Logger
}

// snap is one target's cumulative counts at an instant.
type snap struct {
	c       report.Counters
	classes [len(meter.Classes)]int64
	blamed  int64
}

func (r *Runner) snaps() []snap {
	out := make([]snap, len(r.Meter.Targets()))
	for i, t := range r.Meter.Targets() {
		out[i] = snap{c: t.Counters(), classes: t.StatusCounts(), blamed: t.DropsBlamed.Load()}
	}
	return out
}

// Run runs the search until it ends or ctx is cancelled (then the search ends as stopped).
func (r *Runner) Run(ctx context.Context) {
	defer func() { r.Ramp.End(r.Clock.Now().Sub(r.Start)) }()
	for {
		st, ok := r.Search.Next()
		if !ok {
			return
		}
		dur := time.Duration(st.Duration * float64(time.Second))
		at := r.Clock.Now().Sub(r.Start)
		if st.Ramp {
			r.Ramp.RampTo(at, dur, st.VisitsPerDay)
		} else {
			r.Ramp.Hold(at, st.VisitsPerDay)
		}
		r.Log.Info("capacity step", "step", st.Index, "phase", st.Phase, "visits_per_day", st.VisitsPerDay, "seconds", st.Duration)
		warm := min(r.Warmup, dur)
		if engines.Wait(ctx, r.Clock, warm) != nil {
			r.Search.Stop()
			return
		}
		from, t0 := r.snaps(), r.Clock.Now()
		win := r.Meter.NewWindow(t0)
		if engines.Wait(ctx, r.Clock, dur-warm) != nil {
			r.Search.Stop()
			return
		}
		t1 := r.Clock.Now()
		ivs, to := win.Advance(t1), r.snaps()
		ms := make([]Measure, len(to))
		for i := range to {
			ms[i] = measure(from[i], to[i], ivs[i], t1.Sub(t0))
		}
		steps, ths := r.Search.Record(st, ms)
		for i := range ths {
			r.logWrite(r.Out.Write(report.TypeThreshold, &ths[i]))
			r.Log.Warn("threshold broken", "target", ths[i].Target, "step", st.Index, "visits_per_day", st.VisitsPerDay,
				"threshold", ths[i].Threshold, "observed", ths[i].Observed, "limit", ths[i].Limit)
		}
		for i := range steps {
			r.logWrite(r.Out.Write(report.TypeStep, &steps[i]))
		}
	}
}

func (r *Runner) logWrite(err error) {
	if err != nil {
		r.Log.Error("cannot write a capacity record", "error", err.Error())
	}
}

// class5xx is the index of "5xx" in meter.Classes.
const class5xx = 3

// measure is what a target did between two snaps.
func measure(a, b snap, iv meter.Interval, d time.Duration) Measure {
	m := Measure{Seconds: d.Seconds(), P50ms: iv.P50ms, P95ms: iv.P95ms, P99ms: iv.P99ms}
	m.VisitsStarted = b.c.VisitsStarted - a.c.VisitsStarted
	m.VisitsDue = m.VisitsStarted + b.c.VisitsDropped - a.c.VisitsDropped
	m.VisitsDropped = b.blamed - a.blamed
	m.HitsSent = b.c.HitsSent - a.c.HitsSent
	m.HitsErrors = b.c.HitsFailed - a.c.HitsFailed + b.c.HitsInvalid - a.c.HitsInvalid
	m.HitsAnswered = m.HitsErrors + b.c.HitsTracked - a.c.HitsTracked + b.c.HitsDropped - a.c.HitsDropped
	for i := range b.classes {
		m.Requests += b.classes[i] - a.classes[i]
	}
	m.Status5xx = b.classes[class5xx] - a.classes[class5xx]
	return m
}
