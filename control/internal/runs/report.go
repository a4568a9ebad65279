package runs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Report compares the targets of a run (pkg/compare) from the report records stored with it:
// throughput, latency over time, errors, a capacity search's sustained rates, report timings
// and verdicts. baseline names the target the others are compared with ("" for the first); a
// name that is no target of the run is an error wrapping compare.ErrUnknownBaseline. An active
// run is compared on what it has reported so far. A run stored before records were kept is
// compared on its final summary.
func (s *Service) Report(ctx context.Context, id, baseline string) (*compare.Report, error) {
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("report of run %s: %w", id, err)
	}
	stored, err := s.st.ListRunRecords(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("report of run %s: %w", id, err)
	}
	recs := make([]compare.Record, 0, len(stored)+2)
	started := false
	for _, r := range stored {
		v, err := report.Parse(r.Record)
		if err != nil {
			continue // a record type this control does not know
		}
		_, isStart := v.(*report.Start)
		started = started || isStart
		recs = append(recs, compare.Record{Loader: r.Loader, Value: v})
	}
	if !started {
		recs = append([]compare.Record{{Value: startOf(run)}}, recs...)
	}
	if len(stored) == 0 && len(run.Summary) > 0 {
		var sum report.Summary
		if json.Unmarshal(run.Summary, &sum) == nil {
			recs = append(recs, compare.Record{Value: &sum})
		}
	}
	rep, err := compare.Build(recs, compare.Options{Baseline: baseline, RunID: run.ID, Title: run.Name})
	if err != nil {
		return nil, fmt.Errorf("report of run %s: %w", id, err)
	}
	return rep, nil
}

// startOf stands in for the start record of a run whose records were not kept: what its config
// says about its targets and rate. Names only, never a token.
func startOf(run store.Run) *report.Start {
	c := run.Config
	st := &report.Start{Mode: run.Mode, TargetMode: c.TargetMode, VisitsPerDay: c.VisitsPerDay}
	st.Time = run.StartedAt
	for _, t := range c.EnabledTargets() {
		st.Targets = append(st.Targets, t.Name)
	}
	return st
}
