package compare

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/report"
)

func build(t *testing.T, rs []Record, opts Options) *Report {
	t.Helper()
	r, err := Build(rs, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return r
}

func verdictOf(t *testing.T, r *Report, metric, label string) Verdict {
	t.Helper()
	for _, v := range r.Verdicts {
		if v.Metric == metric && v.Label == label {
			return v
		}
	}
	t.Fatalf("no %s verdict %q in %+v", metric, label, r.Verdicts)
	return Verdict{}
}

// The tracking-p95 verdict of a mirror run has the right direction and size, and a difference
// under the threshold is no verdict.
func TestMirrorP95Verdict(t *testing.T) {
	cases := []struct {
		name              string
		baseP95, candP95  float64
		baseline          string
		outcome           string
		change            float64
		faster, textParts string
	}{
		// The example: the candidate's p95 is 38% lower.
		{"candidate faster", 200, 124, "", OutcomeBetter, -0.38, "candidate", "tracking p95 −38% (200 → 124 ms) at 1M visits/day: better"},
		// A slower candidate is worse, by +30%, and the baseline is named faster.
		{"candidate slower", 200, 260, "", OutcomeWorse, 0.30, "baseline", "tracking p95 +30% (200 → 260 ms)"},
		// 2% is under the 5% threshold: a tie.
		{"within the threshold", 200, 196, "", OutcomeSame, -0.02, "", "tracking p95 no significant difference (200 → 196 ms; under 5%)"},
		// 30% of 2 ms is 0.6 ms: under the 1 ms floor, a tie.
		{"under a millisecond", 2, 2.6, "", OutcomeSame, 0.30, "", "no significant difference"},
		// Naming the candidate the baseline turns the verdict around: the baseline is 61% slower.
		{"named baseline", 200, 124, "candidate", OutcomeWorse, 0.6129, "candidate", "baseline: tracking p95 +61% (124 → 200 ms)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := build(t, mirrorRun(c.baseP95, c.candP95), Options{Baseline: c.baseline})
			if r.Kind != KindMirror {
				t.Errorf("kind %q, want mirror", r.Kind)
			}
			v := verdictOf(t, r, MetricP95, "")
			if v.Outcome != c.outcome || v.Change != c.change {
				t.Errorf("outcome %s change %v, want %s %v", v.Outcome, v.Change, c.outcome, c.change)
			}
			if r.Faster != c.faster {
				t.Errorf("faster %q, want %q", r.Faster, c.faster)
			}
			if !strings.Contains(v.Text, c.textParts) {
				t.Errorf("text %q lacks %q", v.Text, c.textParts)
			}
			if c.faster == "" && !strings.Contains(r.Headline, "No significant difference") {
				t.Errorf("headline %q", r.Headline)
			}
		})
	}
}

