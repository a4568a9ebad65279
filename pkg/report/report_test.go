package report

import (
	"bufio"
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

// What the loader writes, the control parses back to the same values.
func TestWriteParseRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	recs := []struct {
		typ string
		rec interface{ header() *Header }
	}{
		{TypeStart, &Start{Header: Header{Time: at}, Mode: "live", Targets: []string{"a", "b"}, Seed: 7, ShardCount: 1}},
		{TypeStats, &Stats{Header: Header{Time: at}, Elapsed: 10, Targets: []TargetStats{{Target: "a", Counters: Counters{HitsSent: 5, HitsTracked: 4}, LatencyP95ms: 12.5}}}},
		{TypeDay, &Day{Header: Header{Time: at}, Date: "2026-01-01", Target: "a", Planned: 500, Sent: 500, Tracked: 3000, Done: true}},
		{TypeProgress, &Progress{Header: Header{Time: at}, Percent: 50, ETASeconds: 3}},
		{TypeSummary, &Summary{Header: Header{Time: at}, Mode: "backfill", Reason: "finished", Hint: "run core:archive"}},
		{TypeError, &Error{Header: Header{Time: at}, Target: "a", Message: "boom"}},
		{TypeStart, &Start{Header: Header{Time: at}, Mode: "live", Targets: []string{"a"}, Search: SearchStep, Probe: true}},
		{TypeStep, &Step{Header: Header{Time: at}, Target: "a", Index: 3, Phase: "step", VisitsPerDay: 1e6, Seconds: 60,
			AchievedVisitsPerDay: 990000, HitsPerSec: 57.2, IntendedHitsPerSec: 57.9, Hits: 3432, LatencyP50ms: 4, LatencyP95ms: 310,
			LatencyP99ms: 800, ErrorShare: 0.01, VisitsDropped: 2, DroppedShare: 0.003, Status5xx: 7, Status5xxShare: 0.002,
			Broken: []Breach{{Threshold: ThresholdP95, Observed: 310, Limit: 300}}}},
		{TypeThreshold, &Threshold{Header: Header{Time: at}, Target: "a", Index: 3, VisitsPerDay: 1e6,
			Breach: Breach{Threshold: Threshold5xx, Observed: 0.002, Limit: 0}}},
		{TypeProbe, &Probe{Header: Header{Time: at}, Target: "b", Call: "VisitsSummary.get", Label: "VisitsSummary.get day today",
			Period: "day", Date: "today", Invalidated: true, Round: 2, Phase: "load", Ms: 812.5, Status: 200, OK: true,
			VisitsPerDay: 5e5, ElapsedS: 120}},
		{TypeProbe, &Probe{Header: Header{Time: at}, Target: "b", Call: "Goals.get", Label: "Goals.get range last7",
			Period: "range", Date: "last7", Phase: "after", Status: 500, Error: "HTTP 500"}},
		{TypeVerdict, &Verdict{Header: Header{Time: at}, Search: SearchBinary, Reason: "all_broken", Steps: 9, Best: "b",
			Targets: []TargetVerdict{
				{Target: "a", Held: true, SustainedVisitsPerDay: 5e5, SustainedHitsPerSec: 29, SustainedStep: 2, SustainedP95ms: 40,
					Broke: true, BrokeAt: 1e6, BrokeStep: 3, Broken: []Breach{{Threshold: ThresholdP95, Observed: 310, Limit: 300}},
					Why:    "p95 310 ms > 300 ms at 1,000,000 visits/day",
					Probes: []ProbeStat{{Label: "VisitsSummary.get day today", Count: 4, Failed: 1, P50ms: 30, P95ms: 90, P99ms: 99, MaxMs: 100}}},
				{Target: "b", SustainedStep: -1, BrokeStep: -1, Why: "no step held"},
			}}},
	}
	for _, r := range recs {
		if err := w.Write(r.typ, r.rec); err != nil {
			t.Fatal(err)
		}
	}
	sc := bufio.NewScanner(&buf)
	for i := 0; sc.Scan(); i++ {
		got, err := Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, recs[i].rec) {
			t.Errorf("line %d: got %+v, want %+v", i, got, recs[i].rec)
		}
	}
}

func TestParseRejectsNonRecords(t *testing.T) {
	for _, line := range []string{`{"time":"x","level":"INFO","msg":"hello"}`, `not json`, `{"type":"weird"}`} {
		if _, err := Parse([]byte(line)); !errors.Is(err, ErrNotRecord) {
			t.Errorf("%s: want ErrNotRecord, got %v", line, err)
		}
	}
}

func TestCountersAdd(t *testing.T) {
	a := Counters{VisitsStarted: 1, HitsSent: 2, Orders: 3}
	a.Add(Counters{VisitsStarted: 10, HitsSent: 20, Orders: 30, HitsDropped: 4})
	if a != (Counters{VisitsStarted: 11, HitsSent: 22, Orders: 33, HitsDropped: 4}) {
		t.Fatalf("Add: %+v", a)
	}
}

// Total sums the targets' lines into one named "total": counts, in-flight visits and rates
// added, the longest rate span, the worst latency.
func TestTotal(t *testing.T) {
	a := TargetStats{Target: "a", Counters: Counters{HitsSent: 10, VisitsStarted: 2}, InFlight: 1, TargetPerMin: 5,
		AchievedPerMin: 4, AchievedWindowS: 60, AchievedSinceStartPerMin: 4.5, LatencyP50ms: 3, LatencyP95ms: 30}
	b := TargetStats{Target: "b", Counters: Counters{HitsSent: 5, VisitsStarted: 1}, InFlight: 2, TargetPerMin: 1,
		AchievedPerMin: 2, AchievedWindowS: 45, AchievedSinceStartPerMin: 1.5, LatencyP50ms: 7, LatencyP95ms: 9}
	want := TargetStats{Target: TotalName, Counters: Counters{HitsSent: 15, VisitsStarted: 3}, InFlight: 3, TargetPerMin: 6,
		AchievedPerMin: 6, AchievedWindowS: 60, AchievedSinceStartPerMin: 6, LatencyP50ms: 7, LatencyP95ms: 30}
	if got := Total([]TargetStats{a, b}); got != want {
		t.Errorf("Total = %+v\nwant    %+v", got, want)
	}
	if got := Total(nil); got != (TargetStats{Target: TotalName}) {
		t.Errorf("Total(nil) = %+v", got)
	}
}
