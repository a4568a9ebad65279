package webtest

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// A seeded capacity search: a step search from 250,000 visits/day in steps of 250,000, a minute
// each, over two targets with the same visits. "current" starts to slow down past 700,000
// visits/day and breaks the 300 ms p95 threshold at 1M; "tuned" holds to 1.5M and breaks at 1.75M. The figures
// follow the load-dependent latency the project's test server models (flat below its capacity,
// growing past it), so the charts look like a real search.
const (
	seedStep     = 250_000.0
	seedSteps    = 7
	seedStepSecs = 60
	seedInterval = 10 // stats interval, seconds
	hitsPerVisit = 5.0
)

// seedTarget is one target of the seeded search.
type seedTarget struct {
	name     string
	capacity float64 // visits/day where latency starts to grow
	baseMs   float64
	reportMs float64
}

var seedTargets = []seedTarget{{"current", 700_000, 38, 420}, {"tuned", 1_200_000, 24, 180}}

// p95At is a target's tracking p95 at a rate: flat below its capacity, growing fast past it.
func (s seedTarget) p95At(rate float64) float64 {
	over := max(rate/s.capacity-1, 0)
	return math.Round(s.baseMs*2.2 + 900*over*over + 400*over)
}

// errShareAt is the share of hits that fail at a rate: none below 1.2× capacity.
func (s seedTarget) errShareAt(rate float64) float64 {
	return max(rate/s.capacity-1.2, 0) * 0.08
}

