package runs

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// mirrorConfig is a live config with two targets that get the same visits.
func mirrorConfig() *config.Config {
	c := liveConfig()
	c.TargetMode = config.ModeMirror
	c.Targets = []config.Target{
		{Name: "old", URL: "http://127.0.0.1:9/matomo.php", SiteID: 1, Token: testToken, Weight: 1, Enabled: true},
		{Name: "new", URL: "http://127.0.0.1:9/matomo.php", SiteID: 2, Token: testToken, Weight: 1, Enabled: true}}
	return c
}

// searchLines are the records of a capacity search in which "new" holds twice the rate of "old",
// and the probe times a call on both (one failing with the token in its message).
func searchLines(t *testing.T, at time.Time) []string {
	t.Helper()
	// w renders a record as a loader prints it (its header, from h, carries the type).
	w := func(rec any) string {
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	h := func(typ string, sec int) report.Header {
		return report.Header{Type: typ, Time: at.Add(time.Duration(sec) * time.Second)}
	}
	out := []string{w(&report.Start{Header: h(report.TypeStart, 0), Mode: "live", Targets: []string{"old", "new"},
		TargetMode: "mirror", VisitsPerDay: 100_000, Search: report.SearchStep, Probe: true})}
	for i := range 4 {
		rate := 100_000 * float64(i+1)
		for _, tg := range []struct {
			name string
			held bool
			p95  float64
		}{{"old", i < 2, 100 + 300*float64(i/2)}, {"new", true, 50}} {
			out = append(out, w(&report.Step{Header: h(report.TypeStep, 60*(i+1)), Target: tg.name, Index: i, Phase: "step",
				VisitsPerDay: rate, Seconds: 60, HitsPerSec: rate / 17280, LatencyP95ms: tg.p95, Held: tg.held}))
		}
		out = append(out, w(&report.Stats{Header: h(report.TypeStats, 60*(i+1)), Elapsed: float64(60 * (i + 1)),
			Targets: []report.TargetStats{
				{Target: "old", Counters: report.Counters{HitsSent: int64(100 * (i + 1)), HitsTracked: int64(100 * (i + 1))}, LatencyP95ms: 100},
				{Target: "new", Counters: report.Counters{HitsSent: int64(100 * (i + 1)), HitsTracked: int64(100 * (i + 1))}, LatencyP95ms: 50}}}))
	}
	out = append(out,
		w(&report.Threshold{Header: h(report.TypeThreshold, 180), Target: "old", Index: 2, VisitsPerDay: 300_000,
			Breach: report.Breach{Threshold: report.ThresholdP95, Observed: 700, Limit: 300}}),
		w(&report.Probe{Header: h(report.TypeProbe, 200), Target: "old", Call: "VisitsSummary.get", Label: "VisitsSummary.get day today", Ms: 800, OK: true, Status: 200}),
		w(&report.Probe{Header: h(report.TypeProbe, 200), Target: "new", Call: "VisitsSummary.get", Label: "VisitsSummary.get day today", Ms: 200, OK: true, Status: 200}),
		w(&report.Probe{Header: h(report.TypeProbe, 201), Target: "new", Call: "Goals.get", Label: "Goals.get day today",
			Status: 500, Error: "HTTP 500 for token_auth=" + testToken}))
	return out
}

// A capacity search's records are stored with the run as they arrive, once each even when a
// restarted control reads the log again, and the report compares its targets from them.
func TestReportOfCapacitySearch(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	run, err := e.st.CreateRun(t.Context(), store.Run{Mode: ModeLive, Name: "old vs new", Config: *mirrorConfig(), State: store.StateRunning})
	if err != nil {
		t.Fatal(err)
	}
	c := rt.addContainer(run.ID, 0, docker.KindLive, "running", 0)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	lines := searchLines(t, at)
	for _, l := range lines[:6] {
		rt.emit(c, "stdout", l)
	}
	svc := e.start(t)
	eventually(t, "the first records stored", func() bool {
		recs, _ := e.st.ListRunRecords(t.Context(), run.ID)
		return len(recs) == 6
	})
	svc.Close()

	// The control restarts: it reads the whole log again, then the rest arrives.
	svc = e.start(t)
	for _, l := range lines[6:] {
		rt.emit(c, "stdout", l)
	}
	verdict := report.Verdict{Header: report.Header{Time: at.Add(300 * time.Second)}, Search: report.SearchStep, Reason: "steps", Steps: 4,
		Best: "new", Targets: []report.TargetVerdict{
			{Target: "old", Held: true, SustainedVisitsPerDay: 200_000, SustainedStep: 1, Broke: true, BrokeAt: 300_000, BrokeStep: 2,
				Why: "p95 700 ms > 300 ms at 300,000 visits/day"},
			{Target: "new", Held: true, SustainedVisitsPerDay: 400_000, SustainedStep: 3, BrokeStep: -1, Why: "held every rate tried"}}}
	rt.emit(c, "stdout", line(t, func(w *report.Writer) error { return w.Write(report.TypeVerdict, &verdict) }))
	both := []report.TargetStats{{Target: "old", Counters: report.Counters{HitsSent: 400, HitsTracked: 400}},
		{Target: "new", Counters: report.Counters{HitsSent: 400, HitsTracked: 400}}}
	rt.emit(c, "stdout", line(t, func(w *report.Writer) error {
		return w.Write(report.TypeSummary, &report.Summary{Mode: "live", Reason: "finished", Seconds: 300, Targets: both})
	}))
	rt.setState(c, "exited", 0)
	waitState(t, svc, run.ID, store.StateCompleted)

	recs, err := e.st.ListRunRecords(t.Context(), run.ID)
	if err != nil || len(recs) != len(lines)+2 {
		t.Fatalf("%d records stored (%v), want %d: each once", len(recs), err, len(lines)+2)
	}
	rep, err := svc.Report(t.Context(), run.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != compare.KindCapacity || rep.Faster != "new" || rep.Baseline != "old" || rep.Title != "old vs new" {
		t.Errorf("kind %q faster %q baseline %q title %q", rep.Kind, rep.Faster, rep.Baseline, rep.Title)
	}
	if !strings.Contains(rep.Headline, "new is faster than old: sustained rate ×2 (200k → 400k visits/day)") {
		t.Errorf("headline %q", rep.Headline)
	}
	if got := rep.Targets[1].Probes; len(got) != 2 || got[1].Failed != 1 {
		t.Errorf("probes of new %+v", got)
	}
	b, _ := json.Marshal(rep)
	if strings.Contains(string(b), testToken) {
		t.Errorf("the token is in the report: %s", b)
	}
	for _, r := range recs {
		if strings.Contains(string(r.Record), testToken) {
			t.Errorf("the token is in a stored record: %s", r.Record)
		}
	}
	if _, err := svc.Report(t.Context(), run.ID, "nope"); !errors.Is(err, compare.ErrUnknownBaseline) {
		t.Errorf("unknown baseline: %v", err)
	}
	if _, err := svc.Report(t.Context(), "000000000000", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
}

// A run stored before records were kept is compared on its summary and config.
func TestReportWithoutRecords(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	run, err := e.st.CreateRun(t.Context(), store.Run{Mode: ModeLive, Config: *mirrorConfig(), State: store.StateCompleted})
	if err != nil {
		t.Fatal(err)
	}
	sum := report.Summary{Mode: "live", Reason: "duration", Seconds: 100, Targets: []report.TargetStats{
		{Target: "old", Counters: report.Counters{HitsSent: 1000, HitsTracked: 1000}, LatencyP95ms: 200},
		{Target: "new", Counters: report.Counters{HitsSent: 1000, HitsTracked: 1000}, LatencyP95ms: 100}}}
	b, _ := json.Marshal(sum)
	if err := e.st.SaveRunSummary(t.Context(), run.ID, b); err != nil {
		t.Fatal(err)
	}
	svc := e.start(t)
	rep, err := svc.Report(t.Context(), run.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Kind != compare.KindMirror || rep.Faster != "new" || len(rep.Targets) != 2 || rep.Targets[0].Totals.HitsSent != 1000 {
		t.Errorf("report %+v", rep)
	}
}

// The capacity search's records reach event subscribers under their own type, not as errors.
func TestRecordTypes(t *testing.T) {
	cases := []struct {
		rec  any
		want string
	}{
		{&report.Step{}, report.TypeStep}, {&report.Threshold{}, report.TypeThreshold},
		{&report.Probe{}, report.TypeProbe}, {&report.Verdict{}, report.TypeVerdict},
		{&report.Stats{}, report.TypeStats}, {&report.Error{}, report.TypeError},
	}
	for _, c := range cases {
		if got := recordType(c.rec); got != c.want {
			t.Errorf("recordType(%T) = %q, want %q", c.rec, got, c.want)
		}
	}
}