// A capacity search's verdict compares the sustained rates and the p95 at the highest step both
// held, from the loader's verdict record or, without one, from the steps.
func TestCapacityVerdict(t *testing.T) {
	cases := []struct {
		name                 string
		baseHeld, candHeld   int
		withVerdict          bool
		outcome, faster      string
		baseRate, candRate   float64
		p95Change            float64
		p95At                float64
		headline, sustainedT string
	}{
		// The candidate holds twice the rate: ×2, and its p95 at 500k (both held) is 40% lower.
		{"candidate sustains twice the rate", 2, 4, true, OutcomeBetter, "candidate", 500_000, 1_000_000, -0.4, 500_000,
			"candidate is faster than baseline: sustained rate ×2 (500k → 1M visits/day); tracking p95 −40% (120 → 72 ms) at 500k visits/day.",
			"candidate: sustained rate ×2 (500k → 1M visits/day): better"},
		// The same without the verdict record: the steps say the same.
		{"from the steps alone", 2, 4, false, OutcomeBetter, "candidate", 500_000, 1_000_000, -0.4, 500_000, "candidate is faster", "×2"},
		// Both hold three steps: the rates tie, which is no verdict, even with a lower p95.
		{"equal capacity", 3, 3, true, OutcomeSame, "", 750_000, 750_000, -0.4, 750_000, "No significant difference", "sustained rate no significant difference (750k → 750k visits/day; under 5%)"},
		// The baseline holds more: the candidate is worse, ×0.33.
		{"baseline sustains more", 3, 1, true, OutcomeWorse, "baseline", 750_000, 250_000, -0.4, 250_000, "baseline is faster: candidate's sustained rate ×0.33", "×0.33"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := build(t, capacityRun(c.baseHeld, c.candHeld, 5, c.withVerdict), Options{})
			if r.Kind != KindCapacity || r.Search != report.SearchStep {
				t.Errorf("kind %q search %q", r.Kind, r.Search)
			}
			base, cand := r.Targets[0].Capacity, r.Targets[1].Capacity
			if base == nil || cand == nil {
				t.Fatalf("capacities %+v %+v", base, cand)
			}
			if base.SustainedVisitsPerDay != c.baseRate || cand.SustainedVisitsPerDay != c.candRate {
				t.Errorf("sustained %v and %v, want %v and %v", base.SustainedVisitsPerDay, cand.SustainedVisitsPerDay, c.baseRate, c.candRate)
			}
			if want := c.baseRate + 250_000; !base.Broke || base.BrokeAt != want {
				t.Errorf("baseline broke %v at %v, want at %v", base.Broke, base.BrokeAt, want)
			}
			v := verdictOf(t, r, MetricSustained, "")
			if v.Outcome != c.outcome {
				t.Errorf("sustained outcome %s, want %s", v.Outcome, c.outcome)
			}
			if !strings.Contains(v.Text, c.sustainedT) {
				t.Errorf("sustained text %q lacks %q", v.Text, c.sustainedT)
			}
			p := verdictOf(t, r, MetricP95, "")
			if p.Change != c.p95Change || p.AtVisitsPerDay != c.p95At {
				t.Errorf("p95 change %v at %v, want %v at %v", p.Change, p.AtVisitsPerDay, c.p95Change, c.p95At)
			}
			if r.Faster != c.faster || !strings.Contains(r.Headline, c.headline) {
				t.Errorf("faster %q headline %q, want %q and %q", r.Faster, r.Headline, c.faster, c.headline)
			}
		})
	}
}

// The loader's verdict record is taken as it is (its why), and the steps derive the same rates.
func TestCapacityWhy(t *testing.T) {
	with := build(t, capacityRun(2, 4, 5, true), Options{})
	if got := with.Targets[0].Capacity.Why; got != "from the verdict record" {
		t.Errorf("why %q, want the verdict record's", got)
	}
	without := build(t, capacityRun(2, 4, 5, false), Options{})
	if got, want := without.Targets[0].Capacity.Why, "p95 500 ms > 300 ms at 750k visits/day"; got != want {
		t.Errorf("why %q, want %q", got, want)
	}
	if got := without.Targets[1].Capacity; !got.Broke || got.BrokeAt != 1_250_000 {
		t.Errorf("candidate %+v", got)
	}
	lines := Lines(without)
	if !strings.Contains(strings.Join(lines, "\n"), "capacity: baseline: sustained 500k visits/day") {
		t.Errorf("lines %q", lines)
	}
}

// A named baseline that is not a target is an error naming it and the targets.
func TestUnknownBaseline(t *testing.T) {
	_, err := Build(mirrorRun(100, 90), Options{Baseline: "nope"})
	if !errors.Is(err, ErrUnknownBaseline) || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "baseline, candidate") {
		t.Fatalf("error %v", err)
	}
}

// A weighted run gets no verdict: its targets got different visits.
func TestWeightedNoVerdict(t *testing.T) {
	rs := mirrorRun(200, 100)
	rs[0].Value.(*report.Start).TargetMode = "weighted"
	r := build(t, rs, Options{})
	if r.Kind != KindWeighted || len(r.Verdicts) != 0 || r.Faster != "" || len(r.Notes) == 0 {
		t.Errorf("kind %s verdicts %v faster %q notes %v", r.Kind, r.Verdicts, r.Faster, r.Notes)
	}
}

