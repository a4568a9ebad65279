package compare

import (
	"fmt"
	"math"
	"strings"
)

// judge compares every other target with the baseline and names the faster one. Only targets that
// got the same visits are judged: a mirror run or a capacity search (whose targets all get every
// visit). A weighted run's targets got different visits, so it gets a note instead.
func judge(r *Report) {
	switch {
	case len(r.Targets) < 2:
		r.Headline = singleHeadline(r)
		return
	case r.Kind == KindWeighted:
		r.Notes = append(r.Notes, "TARGET_MODE was weighted: each visit went to one target, so the targets got different "+
			"traffic and no verdict is given. Compare targets with a mirror run.")
		r.Headline = "No verdict: the targets got different traffic (weighted)."
		return
	}
	base := r.Targets[baselineIndex(r)]
	for _, cand := range r.Targets {
		if cand.Name == base.Name {
			continue
		}
		r.Verdicts = append(r.Verdicts, verdictsOf(r, base, cand)...)
	}
	r.Faster = faster(r)
	r.Headline = headline(r)
	if r.Kind == KindCapacity && !allHaveCapacity(r) {
		r.Notes = append(r.Notes, "Not every target has a capacity result: the search ended before it measured them all.")
	}
}

func baselineIndex(r *Report) int {
	for i, t := range r.Targets {
		if t.Baseline {
			return i
		}
	}
	return 0
}

func allHaveCapacity(r *Report) bool {
	for _, t := range r.Targets {
		if t.Capacity == nil {
			return false
		}
	}
	return true
}

// verdictsOf compares one candidate with the baseline on every measure both have.
func verdictsOf(r *Report, base, cand Target) []Verdict {
	var out []Verdict
	v := func(metric, label, unit string, b, c float64, higherBetter bool, at float64) {
		out = append(out, makeVerdict(r.MinChange, metric, label, unit, base.Name, cand.Name, b, c, higherBetter, at))
	}
	if base.Capacity != nil && cand.Capacity != nil {
		v(MetricSustained, "", "visits/day", base.Capacity.SustainedVisitsPerDay, cand.Capacity.SustainedVisitsPerDay, true, 0)
		if bs, cs, ok := commonStep(base, cand); ok {
			v(MetricP95, "", "ms", bs.LatencyP95ms, cs.LatencyP95ms, false, bs.VisitsPerDay)
		}
	} else if base.Totals.HitsSent > 0 && cand.Totals.HitsSent > 0 {
		v(MetricP95, "", "ms", base.Totals.LatencyP95ms, cand.Totals.LatencyP95ms, false, r.VisitsPerDay)
		v(MetricThroughput, "", "hits/s", base.Totals.HitsPerSec, cand.Totals.HitsPerSec, true, 0)
	}
	if max(base.Totals.ErrorShare, cand.Totals.ErrorShare) >= MinErrorShareDelta {
		v(MetricErrors, "", "share", base.Totals.ErrorShare, cand.Totals.ErrorShare, false, 0)
	}
	for _, bp := range base.Probes {
		for _, cp := range cand.Probes {
			if cp.Label == bp.Label && cp.Count > cp.Failed && bp.Count > bp.Failed {
				v(MetricReportP95, bp.Label, "ms", bp.P95ms, cp.P95ms, false, 0)
			}
		}
	}
	return out
}

// commonStep is the step both targets are compared at: the highest index both held, else the
// first step both were measured at.
func commonStep(base, cand Target) (b, c stepAt, ok bool) {
	byIndex := map[int]stepAt{}
	for _, s := range cand.Steps {
		byIndex[s.Index] = stepAt{s.VisitsPerDay, s.LatencyP95ms, s.Held}
	}
	var first, best *[2]stepAt
	for _, s := range base.Steps {
		cs, found := byIndex[s.Index]
		if !found {
			continue
		}
		pair := [2]stepAt{{s.VisitsPerDay, s.LatencyP95ms, s.Held}, cs}
		if first == nil {
			first = &pair
		}
		if s.Held && cs.held {
			best = &pair
		}
	}
	switch {
	case best != nil:
		return best[0], best[1], true
	case first != nil:
		return first[0], first[1], true
	}
	return stepAt{}, stepAt{}, false
}

type stepAt struct {
	VisitsPerDay float64
	LatencyP95ms float64
	held         bool
}

