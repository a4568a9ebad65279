package dayplan

import (
	"math"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/shape"
)

// DiurnalWeights returns the hour-of-day weights of a typical day: a quiet night with the trough
// around 04:00, a morning rise from 06:00, a plateau from 10:00 to 15:00, a dip at dinner time and
// an evening shoulder around 20:00, then a fall towards midnight. The shape is that of a typical
// European content or shop site in its visitors' own time zone; only the ratios matter, because
// every user of the curve scales a day to its total. Live mode's diurnal profile and backfill's
// realistic profile both use it.
func DiurnalWeights() [24]float64 {
	return [24]float64{
		1.6, 1.0, 0.7, 0.5, 0.45, 0.6, // 00–05: night, trough at 04
		1.2, 2.4, 3.8, 4.8, 5.4, 5.6, // 06–11: morning rise
		5.4, 5.5, 5.6, 5.3, 4.8, 4.2, // 12–17: daytime plateau, afternoon ease
		3.9, 4.1, 4.3, 4.0, 3.2, 2.3, // 18–23: dinner dip, evening shoulder, wind-down
	}
}

// HourWeights returns the hour-of-day weights of a backfill profile: flat, or DiurnalWeights for
// realistic.
func HourWeights(profile string) [24]float64 {
	if profile == config.ProfileRealistic {
		return DiurnalWeights()
	}
	var w [24]float64
	for h := range w {
		w[h] = 1
	}
	return w
}

// segment is a stretch of absolute time within one local hour, with a constant visit density.
type segment struct {
	from, to time.Time
	cum      float64 // weight of the day before from
	weight   float64 // weight of the segment: hour weight × seconds
}

// Curve spreads a local calendar day's visits over its real hours. It walks the day in absolute
// time, so a 23-hour or 25-hour DST day has exactly its real hours (the repeated hour weighs twice,
// the skipped one not at all), and quantiles map to instants that exist.
type Curve struct {
	start, end time.Time // local midnight and the next local midnight
	segs       []segment
}

// NewCurve builds the curve of the local day [start, end) with the given hour weights.
func NewCurve(start, end time.Time, loc *time.Location, weights *[24]float64) *Curve {
	c := &Curve{start: start, end: end}
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

// NewShapedCurve is NewCurve with sh's spikes on top: segments are cut where a spike begins or
// ends, and a segment within a spike weighs its factor times more. (The weekly factor scales a whole
// day, so it changes the day's total, not the curve; see New.)
func NewShapedCurve(start, end time.Time, loc *time.Location, weights *[24]float64, sh shape.Shape) *Curve {
	c := NewCurve(start, end, loc, weights)
	pieces := sh.Pieces(start, end)
	if len(pieces) <= 1 {
		return c
	}
	var segs []segment
	cum := 0.0
	for _, s := range c.segs {
		secs := s.to.Sub(s.from).Seconds()
		for _, p := range pieces {
			a, b, ok := p.Clip(s.from, s.to)
			if !ok {
				continue
			}
			w := s.weight * b.Sub(a).Seconds() / secs * p.Factor
			segs = append(segs, segment{from: a, to: b, cum: cum, weight: w})
			cum += w
		}
	}
	c.segs = segs
	return c
}

// Total is the weight of the whole day.
func (c *Curve) Total() float64 {
	if len(c.segs) == 0 {
		return 0
	}
	last := c.segs[len(c.segs)-1]
	return last.cum + last.weight
}

// Cum is the weight of the day before t.
func (c *Curve) Cum(t time.Time) float64 {
	for _, s := range c.segs {
		if t.Before(s.to) {
			if !t.After(s.from) {
				return s.cum
			}
			return s.cum + s.weight*t.Sub(s.from).Seconds()/s.to.Sub(s.from).Seconds()
		}
	}
	return c.Total()
}

// Share is the part of the day's weight that lies before t: what today gets when the plan is made
// at t.
func (c *Curve) Share(t time.Time) float64 {
	if tot := c.Total(); tot > 0 {
		return c.Cum(t) / tot
	}
	return 0
}

// At is the instant where the day's cumulative weight reaches w.
func (c *Curve) At(w float64) time.Time {
	for _, s := range c.segs {
		if w < s.cum+s.weight && s.weight > 0 {
			frac := (w - s.cum) / s.weight
			return s.from.Add(time.Duration(frac * float64(s.to.Sub(s.from))))
		}
	}
	return c.end
}

// Place returns the start (whole seconds) of a visit of length dur at quantile u ∈ [0,1) of the
// part of the day before limit, such that the whole visit ends before limit. A visit longer than
// the time available starts in [start, limit) and cut is true: the caller drops the hits at or
// after limit (only possible today, shortly after midnight).
func (c *Curve) Place(u float64, dur time.Duration, limit time.Time) (start time.Time, cut bool) {
	latest := limit.Add(-dur) // the visit must start before this
	if !latest.After(c.start) {
		latest, cut = limit, true
	}
	t := c.At(u * c.Cum(latest)).Truncate(time.Second)
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