// Totals, throughput over time and errors of a mirror run come from its records.
func TestMirrorFigures(t *testing.T) {
	r := build(t, mirrorRun(200, 124), Options{})
	base := r.Targets[0]
	if !base.Baseline || r.Baseline != "baseline" || r.Targets[1].Baseline {
		t.Fatalf("baseline flags %+v", r.Targets)
	}
	if base.Totals.HitsSent != 800 || base.Totals.HitsFailed != 10 || base.Totals.ErrorShare != 0.0125 || base.Totals.HitsPerSec != 39.5 {
		t.Errorf("totals %+v", base.Totals)
	}
	want := []Point{
		{ElapsedS: 10, HitsPerSec: 40, VisitsPerMin: 60, LatencyP50ms: 20, LatencyP95ms: 200, sent: 400},
		{ElapsedS: 20, HitsPerSec: 39, VisitsPerMin: 60, LatencyP50ms: 22, LatencyP95ms: 200, Errors: 10, ErrorShare: 0.025, sent: 400},
	}
	if !reflect.DeepEqual(base.Series, want) {
		t.Errorf("series %+v, want %+v", base.Series, want)
	}
	e := verdictOf(t, r, MetricErrors, "")
	if e.Outcome != OutcomeBetter || !strings.Contains(e.Text, "error share −1.3 pp (1.3% → 0%)") {
		t.Errorf("errors verdict %+v", e)
	}
}

// Two loaders' stats are merged per interval: hits/s added, the worst p95 kept; their counters
// are added into the totals.
func TestLoadersMerged(t *testing.T) {
	var rs []Record
	for loader, p95 := range []float64{100, 150} {
		rs = append(rs, recs(loader, startRec("mirror", "a", "b"),
			statsRec(10, target{"a", 100, 100, 0, 10, p95}, target{"b", 100, 100, 0, 10, p95 / 2}),
			statsRec(20, target{"a", 300, 300, 0, 10, p95}, target{"b", 300, 300, 0, 10, p95 / 2}),
			summaryRec(20, target{"a", 300, 300, 0, 10, p95}, target{"b", 300, 300, 0, 10, p95 / 2}))...)
	}
	r := build(t, rs, Options{})
	a := r.Targets[0]
	if r.Loaders != 2 || a.Totals.HitsSent != 600 || a.Totals.LatencyP95ms != 150 {
		t.Errorf("loaders %d totals %+v", r.Loaders, a.Totals)
	}
	if len(a.Series) != 2 || a.Series[0].HitsPerSec != 20 || a.Series[1].HitsPerSec != 40 || a.Series[1].LatencyP95ms != 150 {
		t.Errorf("series %+v", a.Series)
	}
	if v := verdictOf(t, r, MetricP95, ""); v.Outcome != OutcomeBetter || v.Change != -0.5 {
		t.Errorf("verdict %+v", v)
	}
}

// A loader restarted mid-run starts its counters again: the totals add both processes.
func TestRestartedLoader(t *testing.T) {
	rs := recs(0, startRec("mirror", "a"), statsRec(10, target{"a", 100, 100, 0, 1, 2}),
		startRec("mirror", "a"), statsRec(10, target{"a", 40, 40, 0, 1, 2}), summaryRec(10, target{"a", 50, 50, 0, 1, 2}))
	r := build(t, rs, Options{})
	if got := r.Targets[0].Totals.HitsSent; got != 150 {
		t.Errorf("hits sent %d, want 150 (100 before the restart, 50 after)", got)
	}
	if r.Kind != KindSingle || len(r.Verdicts) != 0 || !strings.HasPrefix(r.Headline, "a: tracking p95") {
		t.Errorf("kind %s verdicts %v headline %q", r.Kind, r.Verdicts, r.Headline)
	}
}

func probe(name, label string, sec, ms float64, ok bool) *report.Probe {
	return &report.Probe{Header: at(sec), Target: name, Call: strings.Fields(label)[0], Label: label, Phase: "load",
		Ms: ms, OK: ok, Status: 200, VisitsPerDay: 1e6, ElapsedS: sec}
}

