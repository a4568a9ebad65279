// Package capacity finds the highest visit rate each Matomo target sustains: a live run's rate
// is raised step by step (or bisected, or moved through stages) while every step is measured per
// target against thresholds on tracking latency, errors, dropped visits and 5xx answers.
//
// Search is the pure part: it decides the next step from the measurements of the last ones and
// keeps each target's verdict, with no clock and no I/O, so it is tested as tables. Runner drives
// a Search in time: it sets the rate through a pace.Ramp, waits each step out on an
// engines.Clock and measures it from the run's meter.Set.
//
// Every target gets the same visits (in mirror mode) for the whole search: a target that broke
// a threshold keeps receiving them, and keeps being measured, until every target broke or the
// search ends, so that the comparison stays one of identical traffic. Each target's verdict is
// the highest rate it held below the lowest rate it broke at.
package capacity

import (
	"errors"
	"fmt"
	"math"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Reasons a search ends (report.Verdict.Reason).
const (
	ReasonAllBroken  = "all_broken"  // every target broke a threshold
	ReasonMaxRate    = "max_rate"    // CAPACITY_MAX_VISITS_PER_DAY was reached
	ReasonStagesDone = "stages_done" // every stage ran
	ReasonPrecision  = "precision"   // binary: every target known to CAPACITY_PRECISION
	ReasonSteps      = "steps"       // CAPACITY_MAX_STEPS ran
	ReasonStopped    = "stopped"     // the run ended first (a signal, AUTO_STOP_AFTER_HOURS, MAX_TOTAL_VISITS)
)

// Phases of a step (report.Step.Phase).
const (
	PhaseStep   = "step"
	PhaseStage  = "stage"
	PhaseBinary = "binary"
)

// Step is one step the search asks for: hold (or, in stages, ramp to) VisitsPerDay.
type Step struct {
	Index        int
	Phase        string
	VisitsPerDay float64
	// Duration is how long the step lasts; Ramp whether the rate moves linearly to VisitsPerDay
	// over it (a stage) rather than jumping there at once.
	Duration float64 // seconds
	Ramp     bool
}

// Measure is what one target did during the measured part of a step.
type Measure struct {
	Seconds       float64
	VisitsStarted int64
	// VisitsDue counts the visits due to the target (started or dropped); VisitsDropped the
	// dropped ones blamed on it.
	VisitsDue     int64
	VisitsDropped int64
	HitsSent      int64
	// HitsAnswered counts hits with an outcome (tracked, invalid, failed, bulk-dropped); HitsErrors
	// the failed and invalid ones.
	HitsAnswered int64
	HitsErrors   int64
	// Requests counts requests with a reply class (every HTTP request, retries excluded);
	// Status5xx those answered 5xx.
	Requests  int64
	Status5xx int64
	P50ms     float64
	P95ms     float64
	P99ms     float64
}

// Thresholds are the limits a step must stay within on a target to hold.
type Thresholds struct {
	P95ms, P99ms             float64 // 0: off
	ErrorShare, DroppedShare float64 // 1: off
	Share5xx                 float64 // 1: off; 0: any 5xx breaks
}

// ThresholdsOf returns the thresholds of a config.
func ThresholdsOf(c config.Capacity) Thresholds {
	return Thresholds{P95ms: c.MaxP95ms, P99ms: c.MaxP99ms, ErrorShare: c.MaxErrors, DroppedShare: c.MaxDropped, Share5xx: c.Max5xx}
}

func share(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Check returns the thresholds m breaks, in a fixed order.
func (t Thresholds) Check(m Measure) []report.Breach {
	var out []report.Breach
	if m.HitsSent > 0 && m.HitsAnswered == 0 && m.Requests == 0 {
		out = append(out, report.Breach{Threshold: report.ThresholdNoSamples, Observed: 0, Limit: float64(m.HitsSent)})
	}
	if t.P95ms > 0 && m.P95ms > t.P95ms {
		out = append(out, report.Breach{Threshold: report.ThresholdP95, Observed: m.P95ms, Limit: t.P95ms})
	}
	if t.P99ms > 0 && m.P99ms > t.P99ms {
		out = append(out, report.Breach{Threshold: report.ThresholdP99, Observed: m.P99ms, Limit: t.P99ms})
	}
	if e := share(m.HitsErrors, m.HitsAnswered); t.ErrorShare < 1 && e > t.ErrorShare {
		out = append(out, report.Breach{Threshold: report.ThresholdErrors, Observed: e, Limit: t.ErrorShare})
	}
	if d := share(m.VisitsDropped, m.VisitsDue); t.DroppedShare < 1 && d > t.DroppedShare {
		out = append(out, report.Breach{Threshold: report.ThresholdDropped, Observed: d, Limit: t.DroppedShare})
	}
	if s := share(m.Status5xx, m.Requests); t.Share5xx < 1 && s > t.Share5xx {
		out = append(out, report.Breach{Threshold: report.Threshold5xx, Observed: s, Limit: t.Share5xx})
	}
	return out
}

// ErrConfig means the capacity settings cannot drive a search (Validate reports why, field by field).
var ErrConfig = errors.New("capacity: unusable settings")

// Search is a capacity search's decisions and per-target results. It is not safe for concurrent
// use; Runner owns it.
type Search struct {
	cfg     config.Capacity
	th      Thresholds
	stages  []config.Stage
	targets []*result
	steps   []Step // asked for, in order
	reason  string // set once the search is over
	ramped  bool   // binary: the ramp is over, bisection has begun
}

// result is one target's history.
type result struct {
	name   string
	runs   []report.Step // one per step measured, in order
	warned map[string]bool
}

// New returns the search of cfg over the named targets.
func New(cfg config.Capacity, targets []string) (*Search, error) {
	if !cfg.Enabled() {
		return nil, fmt.Errorf("%w: CAPACITY_SEARCH is %q", ErrConfig, cfg.Search)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("%w: no target", ErrConfig)
	}
	s := &Search{cfg: cfg, th: ThresholdsOf(cfg)}
	if cfg.Search == config.SearchStages {
		st, err := config.ParseStages(cfg.Stages)
		if err != nil || len(st) == 0 {
			return nil, fmt.Errorf("%w: CAPACITY_STAGES: %w", ErrConfig, err)
		}
		s.stages = st
	} else if !(cfg.StartPerDay > 0) || cfg.MaxPerDay < cfg.StartPerDay || (cfg.Factor <= 1 && cfg.Increment <= 0) {
		return nil, fmt.Errorf("%w: the ramp from %g by ×%g or +%g to %g never rises", ErrConfig, cfg.StartPerDay, cfg.Factor, cfg.Increment, cfg.MaxPerDay)
	}
	for _, n := range targets {
		s.targets = append(s.targets, &result{name: n, warned: map[string]bool{}})
	}
	return s, nil
}

// Next returns the step to run next, or false when the search is over (see Reason).
func (s *Search) Next() (Step, bool) {
	if s.reason != "" {
		return Step{}, false
	}
	if len(s.steps) >= s.cfg.MaxSteps && s.cfg.MaxSteps > 0 {
		return s.finish(ReasonSteps)
	}
	i := len(s.steps)
	var st Step
	switch s.cfg.Search {
	case config.SearchStages:
		if i >= len(s.stages) {
			return s.finish(ReasonStagesDone)
		}
		if i > 0 && s.allBroken() {
			return s.finish(ReasonAllBroken)
		}
		st = Step{Phase: PhaseStage, VisitsPerDay: s.stages[i].VisitsPerDay, Duration: s.stages[i].Duration.Seconds(), Ramp: i > 0}
	default:
		rate, ok, why := s.nextRate()
		if !ok {
			return s.finish(why)
		}
		st = rate
	}
	st.Index = i
	s.steps = append(s.steps, st)
	return st, true
}

// nextRate is the next step of a step or binary search.
func (s *Search) nextRate() (Step, bool, string) {
	d := s.cfg.StepDuration.Seconds()
	if len(s.steps) == 0 {
		return Step{Phase: PhaseStep, VisitsPerDay: s.cfg.StartPerDay, Duration: d}, true, ""
	}
	if !s.ramped {
		last := s.steps[len(s.steps)-1].VisitsPerDay
		switch {
		case s.allBroken():
			s.ramped = true
		case last >= s.cfg.MaxPerDay:
			s.ramped = true
			if s.cfg.Search == config.SearchStep {
				return Step{}, false, ReasonMaxRate
			}
		default:
			next := last * s.cfg.Factor
			if s.cfg.Increment > 0 {
				next = last + s.cfg.Increment
			}
			return Step{Phase: PhaseStep, VisitsPerDay: min(next, s.cfg.MaxPerDay), Duration: d}, true, ""
		}
		if s.cfg.Search == config.SearchStep {
			return Step{}, false, ReasonAllBroken
		}
	}
	// Binary: bisect the widest gap between a target's last rate held and first rate broken.
	var widest float64
	var mid float64
	for _, t := range s.targets {
		held, broke, ok := t.bounds()
		if !ok || held <= 0 {
			continue
		}
		if ratio := broke / held; ratio > s.cfg.Precision && ratio > widest {
			widest, mid = ratio, math.Sqrt(held*broke)
		}
	}
	if widest == 0 {
		if s.allBroken() {
			return Step{}, false, ReasonPrecision
		}
		return Step{}, false, ReasonMaxRate
	}
	return Step{Phase: PhaseBinary, VisitsPerDay: math.Round(mid), Duration: d}, true, ""
}

func (s *Search) finish(reason string) (Step, bool) {
	s.reason = reason
	return Step{}, false
}

// Stop ends the search early (the run is ending); a step asked for but not recorded is dropped.
func (s *Search) Stop() {
	if s.reason == "" {
		s.reason = ReasonStopped
	}
}

// Reason is why the search ended; "" while it runs.
func (s *Search) Reason() string { return s.reason }

func (s *Search) allBroken() bool {
	for _, t := range s.targets {
		if _, _, broke := t.bounds(); !broke {
			return false
		}
	}
	return true
}

// bounds returns the lowest rate the target broke at (ok false when none) and the highest rate
// it held below that.
func (r *result) bounds() (held, broke float64, ok bool) {
	broke = math.Inf(1)
	for _, st := range r.runs {
		if !st.Held && st.VisitsPerDay < broke {
			broke, ok = st.VisitsPerDay, true
		}
	}
	for _, st := range r.runs {
		if st.Held && st.VisitsPerDay < broke && st.VisitsPerDay > held {
			held = st.VisitsPerDay
		}
	}
	return held, broke, ok
}

// Record takes the measures of step st, one per target in New's order, and returns the records
// to print: a Step per target, and a Threshold for each threshold a target breaks for the first
// time in the search.
func (s *Search) Record(st Step, ms []Measure) ([]report.Step, []report.Threshold) {
	var steps []report.Step
	var ths []report.Threshold
	for i, t := range s.targets {
		m := ms[i]
		rec := stepRecord(t.name, st, m)
		rec.Broken = s.th.Check(m)
		rec.Held = len(rec.Broken) == 0
		t.runs = append(t.runs, rec)
		steps = append(steps, rec)
		for _, b := range rec.Broken {
			if t.warned[b.Threshold] {
				continue
			}
			t.warned[b.Threshold] = true
			ths = append(ths, report.Threshold{Target: t.name, Index: st.Index, VisitsPerDay: st.VisitsPerDay, Breach: b})
		}
	}
	return steps, ths
}

func stepRecord(target string, st Step, m Measure) report.Step {
	rec := report.Step{Target: target, Index: st.Index, Phase: st.Phase, VisitsPerDay: st.VisitsPerDay, Seconds: round(m.Seconds, 3),
		Hits: m.HitsAnswered, LatencyP50ms: m.P50ms, LatencyP95ms: m.P95ms, LatencyP99ms: m.P99ms,
		ErrorShare: round(share(m.HitsErrors, m.HitsAnswered), 6), VisitsDropped: m.VisitsDropped,
		DroppedShare: round(share(m.VisitsDropped, m.VisitsDue), 6), Status5xx: m.Status5xx,
		Status5xxShare: round(share(m.Status5xx, m.Requests), 6)}
	if m.Seconds > 0 {
		rec.AchievedVisitsPerDay = round(float64(m.VisitsStarted)/m.Seconds*86400, 1)
		rec.HitsPerSec = round(float64(m.HitsAnswered)/m.Seconds, 3)
		if m.VisitsStarted > 0 {
			rec.IntendedHitsPerSec = round(st.VisitsPerDay/86400*float64(m.HitsSent)/float64(m.VisitsStarted), 3)
		}
	}
	return rec
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
