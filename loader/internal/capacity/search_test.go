package capacity

import (
	"math"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// fake is a target with a capacity in visits/day: below it, requests take 20 ms; above it p95
// climbs past any sensible limit, and past errorsAt it also answers 5xx.
type fake struct {
	capacity, errorsAt float64
}

func (f fake) measure(rate float64) Measure {
	m := Measure{Seconds: 50, VisitsStarted: int64(rate / 86400 * 50), HitsSent: 5 * int64(rate/86400*50), P50ms: 10, P95ms: 20, P99ms: 30}
	m.VisitsDue = m.VisitsStarted
	m.HitsAnswered, m.Requests = m.HitsSent, m.HitsSent
	if rate > f.capacity {
		m.P50ms, m.P95ms, m.P99ms = 200, 1500*rate/f.capacity, 4000
	}
	if f.errorsAt > 0 && rate > f.errorsAt {
		m.Status5xx = m.Requests / 10
		m.HitsErrors = m.HitsAnswered / 10
	}
	return m
}

func baseCfg(search string) config.Capacity {
	c := config.Default().Capacity
	c.Search = search
	return c
}

// run drives s to its end against the fakes and returns the verdict and the steps run.
func run(t *testing.T, s *Search, fakes ...fake) (report.Verdict, []Step) {
	t.Helper()
	var steps []Step
	for range 1000 {
		st, ok := s.Next()
		if !ok {
			return s.Verdict(), steps
		}
		steps = append(steps, st)
		ms := make([]Measure, len(fakes))
		for i, f := range fakes {
			ms[i] = f.measure(st.VisitsPerDay)
		}
		s.Record(st, ms)
	}
	t.Fatal("the search never ended")
	return report.Verdict{}, nil
}

func names(n int) []string { return []string{"baseline", "candidate", "third"}[:n] }

// The step search finds each target's capacity within one step: the rate it sustained is at
// most the capacity, and the next step (one factor up) broke. In mirror mode both targets are
// measured at every step until both broke, and the faster one is named.
func TestStepSearchFindsCapacity(t *testing.T) {
	tests := []struct {
		name   string
		cfg    func(c *config.Capacity)
		fakes  []fake
		reason string
		best   string
	}{
		// One target of 1.2M visits/day: 100k × 1.5^n steps.
		{"one target", func(*config.Capacity) {}, []fake{{capacity: 1.2e6}}, ReasonAllBroken, ""},
		// Two targets, the candidate 2.5× faster.
		{"mirror two capacities", func(*config.Capacity) {}, []fake{{capacity: 1e6}, {capacity: 2.5e6}}, ReasonAllBroken, "candidate"},
		// Even steps of 250k.
		{"increments", func(c *config.Capacity) { c.Increment = 250000 }, []fake{{capacity: 900000}, {capacity: 1.6e6}}, ReasonAllBroken, "candidate"},
		// One target past the highest rate: it held everything, and is the better one.
		{"past the top", func(c *config.Capacity) { c.MaxPerDay = 3e6 }, []fake{{capacity: 1e6}, {capacity: 5e6}}, ReasonMaxRate, "candidate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseCfg(config.SearchStep)
			tt.cfg(&cfg)
			s, err := New(cfg, names(len(tt.fakes)))
			if err != nil {
				t.Fatal(err)
			}
			v, steps := run(t, s, tt.fakes...)
			if v.Reason != tt.reason || v.Best != tt.best {
				t.Fatalf("reason %q best %q, want %q %q", v.Reason, v.Best, tt.reason, tt.best)
			}
			for i, f := range tt.fakes {
				tv := v.Targets[i]
				if f.capacity >= cfg.MaxPerDay {
					if tv.Broke || tv.SustainedVisitsPerDay != cfg.MaxPerDay || !strings.Contains(tv.Why, "capacity is higher") {
						t.Errorf("%s: %+v, want held up to the top", tv.Target, tv)
					}
					continue
				}
				next := tv.SustainedVisitsPerDay * cfg.Factor
				if cfg.Increment > 0 {
					next = tv.SustainedVisitsPerDay + cfg.Increment
				}
				if !tv.Held || !tv.Broke || tv.SustainedVisitsPerDay > f.capacity || tv.BrokeAt <= f.capacity || math.Abs(tv.BrokeAt-next) > 1e-6 {
					t.Errorf("%s (capacity %g): sustained %g, broke at %g; want within one step", tv.Target, f.capacity, tv.SustainedVisitsPerDay, tv.BrokeAt)
				}
				if len(tv.Broken) == 0 || tv.Broken[0].Threshold != report.ThresholdP95 || !strings.Contains(tv.Why, "p95") {
					t.Errorf("%s: broke because %+v (%q), want p95", tv.Target, tv.Broken, tv.Why)
				}
			}
			// The ramp never went down, and it stopped at the first step where all had broken.
			for i := 1; i < len(steps); i++ {
				if steps[i].VisitsPerDay <= steps[i-1].VisitsPerDay || steps[i].Phase != PhaseStep {
					t.Fatalf("step %d: %+v after %+v", i, steps[i], steps[i-1])
				}
			}
		})
	}
}

