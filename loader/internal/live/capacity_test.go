package live_test

import (
	"bufio"
	"bytes"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/live"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/probe"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// searchConfig is a step search over mirrored targets with plain visits: three pageviews and
// the closing ping, no events, so every visit is the same number of hits.
func searchConfig(names ...string) config.Config {
	c := config.Default()
	c.TargetMode = config.ModeMirror
	c.PageviewsMin, c.PageviewsMax = 3, 3
	c.SiteSearchProb, c.OutlinksProb, c.DownloadsProb, c.ClickEventsProb, c.RandomEventsProb, c.EcommerceProb = 0, 0, 0, 0, 0, 0
	// Every visit exactly 4 hits: no bounces, content hits, crawlers or earlier visits.
	c.BounceProb, c.ContentImpressionProb, c.BotProb, c.ReturningProb = 0, 0, 0, 0
	c.PauseMin, c.PauseMax = 0.5, 1.5
	c.Concurrency = 2000
	c.StatsInterval = time.Minute
	c.HTTPRetries = 0
	c.AutoStopHours = 1 // a bound: the search ends long before
	c.Capacity.Search = config.SearchStep
	c.Capacity.StartPerDay = 100_000
	c.Capacity.Factor = 1.5
	c.Capacity.StepDuration = 30 * time.Second
	c.Capacity.Warmup = 5 * time.Second
	c.Capacity.MaxP95ms = 200
	c.Capacity.Max5xx = 1 // latency decides here; the 5xx threshold has a test of its own
	for _, n := range names {
		c.Targets = append(c.Targets, config.Target{Name: n, URL: "http://" + n + ".invalid/matomo.php", SiteID: 1, Token: token, Weight: 1, Enabled: true})
	}
	return c
}

// searchRun is a capacity search run in virtual time against in-process fakes.
type searchRun struct {
	records []any
	servers []*matomotest.Server
}

func runSearch(t *testing.T, c config.Config, loads []matomotest.Load, probeCfg *config.Probe) searchRun {
	t.Helper()
	r, sum := runSearchWith(t, c, loads, probeCfg)
	if sum.Reason != live.ReasonSearchDone {
		t.Fatalf("the run ended with %q, want %q", sum.Reason, live.ReasonSearchDone)
	}
	return r
}

// runSearchAnyEnd is runSearch for a run that may end before its search.
func runSearchAnyEnd(t *testing.T, c config.Config, loads []matomotest.Load) searchRun {
	t.Helper()
	r, _ := runSearchWith(t, c, loads, nil)
	return r
}

func runSearchWith(t *testing.T, c config.Config, loads []matomotest.Load, probeCfg *config.Probe) (searchRun, report.Summary) {
	t.Helper()
	var r searchRun
	var clients []engines.Client
	var probeTargets []probe.Target
	for i, tg := range c.EnabledTargets() {
		s := matomotest.NewUnstartedServer(matomotest.Options{Token: token, Load: loads[i],
			APILatency: map[string]time.Duration{"*": 100 * time.Millisecond}})
		t.Cleanup(s.Close)
		r.servers = append(r.servers, s)
		cl, err := matomo.NewClient(matomo.Target{Name: tg.Name, URL: tg.URL, SiteID: 1, Token: token},
			matomo.Options{HTTPClient: s.InProcessClient(), Retries: -1, Timeout: c.HTTPTimeout})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, cl)
		probeTargets = append(probeTargets, probe.Target{Name: tg.Name, SiteID: 1, Client: cl})
	}
	var out bytes.Buffer
	w := report.NewWriter(&lockedWriter{buf: &out})
	set := meter.NewSet([]string{c.EnabledTargets()[0].Name, c.EnabledTargets()[1].Name})
	var prb *probe.Probe
	if probeCfg != nil {
		var err error
		if prb, err = probe.New(*probeCfg, probeTargets, probe.Deps{Start: time.Now(), Out: w, Meter: set}); err != nil {
			t.Fatal(err)
		}
	}
	model := visit.New(c, visittest.NewCatalog(), nil, 1, func(uint64) (uint64, uint64) { return 0, 0 }, nil)
	e, err := live.NewEngine(c, live.Deps{Deps: engines.Deps{Clients: clients, Out: w, Meter: set}, Model: model, Seed: 1, Probe: prb})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rec, err := report.Parse(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		r.records = append(r.records, rec)
	}
	return r, sum
}

func (r searchRun) verdict(t *testing.T) *report.Verdict {
	t.Helper()
	n := len(r.records)
	if n < 2 {
		t.Fatal("no records")
	}
	v, ok1 := r.records[n-2].(*report.Verdict)
	_, ok2 := r.records[n-1].(*report.Summary)
	if !ok1 || !ok2 {
		t.Fatalf("the run does not end with a verdict and the summary: %T, %T", r.records[n-2], r.records[n-1])
	}
	return v
}

