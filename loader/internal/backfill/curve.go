package backfill

import (
	"math"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// segment is a stretch of absolute time within one local hour, with a constant visit density.
type segment struct {
	from, to time.Time
	cum      float64 // weight of the day before from
	weight   float64 // weight of the segment: hour weight × seconds
}

// dayCurve spreads a local calendar day's visits over its real hours. It walks the day in absolute
// time, so a 23-hour or 25-hour DST day has exactly its real hours (the repeated hour weighs twice,
// the skipped one not at all), and quantiles map to instants that exist.
type dayCurve struct {
	start, end time.Time // local midnight and the next local midnight
	segs       []segment
}

// hourWeights returns the hour-of-day weights of a profile: flat, or live mode's diurnal curve
// (quiet nights, a daytime plateau, an evening shoulder) for realistic.
func hourWeights(profile string) [24]float64 {
	if profile == config.ProfileRealistic {
		return pace.DefaultCurve()
	}
	var w [24]float64
	for h := range w {
		w[h] = 1
	}
	return w
}

// newDayCurve builds the curve of the local day [start, end) with the given hour weights.
func newDayCurve(start, end time.Time, loc *time.Location, weights *[24]float64) *dayCurve {
	c := &dayCurve{start: start, end: end}
	cum := 0.0
	for t := start; t.Before(end); {
		lt := t.In(loc)
		next := t.Add(time.Duration(60-lt.Minute())*time.Minute - time.Duration(lt.Second())*time.Second -
			time.Duration(lt.Nanosecond()))
		if next.After(end) {
			next = end
		}
		w := weights[lt.Hour()] * next.Sub(t).Seconds()
		c.segs = append(c.segs, segment{from: t, to: next, cum: cum, weight: w})
		cum += w
		t = next
	}
	if cum <= 0 { // a curve without weight: spread evenly instead
		cum = 0
		for i := range c.segs {
			c.segs[i].cum, c.segs[i].weight = cum, c.segs[i].to.Sub(c.segs[i].from).Seconds()
			cum += c.segs[i].weight
		}
	}
	return c
}

// total is the weight of the whole day.
func (c *dayCurve) total() float64 {
	if len(c.segs) == 0 {
		return 0
	}
	last := c.segs[len(c.segs)-1]
	return last.cum + last.weight
}

// cum is the weight of the day before t.
func (c *dayCurve) cum(t time.Time) float64 {
	for _, s := range c.segs {
		if t.Before(s.to) {
			if !t.After(s.from) {
				return s.cum
			}
			return s.cum + s.weight*t.Sub(s.from).Seconds()/s.to.Sub(s.from).Seconds()
		}
	}
	return c.total()
}

// share is the part of the day's weight that lies before t: what today gets when the plan is made
// at t.
func (c *dayCurve) share(t time.Time) float64 {
	if tot := c.total(); tot > 0 {
		return c.cum(t) / tot
	}
	return 0
}

// at is the instant where the day's cumulative weight reaches w.
func (c *dayCurve) at(w float64) time.Time {
	for _, s := range c.segs {
		if w < s.cum+s.weight && s.weight > 0 {
			frac := (w - s.cum) / s.weight
			return s.from.Add(time.Duration(frac * float64(s.to.Sub(s.from))))
		}
	}
	return c.end
}

// place returns the start (whole seconds) of a visit of length dur at quantile u ∈ [0,1) of the
// part of the day before limit, such that the whole visit ends before limit. A visit longer than
// the time available starts in [start, limit) and cut is true: the caller drops the hits at or
// after limit (only possible today, shortly after midnight).
func (c *dayCurve) place(u float64, dur time.Duration, limit time.Time) (start time.Time, cut bool) {
	latest := limit.Add(-dur) // the visit must start before this
	if !latest.After(c.start) {
		latest, cut = limit, true
	}
	t := c.at(u * c.cum(latest)).Truncate(time.Second)
	if !t.Before(latest) {
		t = latest.Add(-time.Second).Truncate(time.Second)
	}
	if t.Before(c.start) {
		t = c.start
	}
	return t, cut
}

// roundCount rounds a non-negative visit count to the nearest whole visit.
func roundCount(x float64) int64 {
	if x <= 0 || math.IsNaN(x) {
		return 0
	}
	return int64(math.Round(x))
}
