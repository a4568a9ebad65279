package runs

import (
	"testing"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// The run's summary sums its loaders' summaries like their stats: the total is named "total", as
// in every loader record, and carries the loaders' whole-run rates, summed (they ran side by
// side). It had "target":"" and rates of 0. Counters of earlier processes of a restarted loader
// add to the counts, not to the rates.
func TestSummaryTotals(t *testing.T) {
	loader := func(started int64, perMin float64) *report.Summary {
		ts := report.TargetStats{Target: "a", Counters: report.Counters{VisitsStarted: started, HitsSent: 3 * started},
			TargetPerMin: 10, AchievedPerMin: perMin, AchievedWindowS: 600, AchievedSinceStartPerMin: perMin,
			LatencyP50ms: 4, LatencyP95ms: perMin}
		total := ts
		total.Target = "total"
		return &report.Summary{Mode: "live", Reason: "duration", Seconds: 600, Targets: []report.TargetStats{ts}, Total: total}
	}
	carried := newStatsSum()
	earlier := report.TargetStats{Target: "a", Counters: report.Counters{VisitsStarted: 5, HitsSent: 15}, AchievedPerMin: 99}
	carried.add([]report.TargetStats{earlier}, earlier, false)

	sum := sumSummaries("live", []*report.Summary{loader(100, 10), loader(98, 9.8)}, carried)
	for _, ts := range []report.TargetStats{sum.Total, sum.Targets[0]} {
		if ts.VisitsStarted != 203 || ts.HitsSent != 609 {
			t.Errorf("%s: counters %+v, want 203 visits, 609 hits", ts.Target, ts.Counters)
		}
		if ts.TargetPerMin != 20 || ts.AchievedPerMin != 19.8 || ts.AchievedSinceStartPerMin != 19.8 ||
			ts.AchievedWindowS != 600 || ts.LatencyP95ms != 10 {
			t.Errorf("%s: rates %+v, want target 20, achieved 19.8 over 600 s, p95 10", ts.Target, ts)
		}
	}
	if sum.Total.Target != "total" || sum.Targets[0].Target != "a" {
		t.Errorf("names: total %q, target %q", sum.Total.Target, sum.Targets[0].Target)
	}
	// The summed stats record of running loaders is named the same way.
	st := newStatsSum()
	st.add(sum.Targets, report.TargetStats{Target: "whatever"}, true)
	if rec := st.stats(); rec.Total.Target != "total" {
		t.Errorf("stats total named %q", rec.Total.Target)
	}
}