// makeVerdict decides one measure: same when the relative difference is under minChange (or an
// absolute floor for latencies and error shares), else better or worse.
func makeVerdict(minChange float64, metric, label, unit, base, cand string, b, c float64, higherBetter bool, at float64) Verdict {
	v := Verdict{Metric: metric, Label: label, Target: cand, Baseline: base, BaselineValue: round(b, 6), Value: round(c, 6),
		Unit: unit, AtVisitsPerDay: at, Outcome: OutcomeSame}
	if b != 0 {
		v.Change = round(c/b-1, 4)
	}
	if significant(minChange, unit, b, c) {
		v.Outcome = OutcomeWorse
		if (c > b) == higherBetter {
			v.Outcome = OutcomeBetter
		}
	}
	v.Text = verdictText(v, minChange)
	return v
}

// significant reports whether b and c differ by at least minChange relative to b (any difference
// from zero counts), and by the absolute floor of their unit.
func significant(minChange float64, unit string, b, c float64) bool {
	d := math.Abs(c - b)
	switch {
	case d == 0:
		return false
	case unit == "ms" && d < MinLatencyDeltaMs:
		return false
	case unit == "share" && d < MinErrorShareDelta:
		return false
	case b == 0:
		return true
	}
	return d/math.Abs(b) >= minChange
}

// faster names the target best on the main measure when it is significantly better than every
// other target.
func faster(r *Report) string {
	metric := MetricP95
	if r.Kind == KindCapacity && allHaveCapacity(r) {
		metric = MetricSustained
	}
	val := func(t Target) (float64, bool) {
		if metric == MetricSustained {
			return t.Capacity.SustainedVisitsPerDay, true
		}
		return t.Totals.LatencyP95ms, t.Totals.HitsSent > 0
	}
	higher := metric == MetricSustained
	if metric == MetricP95 && r.Kind == KindCapacity {
		return "" // a search that did not measure every target names no winner
	}
	best := -1
	for i, t := range r.Targets {
		x, ok := val(t)
		if !ok {
			return ""
		}
		if y, _ := val(r.Targets[max(best, 0)]); best < 0 || (higher && x > y) || (!higher && x < y) {
			best = i
		}
	}
	bx, _ := val(r.Targets[best])
	for i, t := range r.Targets {
		if i == best {
			continue
		}
		if x, _ := val(t); !significant(r.MinChange, unitOf(metric), x, bx) {
			return ""
		}
	}
	return r.Targets[best].Name
}

func unitOf(metric string) string {
	if metric == MetricSustained {
		return "visits/day"
	}
	return "ms"
}

// headline is the one-sentence answer.
func headline(r *Report) string {
	if r.Faster == "" {
		if len(r.Verdicts) == 0 {
			return "No verdict: the records hold no measure of every target."
		}
		return fmt.Sprintf("No significant difference between the targets on the main measure (threshold %s).", percent(r.MinChange))
	}
	var why []string
	for _, v := range r.Verdicts {
		if v.Metric != MetricSustained && v.Metric != MetricP95 || v.Outcome == OutcomeSame {
			continue
		}
		switch {
		case r.Faster == r.Baseline:
			why = append(why, v.Target+"'s "+measureAt(v))
		case v.Target == r.Faster:
			why = append(why, measureAt(v))
		}
	}
	s := r.Faster + " is faster"
	if r.Faster != r.Baseline {
		s += " than " + r.Baseline
	}
	if len(why) > 0 {
		s += ": " + strings.Join(why, "; ")
	}
	return s + "."
}

// measureAt is measureText with the load it was measured at.
func measureAt(v Verdict) string {
	if v.AtVisitsPerDay > 0 {
		return measureText(v) + " at " + count(v.AtVisitsPerDay) + " visits/day"
	}
	return measureText(v)
}

// singleHeadline describes a run of one target.
func singleHeadline(r *Report) string {
	if len(r.Targets) == 0 {
		return "No figures: the run printed no report records yet."
	}
	t := r.Targets[0]
	if t.Capacity != nil {
		return t.Name + ": " + capacityText(t.Capacity) + "."
	}
	return fmt.Sprintf("%s: tracking p95 %s ms, %s hits/s tracked; one target, nothing to compare.", t.Name, num(t.Totals.LatencyP95ms), num(t.Totals.HitsPerSec))
}