// steps returns each target's step records by index.
func (r searchRun) steps() map[string]map[int]*report.Step {
	out := map[string]map[int]*report.Step{}
	for _, rec := range r.records {
		if st, ok := rec.(*report.Step); ok {
			if out[st.Target] == nil {
				out[st.Target] = map[int]*report.Step{}
			}
			out[st.Target][st.Index] = st
		}
	}
	return out
}

// A step search in mirror mode against two fakes of different capacities (in hits/s) finds each
// capacity within one step: the rate each sustained carried fewer hits/s than its capacity, the
// next step more. Both targets are measured at every step until both broke, the faster one is
// named, and the probe's timings are in the records and the verdict. Virtual time: a search of
// several minutes runs in a moment, and nothing depends on the machine's speed.
func TestCapacitySearchMirror(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Capacities in hits/s; a visit is 4 hits. Past capacity C a fake's latency is
		// 20 ms × (1 + 100 × (ρ − 1)), so its p95 crosses the 200 ms limit at 1.09 × C: 6 and 13.1
		// hits/s, halfway between steps (100k visits/day × 1.5ⁿ is 4.6, 6.9, 10.4, 15.6 hits/s).
		capacities := []float64{5.5, 12}
		limit := func(c float64) float64 { return c * (1 + (200.0/20-1)/100) }
		loads := []matomotest.Load{
			{Capacity: capacities[0], BaseLatency: 20 * time.Millisecond, Window: 5 * time.Second, MaxLatency: 5 * time.Second},
			{Capacity: capacities[1], BaseLatency: 20 * time.Millisecond, Window: 5 * time.Second, MaxLatency: 5 * time.Second},
		}
		pc := config.Default().Probe
		pc.Enabled, pc.Calls, pc.Periods, pc.Interval = true, "VisitsSummary.get", "day:today", 30*time.Second
		r := runSearch(t, searchConfig("baseline", "candidate"), loads, &pc)
		v := r.verdict(t)
		if v.Reason != "all_broken" || v.Best != "candidate" {
			t.Fatalf("verdict %+v, want all_broken with candidate best", v)
		}
		steps := r.steps()
		for i, tv := range v.Targets {
			if !tv.Held || !tv.Broke || tv.BrokeAt != tv.SustainedVisitsPerDay*1.5 || tv.Broken[0].Threshold != report.ThresholdP95 {
				t.Fatalf("%s: %+v, want a held step and the next one broken on p95", tv.Target, tv)
			}
			held, broke := steps[tv.Target][tv.SustainedStep], steps[tv.Target][tv.BrokeStep]
			if c := limit(capacities[i]); held.IntendedHitsPerSec > c || broke.IntendedHitsPerSec <= c {
				t.Errorf("%s (p95 past the limit at %v hits/s): held %v hits/s, broke at %v hits/s; want the limit between",
					tv.Target, c, held.IntendedHitsPerSec, broke.IntendedHitsPerSec)
			}
			if len(tv.Probes) != 1 || tv.Probes[0].Count == 0 {
				t.Errorf("%s: probe stats %+v", tv.Target, tv.Probes)
			}
		}
		// Every step measured both targets, the baseline also after it broke.
		if len(steps["baseline"]) != v.Steps || len(steps["candidate"]) != v.Steps || v.Targets[0].BrokeStep >= v.Steps-1 {
			t.Fatalf("%d and %d step records for %d steps", len(steps["baseline"]), len(steps["candidate"]), v.Steps)
		}
		// The probe's report timings grew with the load: the fakes slow their reports past capacity.
		var first, worst float64
		for _, rec := range r.records {
			if p, ok := rec.(*report.Probe); ok && p.Target == "baseline" {
				if first == 0 {
					first = p.Ms
				}
				worst = max(worst, p.Ms)
			}
		}
		if first != 100 || worst <= first {
			t.Fatalf("baseline report timings from %v to %v ms, want 100 ms growing under overload", first, worst)
		}
	})
}