// The binary search narrows each target's capacity to CAPACITY_PRECISION, still measuring
// every target at every step.
func TestBinarySearchNarrows(t *testing.T) {
	cfg := baseCfg(config.SearchBinary)
	fakes := []fake{{capacity: 1.3e6}, {capacity: 4.1e6}}
	s, err := New(cfg, names(2))
	if err != nil {
		t.Fatal(err)
	}
	v, steps := run(t, s, fakes...)
	if v.Reason != ReasonPrecision || v.Best != "candidate" {
		t.Fatalf("reason %q best %q", v.Reason, v.Best)
	}
	binary := 0
	for _, st := range steps {
		if st.Phase == PhaseBinary {
			binary++
		}
	}
	if binary == 0 {
		t.Fatal("no bisection step")
	}
	for i, f := range fakes {
		tv := v.Targets[i]
		if tv.SustainedVisitsPerDay > f.capacity || tv.BrokeAt <= f.capacity || tv.BrokeAt/tv.SustainedVisitsPerDay > cfg.Precision {
			t.Errorf("%s (capacity %g): held %g, broke %g; want within ×%g", tv.Target, f.capacity, tv.SustainedVisitsPerDay, tv.BrokeAt, cfg.Precision)
		}
	}
}

// Every threshold stops the ramp: the step that breaks it is the last of a single target's
// search, and the verdict names it.
func TestThresholdsStopTheRamp(t *testing.T) {
	tests := []struct {
		name      string
		cfg       func(c *config.Capacity)
		measure   func(rate float64, m *Measure)
		threshold string
	}{
		{"p95", func(*config.Capacity) {}, func(r float64, m *Measure) {
			if r > 5e5 {
				m.P95ms = 1200
			}
		}, report.ThresholdP95},
		{"p99", func(c *config.Capacity) { c.MaxP99ms = 300 }, func(r float64, m *Measure) {
			if r > 5e5 {
				m.P99ms = 301
			}
		}, report.ThresholdP99},
		{"errors", func(*config.Capacity) {}, func(r float64, m *Measure) {
			if r > 5e5 {
				m.HitsErrors = m.HitsAnswered/50 + 1 // just over 2 %
			}
		}, report.ThresholdErrors},
		{"dropped", func(*config.Capacity) {}, func(r float64, m *Measure) {
			if r > 5e5 {
				m.VisitsDropped = m.VisitsDue / 20
			}
		}, report.ThresholdDropped},
		// Any 5xx breaks by default.
		{"one 5xx", func(*config.Capacity) {}, func(r float64, m *Measure) {
			if r > 5e5 {
				m.Status5xx = 1
			}
		}, report.Threshold5xx},
		// Hits sent, nothing came back.
		{"no answers", func(*config.Capacity) {}, func(r float64, m *Measure) {
			if r > 5e5 {
				m.HitsAnswered, m.Requests = 0, 0
			}
		}, report.ThresholdNoSamples},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseCfg(config.SearchStep)
			tt.cfg(&cfg)
			s, err := New(cfg, names(1))
			if err != nil {
				t.Fatal(err)
			}
			var last float64
			var ths []report.Threshold
			for {
				st, ok := s.Next()
				if !ok {
					break
				}
				last = st.VisitsPerDay
				m := fake{capacity: math.Inf(1)}.measure(st.VisitsPerDay)
				tt.measure(st.VisitsPerDay, &m)
				_, th := s.Record(st, []Measure{m})
				ths = append(ths, th...)
			}
			v := s.Verdict()
			tv := v.Targets[0]
			if v.Reason != ReasonAllBroken || last <= 5e5 || last > 5e5*cfg.Factor || tv.BrokeAt != last {
				t.Fatalf("ended %q at %g (broke at %g), want all_broken at the first step above 500000", v.Reason, last, tv.BrokeAt)
			}
			if len(tv.Broken) != 1 || tv.Broken[0].Threshold != tt.threshold {
				t.Fatalf("broken %+v, want %s", tv.Broken, tt.threshold)
			}
			if len(ths) != 1 || ths[0].Threshold != tt.threshold || ths[0].VisitsPerDay != last {
				t.Fatalf("threshold records %+v", ths)
			}
		})
	}
}

