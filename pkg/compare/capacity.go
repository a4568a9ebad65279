package compare

import (
	"fmt"
	"math"
	"sort"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// stepKey names one step of one target.
type stepKey struct {
	target string
	index  int
}

// stepsOf is a target's capacity steps by index; several loaders' records of one step are
// combined: rates and counts added, the worst percentiles and shares kept.
func (b *builder) stepsOf(name string) []report.Step {
	var idx []int
	for k := range b.steps {
		if k.target == name {
			idx = append(idx, k.index)
		}
	}
	sort.Ints(idx)
	var out []report.Step
	for _, i := range idx {
		out = append(out, combineSteps(b.steps[stepKey{name, i}]))
	}
	return out
}

func combineSteps(ss []report.Step) report.Step {
	s := ss[len(ss)-1]
	if len(ss) == 1 {
		return s
	}
	c := report.Step{Header: s.Header, Target: s.Target, Index: s.Index, Phase: s.Phase, Held: true}
	for _, x := range ss {
		c.VisitsPerDay = max(c.VisitsPerDay, x.VisitsPerDay)
		c.Seconds = max(c.Seconds, x.Seconds)
		c.AchievedVisitsPerDay += x.AchievedVisitsPerDay
		c.HitsPerSec += x.HitsPerSec
		c.IntendedHitsPerSec += x.IntendedHitsPerSec
		c.Hits += x.Hits
		c.VisitsDropped += x.VisitsDropped
		c.Status5xx += x.Status5xx
		c.LatencyP50ms = max(c.LatencyP50ms, x.LatencyP50ms)
		c.LatencyP95ms = max(c.LatencyP95ms, x.LatencyP95ms)
		c.LatencyP99ms = max(c.LatencyP99ms, x.LatencyP99ms)
		c.ErrorShare = max(c.ErrorShare, x.ErrorShare)
		c.DroppedShare = max(c.DroppedShare, x.DroppedShare)
		c.Status5xxShare = max(c.Status5xxShare, x.Status5xxShare)
		c.Held = c.Held && x.Held
		c.Broken = append(c.Broken, x.Broken...)
	}
	return c
}

// onlyVerdict is the verdict of a run of one loader (a search on several loaders is judged
// from their combined steps instead).
func (b *builder) onlyVerdict() *report.Verdict {
	if len(b.verdicts) != 1 || len(b.procs) > 1 {
		return nil
	}
	for _, v := range b.verdicts {
		return v
	}
	return nil
}

// capacity is a target's search result: the loader's verdict when one loader searched, else
// what its steps show.
func (b *builder) capacity(name string, steps []report.Step) *Capacity {
	if v := b.onlyVerdict(); v != nil {
		for _, t := range v.Targets {
			if t.Target == name {
				c := &Capacity{Held: t.Held, SustainedVisitsPerDay: t.SustainedVisitsPerDay,
					SustainedHitsPerSec: t.SustainedHitsPerSec, SustainedP95ms: t.SustainedP95ms,
					Broke: t.Broke, BrokeAt: t.BrokeAt, Broken: t.Broken, Why: firstNonEmpty(t.Why, whyOf(t.Broke, t.BrokeAt, t.Broken))}
				for _, s := range steps { // figures a verdict record left out
					if c.Held && s.Held && s.VisitsPerDay == c.SustainedVisitsPerDay {
						c.SustainedHitsPerSec = firstNonZero(c.SustainedHitsPerSec, s.HitsPerSec)
						c.SustainedP95ms = firstNonZero(c.SustainedP95ms, s.LatencyP95ms)
					}
				}
				return c
			}
		}
	}
	if len(steps) == 0 {
		return nil
	}
	return capacityOfSteps(steps)
}

// capacityOfSteps: the lowest rate that broke, and the highest that held below it.
func capacityOfSteps(steps []report.Step) *Capacity {
	c := &Capacity{}
	var broke *report.Step
	for i := range steps {
		if s := &steps[i]; !s.Held && (broke == nil || s.VisitsPerDay < broke.VisitsPerDay) {
			broke = s
		}
	}
	for _, s := range steps {
		if s.Held && (broke == nil || s.VisitsPerDay < broke.VisitsPerDay) && s.VisitsPerDay >= c.SustainedVisitsPerDay {
			c.Held, c.SustainedVisitsPerDay, c.SustainedHitsPerSec, c.SustainedP95ms = true, s.VisitsPerDay, s.HitsPerSec, s.LatencyP95ms
		}
	}
	if broke != nil {
		c.Broke, c.BrokeAt, c.Broken = true, broke.VisitsPerDay, broke.Broken
	}
	c.Why = whyOf(c.Broke, c.BrokeAt, c.Broken)
	return c
}

// whyOf says where a target broke and why, or that it did not.
func whyOf(broke bool, at float64, breaches []report.Breach) string {
	if !broke {
		return "held every rate tried"
	}
	if len(breaches) == 0 {
		return fmt.Sprintf("broke at %s visits/day", count(at))
	}
	return fmt.Sprintf("%s at %s visits/day", breachText(breaches[0]), count(at))
}

// finishProbe computes a call's percentiles over the timings that answered with data.
func finishProbe(ps *ProbeSeries) {
	var ms []float64
	for _, p := range ps.Points {
		if p.OK {
			ms = append(ms, p.Ms)
		}
	}
	sort.Float64s(ms)
	ps.P50ms, ps.P95ms = percentile(ms, 0.50), percentile(ms, 0.95)
	if len(ms) > 0 {
		ps.MaxMs = ms[len(ms)-1]
	}
}

// percentile is the nearest-rank percentile of sorted values (0 for none).
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}
