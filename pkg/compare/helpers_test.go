package compare

import (
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// t0 is when the hand-built runs start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(sec float64) report.Header {
	return report.Header{Time: t0.Add(time.Duration(sec * float64(time.Second)))}
}

// target is one target's figures in a hand-built stats or summary record.
type target struct {
	name                  string
	sent, tracked, failed int64
	p50, p95              float64
}

func (x target) stats() report.TargetStats {
	return report.TargetStats{Target: x.name, Counters: report.Counters{VisitsStarted: x.sent / 4, HitsSent: x.sent,
		HitsTracked: x.tracked, HitsFailed: x.failed}, LatencyP50ms: x.p50, LatencyP95ms: x.p95, AchievedPerMin: 60}
}

func statsRec(sec float64, ts ...target) *report.Stats {
	s := &report.Stats{Header: at(sec), Elapsed: sec}
	for _, x := range ts {
		s.Targets = append(s.Targets, x.stats())
	}
	s.Total = report.Total(s.Targets)
	return s
}

func summaryRec(sec float64, ts ...target) *report.Summary {
	s := &report.Summary{Header: at(sec), Mode: "live", Reason: "duration", Seconds: sec}
	for _, x := range ts {
		s.Targets = append(s.Targets, x.stats())
	}
	s.Total = report.Total(s.Targets)
	return s
}

func startRec(mode string, targets ...string) *report.Start {
	return &report.Start{Header: at(0), Mode: "live", Targets: targets, TargetMode: mode, VisitsPerDay: 1e6}
}

// mirrorRun is a mirror run of two targets whose whole-run p95s are basePN and candP95.
func mirrorRun(baseP95, candP95 float64) []Record {
	return recs(0,
		startRec("mirror", "baseline", "candidate"),
		statsRec(10, target{"baseline", 400, 400, 0, 20, baseP95}, target{"candidate", 400, 400, 0, 15, candP95}),
		statsRec(20, target{"baseline", 800, 790, 10, 22, baseP95}, target{"candidate", 800, 800, 0, 14, candP95}),
		summaryRec(20, target{"baseline", 800, 790, 10, 22, baseP95}, target{"candidate", 800, 800, 0, 14, candP95}))
}

func recs(loader int, vs ...any) []Record {
	out := make([]Record, len(vs))
	for i, v := range vs {
		out[i] = Record{Loader: loader, Value: v}
	}
	return out
}

// step is one target's step in a hand-built search.
func step(name string, index int, rate, p95 float64, held bool) *report.Step {
	s := &report.Step{Header: at(float64(60 * (index + 1))), Target: name, Index: index, Phase: "step", VisitsPerDay: rate,
		Seconds: 60, AchievedVisitsPerDay: rate, HitsPerSec: rate / 86400 * 5, LatencyP50ms: p95 / 3, LatencyP95ms: p95, Held: held}
	if !held {
		s.Broken = []report.Breach{{Threshold: report.ThresholdP95, Observed: p95, Limit: 300}}
	}
	return s
}

// capacityRun is a step search over two targets: the baseline holds up to baseHeld steps (of
// 250k visits/day each), the candidate up to candHeld.
func capacityRun(baseHeld, candHeld, steps int, withVerdict bool) []Record {
	vs := []any{&report.Start{Header: at(0), Mode: "live", Targets: []string{"baseline", "candidate"}, TargetMode: "mirror",
		VisitsPerDay: 250_000, Search: report.SearchStep}}
	lat := func(i, held int) float64 {
		if i < held {
			return 100 + 20*float64(i)
		}
		return 400 + 50*float64(i)
	}
	for i := range steps {
		rate := 250_000 * float64(i+1)
		vs = append(vs, step("baseline", i, rate, lat(i, baseHeld), i < baseHeld),
			step("candidate", i, rate, lat(i, candHeld)*0.6, i < candHeld))
	}
	if withVerdict {
		v := &report.Verdict{Header: at(float64(60*steps + 1)), Search: report.SearchStep, Reason: "all_broken", Steps: steps}
		for _, tv := range []struct {
			name string
			held int
		}{{"baseline", baseHeld}, {"candidate", candHeld}} {
			v.Targets = append(v.Targets, report.TargetVerdict{Target: tv.name, Held: tv.held > 0,
				SustainedVisitsPerDay: 250_000 * float64(tv.held), SustainedStep: tv.held - 1,
				Broke: tv.held < steps, BrokeAt: 250_000 * float64(tv.held+1), BrokeStep: tv.held,
				Why: "from the verdict record"})
		}
		vs = append(vs, v)
	}
	vs = append(vs, summaryRec(float64(60*steps+2), target{"baseline", 1000, 1000, 0, 30, 200}, target{"candidate", 1000, 1000, 0, 20, 120}))
	return recs(0, vs...)
}