// A broken target keeps being measured while the other still holds, but a threshold record is
// printed only the first time it breaks.
func TestBrokenTargetKeepsBeingMeasured(t *testing.T) {
	s, err := New(baseCfg(config.SearchStep), names(2))
	if err != nil {
		t.Fatal(err)
	}
	fakes := []fake{{capacity: 2e5}, {capacity: 2e6}}
	var ths []report.Threshold
	var measured []int
	for {
		st, ok := s.Next()
		if !ok {
			break
		}
		recs, th := s.Record(st, []Measure{fakes[0].measure(st.VisitsPerDay), fakes[1].measure(st.VisitsPerDay)})
		ths = append(ths, th...)
		measured = append(measured, len(recs))
	}
	for i, n := range measured {
		if n != 2 {
			t.Fatalf("step %d measured %d targets", i, n)
		}
	}
	if len(ths) != 2 || ths[0].Target != "baseline" || ths[1].Target != "candidate" {
		t.Fatalf("threshold records %+v, want one per target", ths)
	}
	if v := s.Verdict(); v.Steps != len(measured) || v.Targets[0].BrokeStep >= v.Targets[1].BrokeStep {
		t.Fatalf("verdict %+v", v)
	}
}

// Stages run in order, ramped after the first; the search stops early once everything broke,
// and CAPACITY_MAX_STEPS bounds any search.
func TestStagesAndMaxSteps(t *testing.T) {
	cfg := baseCfg(config.SearchStages)
	cfg.Stages = "100000:1m,400000:2m,400000:2m,2000000:2m,4000000:1m"
	s, err := New(cfg, names(1))
	if err != nil {
		t.Fatal(err)
	}
	v, steps := run(t, s, fake{capacity: 1e6})
	if len(steps) != 4 || steps[0].Ramp || !steps[1].Ramp || steps[1].Duration != 120 || steps[3].Phase != PhaseStage {
		t.Fatalf("steps %+v", steps)
	}
	if v.Reason != ReasonAllBroken || v.Targets[0].SustainedVisitsPerDay != 400000 || v.Targets[0].BrokeAt != 2e6 {
		t.Fatalf("verdict %+v", v)
	}
	s, _ = New(cfg, names(1))
	if v, steps = run(t, s, fake{capacity: 1e9}); v.Reason != ReasonStagesDone || len(steps) != 5 || !strings.Contains(v.Targets[0].Why, "every stage") {
		t.Fatalf("all stages held: %+v", v)
	}

	cfg = baseCfg(config.SearchStep)
	cfg.MaxSteps = 3
	s, _ = New(cfg, names(1))
	if v, steps = run(t, s, fake{capacity: 1e9}); v.Reason != ReasonSteps || len(steps) != 3 || v.Targets[0].SustainedVisitsPerDay != 225000 {
		t.Fatalf("max steps: %+v", v)
	}
}

// A target that breaks at the first step has no sustained rate, and the verdict says to start lower.
func TestNothingHeld(t *testing.T) {
	s, _ := New(baseCfg(config.SearchBinary), names(2))
	v, _ := run(t, s, fake{capacity: 1000}, fake{capacity: 1000})
	for _, tv := range v.Targets {
		if tv.Held || tv.SustainedStep != -1 || tv.BrokeStep != 0 || !strings.Contains(tv.Why, "lower CAPACITY_START_VISITS_PER_DAY") {
			t.Fatalf("%+v", tv)
		}
	}
	if v.Best != "" {
		t.Fatalf("best %q of two that held nothing", v.Best)
	}
}

func TestNewRefuses(t *testing.T) {
	if _, err := New(baseCfg(config.SearchOff), names(1)); err == nil {
		t.Error("a search that is off")
	}
	c := baseCfg(config.SearchStep)
	c.Factor, c.Increment = 1, 0
	if _, err := New(c, names(1)); err == nil {
		t.Error("a ramp that never rises")
	}
	c = baseCfg(config.SearchStages)
	if _, err := New(c, names(1)); err == nil {
		t.Error("stages without stages")
	}
}

func TestRateAndBreachWords(t *testing.T) {
	if got := Rate(1500000); got != "1,500,000" {
		t.Errorf("Rate = %q", got)
	}
	if got := Rate(999); got != "999" {
		t.Errorf("Rate = %q", got)
	}
	if got := DescribeBreach(report.Breach{Threshold: report.ThresholdErrors, Observed: 0.034, Limit: 0.01}); got != "errors 3.40% > 1.00%" {
		t.Errorf("DescribeBreach = %q", got)
	}
}