// Report timings: percentiles over the calls that answered, failed calls counted apart, and a
// verdict per call both targets answered.
func TestProbes(t *testing.T) {
	rs := mirrorRun(200, 124)
	var extra []any
	for i, ms := range []float64{100, 200, 300, 400} {
		extra = append(extra, probe("baseline", "VisitsSummary.get day today", float64(i*5), ms, true),
			probe("candidate", "VisitsSummary.get day today", float64(i*5), ms/2, true))
	}
	extra = append(extra, probe("baseline", "VisitsSummary.get day today", 25, 9000, false),
		probe("baseline", "Goals.get range last7", 25, 50, true), probe("candidate", "Goals.get range last7", 25, 0, false))
	rs = append(rs, recs(0, extra...)...)
	r := build(t, rs, Options{})
	bp := r.Targets[0].Probes
	if len(bp) != 2 || bp[0].Count != 5 || bp[0].Failed != 1 || bp[0].P50ms != 200 || bp[0].P95ms != 400 || bp[0].MaxMs != 400 {
		t.Fatalf("baseline probes %+v", bp)
	}
	if r.Targets[0].Totals.ReportsTimed != 6 || r.Targets[0].Totals.ReportsFailed != 1 {
		t.Errorf("totals %+v", r.Targets[0].Totals)
	}
	v := verdictOf(t, r, MetricReportP95, "VisitsSummary.get day today")
	if v.Outcome != OutcomeBetter || v.Change != -0.5 || !strings.Contains(v.Text, "VisitsSummary.get day today p95 −50% (400 → 200 ms)") {
		t.Errorf("verdict %+v", v)
	}
	for _, v := range r.Verdicts {
		if v.Label == "Goals.get range last7" {
			t.Errorf("a call the candidate never answered has a verdict: %+v", v)
		}
	}
	text := strings.Join(Lines(r), "\n")
	for _, want := range []string{
		"report timing: baseline: VisitsSummary.get day today: p50 200 ms, p95 400 ms, max 400 ms (5 calls, 1 failed)",
		"report timing: candidate: VisitsSummary.get day today: p50 100 ms, p95 200 ms, max 200 ms (4 calls)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
}

// The same records give the same report, byte for byte, whatever order the loaders interleave in.
func TestDeterministic(t *testing.T) {
	a := capacityRun(2, 4, 5, true)
	b := append(recs(1, startRec("mirror", "baseline", "candidate")), a...)
	first, _ := json.Marshal(build(t, b, Options{RunID: "r1"}))
	for range 5 {
		again, _ := json.Marshal(build(t, b, Options{RunID: "r1"}))
		if string(again) != string(first) {
			t.Fatalf("reports differ:\n%s\n%s", first, again)
		}
	}
}

// Numbers read as a user writes them.
func TestFormatting(t *testing.T) {
	cases := []struct{ got, want string }{
		{count(1_000_000), "1M"}, {count(2_250_000), "2.25M"}, {count(500_000), "500k"}, {count(12_500), "12,500"}, {count(950), "950"},
		{num(1234.4), "1,234"}, {num(12.34), "12.3"}, {num(1.234), "1.23"}, {num(0), "0"},
		{percentChange(-0.38), "−38%"}, {percentChange(0.021), "+2.1%"}, {percentChange(0), "±0%"},
		{ratio(2.1), "2.1"}, {ratio(0.4812), "0.48"}, {percent(0.052), "5.2%"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// A run's p95 is the weighted median of its intervals' p95s, not the summary's, which covers only
// the last, partial interval.
func TestTypicalLatency(t *testing.T) {
	rs := recs(0, startRec("mirror", "a", "b"),
		statsRec(10, target{"a", 100, 100, 0, 10, 200}, target{"b", 100, 100, 0, 5, 100}),
		statsRec(20, target{"a", 400, 400, 0, 12, 900}, target{"b", 400, 400, 0, 6, 110}), // a: 300 of 500 hits at 900 ms
		statsRec(30, target{"a", 500, 500, 0, 11, 210}, target{"b", 500, 500, 0, 5, 105}),
		summaryRec(31, target{"a", 500, 500, 0, 1, 1}, target{"b", 500, 500, 0, 1, 1}))
	r := build(t, rs, Options{})
	a, b := r.Targets[0].Totals, r.Targets[1].Totals
	if a.LatencyP95ms != 900 || a.LatencyP50ms != 12 || b.LatencyP95ms != 110 {
		t.Errorf("p95 %v and %v (p50 %v), want 900 and 110 (p50 12)", a.LatencyP95ms, b.LatencyP95ms, a.LatencyP50ms)
	}
	if v := verdictOf(t, r, MetricP95, ""); v.Change != -0.8778 || v.Outcome != OutcomeBetter {
		t.Errorf("verdict %+v", v)
	}
}