// Other ends of a search run through the engine: 5xx answers stop the ramp, a binary search
// narrows both targets, and a run that ends first (AUTO_STOP_AFTER_HOURS) leaves a verdict that
// says the search was stopped.
func TestCapacitySearchEnds(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(c *config.Config)
		loads  []matomotest.Load
		reason string
		check  func(t *testing.T, v *report.Verdict)
	}{
		{
			// Past ErrorsAbove the fakes refuse hits with 503; with a latency limit far away, the
			// 5xx threshold (any 5xx) is what breaks (the error share, which would too, is off).
			name: "5xx",
			cfg:  func(c *config.Config) { c.Capacity.Max5xx, c.Capacity.MaxP95ms, c.Capacity.MaxErrors = 0, 60000, 1 },
			loads: []matomotest.Load{
				{Capacity: 5, Growth: 1, ErrorsAbove: 8, Window: 5 * time.Second},
				{Capacity: 5, Growth: 1, ErrorsAbove: 20, Window: 5 * time.Second},
			},
			reason: "all_broken",
			check: func(t *testing.T, v *report.Verdict) {
				for _, tv := range v.Targets {
					if !tv.Broke || tv.Broken[0].Threshold != report.Threshold5xx {
						t.Errorf("%s: %+v, want broken by 5xx", tv.Target, tv)
					}
				}
				if v.Best != "candidate" {
					t.Errorf("best %q", v.Best)
				}
			},
		},
		{
			// In mirror mode a visit holds its slot until both targets answered: once the slow
			// baseline fills CONCURRENCY, visits are dropped for both, but blamed on the baseline,
			// so the candidate is still judged on what it did.
			name: "drops blamed on the slow target",
			cfg: func(c *config.Config) {
				c.Concurrency = 12
				c.Capacity.MaxP95ms, c.Capacity.MaxErrors, c.Capacity.Max5xx, c.Capacity.MaxDropped = 0, 1, 1, 0.01
				c.Capacity.MaxPerDay = 400_000
			},
			loads: []matomotest.Load{
				{Capacity: 5, BaseLatency: 20 * time.Millisecond, Window: 5 * time.Second, MaxLatency: 5 * time.Second},
				{Capacity: 1000, BaseLatency: 20 * time.Millisecond},
			},
			reason: "max_rate",
			check: func(t *testing.T, v *report.Verdict) {
				a, b := v.Targets[0], v.Targets[1]
				if !a.Broke || a.Broken[0].Threshold != report.ThresholdDropped || b.Broke || b.SustainedVisitsPerDay != 400_000 || v.Best != "candidate" {
					t.Errorf("verdict %+v", v)
				}
			},
		},
		{
			// A binary search bisects after the ramp, down to CAPACITY_PRECISION.
			name: "binary",
			cfg: func(c *config.Config) {
				c.Capacity.Search, c.Capacity.Factor, c.Capacity.Precision = config.SearchBinary, 2, 1.25
			},
			loads: []matomotest.Load{
				{Capacity: 5.5, BaseLatency: 20 * time.Millisecond, Window: 5 * time.Second, MaxLatency: 5 * time.Second},
				{Capacity: 12, BaseLatency: 20 * time.Millisecond, Window: 5 * time.Second, MaxLatency: 5 * time.Second},
			},
			reason: "precision",
			check: func(t *testing.T, v *report.Verdict) {
				for _, tv := range v.Targets {
					if !tv.Held || !tv.Broke || tv.BrokeAt/tv.SustainedVisitsPerDay > 1.25 {
						t.Errorf("%s: held %v broke %v, want within ×1.25", tv.Target, tv.SustainedVisitsPerDay, tv.BrokeAt)
					}
				}
			},
		},
		{
			// Stages: held, then ramped linearly, then held again; every stage holds.
			name: "stages",
			cfg: func(c *config.Config) {
				c.Capacity.Search, c.Capacity.Stages = config.SearchStages, "100000:30s,300000:40s,300000:30s"
			},
			loads: []matomotest.Load{
				{Capacity: 1000, BaseLatency: 20 * time.Millisecond},
				{Capacity: 1000, BaseLatency: 20 * time.Millisecond},
			},
			reason: "stages_done",
			check: func(t *testing.T, v *report.Verdict) {
				tv := v.Targets[0]
				if v.Steps != 3 || tv.Broke || tv.SustainedVisitsPerDay != 300000 || tv.SustainedStep != 1 || v.Best != "" {
					t.Errorf("verdict %+v", v)
				}
			},
		},
		{
			// The run's own end comes during the third step.
			name: "stopped",
			cfg:  func(c *config.Config) { c.AutoStopHours = 80.0 / 3600 },
			loads: []matomotest.Load{
				{Capacity: 1000, BaseLatency: 20 * time.Millisecond},
				{Capacity: 1000, BaseLatency: 20 * time.Millisecond},
			},
			reason: "stopped",
			check: func(t *testing.T, v *report.Verdict) {
				if v.Steps != 2 || v.Targets[0].Broke || v.Targets[0].SustainedVisitsPerDay != 150000 || v.Best != "" {
					t.Errorf("verdict %+v", v)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c := searchConfig("baseline", "candidate")
				tt.cfg(&c)
				r := runSearchAnyEnd(t, c, tt.loads)
				v := r.verdict(t)
				if v.Reason != tt.reason {
					t.Fatalf("reason %q, want %q: %+v", v.Reason, tt.reason, v)
				}
				tt.check(t, v)
			})
		})
	}
}
