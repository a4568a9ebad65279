package live

import (
	"context"
	"fmt"
	"sync"

	"github.com/trafficinator/trafficinator/loader/internal/capacity"
	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// ReasonSearchDone is the summary reason of a live run that ended because its capacity search
// did (every target broke, the highest rate held, the stages ran, ...; the verdict says which).
const ReasonSearchDone = "search_done"

// setUpSearch prepares a capacity search, when CAPACITY_SEARCH asks for one: the ramp the pacer
// follows, starting at the first step's rate, and the search that moves it.
func (e *Engine) setUpSearch() error {
	cp := e.cfg.Capacity
	if !cp.Enabled() {
		return nil
	}
	names := make([]string, len(e.targets))
	for i, t := range e.targets {
		names[i] = t.cfg.Name
	}
	s, err := capacity.New(cp, names)
	if err != nil {
		return err
	}
	first := cp.StartPerDay
	if cp.Search == config.SearchStages {
		stages, _ := config.ParseStages(cp.Stages) // capacity.New parsed them already
		first = stages[0].VisitsPerDay
	}
	e.ramp, e.search = pace.NewRamp(first), s
	return nil
}

// side is what runs beside the scheduler: the capacity search and the report-timing probe.
type side struct {
	e      *Engine
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startSide starts the search and the probe, when configured, until the side is finished.
func (e *Engine) startSide(ctx context.Context) *side {
	sctx, cancel := context.WithCancel(ctx)
	s := &side{e: e, cancel: cancel}
	if e.search != nil {
		r := &capacity.Runner{Search: e.search, Ramp: e.ramp, Meter: e.meter, Clock: e.deps.Clock, Start: e.start,
			Warmup: e.cfg.Capacity.Warmup, Out: e.deps.Out, Log: e.deps.Log}
		s.wg.Go(func() { r.Run(sctx) })
	}
	if p := e.deps.Probe; p != nil {
		s.wg.Go(func() {
			p.Run(sctx, func() float64 { return e.pacer.Rate(e.deps.Clock.Now().Sub(e.start)) * pace.SecondsPerDay })
		})
	}
	return s
}

// finish stops the search and the probe's rounds under load, makes the probe's rounds after the
// load (unless ctx, the run's, was cancelled), and prints the capacity verdict.
func (s *side) finish(ctx context.Context) error {
	s.cancel()
	s.wg.Wait()
	e := s.e
	if e.deps.Probe != nil {
		e.deps.Probe.After(ctx)
	}
	if e.search == nil {
		return nil
	}
	v := e.search.Verdict()
	for i := range v.Targets {
		if e.deps.Probe != nil {
			v.Targets[i].Probes = e.deps.Probe.Stats(v.Targets[i].Target)
		}
		e.deps.Log.Info(describe(v.Targets[i]), "target", v.Targets[i].Target,
			"sustained_visits_per_day", v.Targets[i].SustainedVisitsPerDay, "sustained_hits_per_s", v.Targets[i].SustainedHitsPerSec,
			"broke_at_visits_per_day", v.Targets[i].BrokeAt, "why", v.Targets[i].Why)
	}
	if v.Best != "" {
		e.deps.Log.Info("capacity search: "+v.Best+" sustained the highest rate", "best", v.Best, "reason", v.Reason, "steps", v.Steps)
	}
	if err := e.deps.Out.Write(report.TypeVerdict, &v); err != nil {
		return fmt.Errorf("live: write the verdict: %w", err)
	}
	return nil
}

// describe is a target's verdict as one line of the CLI summary.
func describe(tv report.TargetVerdict) string {
	msg := "capacity: " + tv.Target
	if tv.Held {
		msg += fmt.Sprintf(" sustained %s visits/day (%.1f hits/s)", capacity.Rate(tv.SustainedVisitsPerDay), tv.SustainedHitsPerSec)
	} else {
		msg += " held no step"
	}
	return msg + "; " + tv.Why // "p95 412 ms > 300 ms at 1,500,000 visits/day", or why it did not break
}