// seedCapacityRun stores a finished capacity search with its records, as the control would have
// stored them while following the loader, and returns its id.
func seedCapacityRun(t *testing.T, st *store.Store, name string) string {
	t.Helper()
	c := config.Default()
	c.TargetMode = config.ModeMirror
	c.Capacity.Search = config.SearchStep
	c.Probe.Enabled = true
	for i, tg := range seedTargets {
		c.Targets = append(c.Targets, config.Target{Name: tg.name, URL: fmt.Sprintf("http://127.0.0.1:%d/matomo.php", 8091+i),
			SiteID: 1, Weight: 1, Enabled: true})
	}
	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	end := start.Add(seedSteps * seedStepSecs * time.Second)
	run, err := st.CreateRun(t.Context(), store.Run{Name: name, Mode: store.ModeLive, Config: c, State: store.StateCompleted,
		StartedAt: start, FinishedAt: end})
	if err != nil {
		t.Fatalf("seed a run: %v", err)
	}
	var recs []store.RunRecord
	add := func(typ string, at time.Time, rec any) {
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, store.RunRecord{Type: typ, Time: at, Record: b})
	}
	hdr := func(typ string, sec float64) report.Header {
		return report.Header{Type: typ, Time: start.Add(time.Duration(sec * float64(time.Second)))}
	}
	names := []string{seedTargets[0].name, seedTargets[1].name}
	add(report.TypeStart, start, &report.Start{Header: hdr(report.TypeStart, 0), Mode: "live", Version: "seed", Targets: names,
		TargetMode: config.ModeMirror, VisitsPerDay: seedStep, Seed: 1, ShardCount: 1, Search: report.SearchStep, Probe: true})
	counters := make([]report.Counters, len(seedTargets))
	var last report.Stats
	for sec := seedInterval; sec <= seedSteps*seedStepSecs; sec += seedInterval {
		rate := seedStep * float64((sec-1)/seedStepSecs+1)
		st := report.Stats{Header: hdr(report.TypeStats, float64(sec)), Elapsed: float64(sec)}
		for i, tg := range seedTargets {
			hits := int64(rate / 86400 * hitsPerVisit * seedInterval)
			failed := int64(float64(hits) * tg.errShareAt(rate))
			c := &counters[i]
			c.VisitsStarted += int64(rate / 86400 * seedInterval)
			c.VisitsFinished = c.VisitsStarted
			c.HitsSent += hits
			c.HitsFailed += failed
			c.HitsTracked += hits - failed
			wobble := 1 + 0.04*math.Sin(float64(sec)/7+float64(i))
			st.Targets = append(st.Targets, report.TargetStats{Target: tg.name, Counters: *c, TargetPerMin: rate / 1440,
				AchievedPerMin: rate / 1440, AchievedWindowS: 60, LatencyP50ms: math.Round(tg.baseMs * wobble),
				LatencyP95ms: math.Round(tg.p95At(rate) * wobble)})
		}
		st.Total = report.Total(st.Targets)
		add(report.TypeStats, st.Time, &st)
		last = st
		if sec%30 == 0 {
			for _, tg := range seedTargets {
				for j, call := range []string{"VisitsSummary.get day today", "Actions.getPageUrls day today", "Goals.get range last7"} {
					ms := math.Round(tg.reportMs * (1 + float64(j)*0.6) * (1 + rate/seedStep/8))
					add(report.TypeProbe, st.Time, &report.Probe{Header: hdr(report.TypeProbe, float64(sec)), Target: tg.name,
						Call: call[:len(call)-len(" day today")], Label: call, Period: "day", Date: "today", Round: sec / 30,
						Phase: "load", Ms: ms, Status: 200, OK: true, VisitsPerDay: rate, ElapsedS: float64(sec)})
				}
			}
		}
	}
	verdict := report.Verdict{Header: hdr(report.TypeVerdict, seedSteps*seedStepSecs), Search: report.SearchStep, Reason: "steps",
		Steps: seedSteps, Best: "tuned"}
	for i := range seedSteps {
		rate := seedStep * float64(i+1)
		for _, tg := range seedTargets {
			p95 := tg.p95At(rate)
			step := report.Step{Header: hdr(report.TypeStep, float64((i+1)*seedStepSecs)), Target: tg.name, Index: i, Phase: "step",
				VisitsPerDay: rate, Seconds: seedStepSecs, AchievedVisitsPerDay: rate, HitsPerSec: rate / 86400 * hitsPerVisit,
				IntendedHitsPerSec: rate / 86400 * hitsPerVisit, Hits: int64(rate / 86400 * hitsPerVisit * seedStepSecs),
				LatencyP50ms: tg.baseMs, LatencyP95ms: p95, LatencyP99ms: p95 * 1.3, ErrorShare: tg.errShareAt(rate), Held: p95 <= 300}
			if !step.Held {
				step.Broken = []report.Breach{{Threshold: report.ThresholdP95, Observed: p95, Limit: 300}}
			}
			add(report.TypeStep, step.Time, &step)
		}
	}
	for _, tg := range seedTargets {
		tv := report.TargetVerdict{Target: tg.name, SustainedStep: -1, BrokeStep: -1}
		for i := range seedSteps {
			rate := seedStep * float64(i+1)
			p95 := tg.p95At(rate)
			if p95 <= 300 && !tv.Broke {
				tv.Held, tv.SustainedVisitsPerDay, tv.SustainedStep, tv.SustainedP95ms = true, rate, i, p95
				tv.SustainedHitsPerSec = rate / 86400 * hitsPerVisit
			} else if !tv.Broke {
				tv.Broke, tv.BrokeAt, tv.BrokeStep = true, rate, i
				tv.Broken = []report.Breach{{Threshold: report.ThresholdP95, Observed: p95, Limit: 300}}
				tv.Why = fmt.Sprintf("p95 %.0f ms > 300 ms at %s visits/day", p95, thousands(rate))
			}
		}
		if !tv.Broke {
			tv.Why = "held every rate tried"
		}
		verdict.Targets = append(verdict.Targets, tv)
	}
	add(report.TypeVerdict, verdict.Time, &verdict)
	sum := report.Summary{Header: hdr(report.TypeSummary, seedSteps*seedStepSecs+1), Mode: "live", Reason: "finished",
		Seconds: seedSteps * seedStepSecs, Targets: last.Targets, Total: last.Total}
	add(report.TypeSummary, sum.Time, &sum)
	if err := st.AddRunRecords(t.Context(), run.ID, recs); err != nil {
		t.Fatalf("seed the records: %v", err)
	}
	b, _ := json.Marshal(sum)
	if err := st.SaveRunSummary(t.Context(), run.ID, b); err != nil {
		t.Fatalf("seed the summary: %v", err)
	}
	return run.ID
}

// thousands writes a whole number with thousands separators, as the loader's sentences do.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
