package pace

import (
	"time"
)

// civilDate is a calendar date with no time zone attached.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

func dateOf(t time.Time, loc *time.Location) civilDate {
	y, m, d := t.In(loc).Date()
	return civilDate{y, m, d}
}

// addDays moves by whole calendar days; time.Date normalises the overflowing day of month.
func (c civilDate) addDays(n int) civilDate {
	y, m, d := time.Date(c.year, c.month, c.day+n, 12, 0, 0, 0, time.UTC).Date()
	return civilDate{y, m, d}
}

func (c civilDate) before(o civilDate) bool {
	if c.year != o.year {
		return c.year < o.year
	}
	if c.month != o.month {
		return c.month < o.month
	}
	return c.day < o.day
}

// localMidnight returns the first instant whose local date is date. time.Date alone is not
// enough: where DST skips midnight it may answer with an instant of the day before, and where
// midnight is repeated it may pick the later one. Both are corrected using the zone periods
// around its answer (transitions fall on whole seconds, so looking one second back suffices).
func localMidnight(date civilDate, loc *time.Location) time.Time {
	g := time.Date(date.year, date.month, date.day, 0, 0, 0, 0, loc)
	for range 4 {
		prev := g.Add(-time.Second).In(loc)
		switch {
		case dateOf(g, loc).before(date): // skipped midnight: the day starts when that period ends
			_, end := g.In(loc).ZoneBounds()
			if end.IsZero() {
				return g
			}
			g = end
		case !dateOf(prev, loc).before(date): // repeated midnight: an earlier instant is already on date
			periodStart, _ := prev.ZoneBounds()
			_, offset := prev.Zone()
			civil := time.Date(date.year, date.month, date.day, 0, 0, 0, 0, time.UTC).Unix()
			g = time.Unix(civil-int64(offset), 0)
			if !periodStart.IsZero() && g.Before(periodStart) {
				g = periodStart
			}
		default:
			return g
		}
	}
	return g
}

// maxSegments bounds a day's segments: 24 hours, one more on a 25-hour day, a few more in the
// zones whose DST shift is not a whole hour. Anything beyond it is folded into the last segment.
const maxSegments = 48

// segment is a stretch of a local day with one local hour-of-day and so one weight.
type segment struct {
	from, to time.Duration // offsets from the day's start
	weight   float64       // the curve's weight for this local hour
	cum      float64       // Σ weight·seconds of the segments before this one
}

// localDay is one local calendar day cut at every point where the local hour changes, with the
// running weight integral that makes N(t) and its inverse exact.
type localDay struct {
	date       civilDate
	start, end time.Time // [start, end): local midnight to local midnight
	segs       [maxSegments]segment
	n          int
	total      float64 // Σ weight·seconds over the whole day
}

// dayContaining returns the local day whose [start, end) holds t. The check around the calendar
// date covers the odd zones whose DST change happens at midnight.
func dayContaining(t time.Time, loc *time.Location, curve *[24]float64) localDay {
	date := dateOf(t, loc)
	day := newLocalDay(date, loc, curve)
	if t.Before(day.start) {
		return newLocalDay(date.addDays(-1), loc, curve)
	}
	if !t.Before(day.end) {
		return newLocalDay(date.addDays(1), loc, curve)
	}
	return day
}

func newLocalDay(date civilDate, loc *time.Location, curve *[24]float64) localDay {
	day := localDay{
		date:  date,
		start: localMidnight(date, loc),
		end:   localMidnight(date.addDays(1), loc),
	}
	for t := day.start; t.Before(day.end) && day.n < maxSegments; {
		t = day.cutPeriod(t, loc, curve)
	}
	day.segs[day.n-1].to = day.end.Sub(day.start) // only moves if maxSegments ran out
	day.weigh(false)
	if day.total == 0 {
		day.weigh(true)
	}
	return day
}

// weigh fills the running integrals; flat replaces every weight with 1 for a day whose hours all
// weigh zero.
func (day *localDay) weigh(flat bool) {
	cum := 0.0
	for i := 0; i < day.n; i++ {
		s := &day.segs[i]
		if flat {
			s.weight = 1
		}
		s.cum = cum
		cum += s.weight * (s.to - s.from).Seconds()
	}
	day.total = cum
}

// cutPeriod appends the segments from t to the end of t's zone period (or of the day), cutting
// at every whole local hour, and returns where it stopped. Within one zone period the UTC offset
// is fixed, so the cuts are plain arithmetic; working in absolute time this way never asks
// time.Date about local times that DST skips or repeats, and costs one zone lookup per period.
func (day *localDay) cutPeriod(t time.Time, loc *time.Location, curve *[24]float64) time.Time {
	lt := t.In(loc)
	_, offset := lt.Zone()
	_, periodEnd := lt.ZoneBounds()
	if periodEnd.IsZero() || periodEnd.After(day.end) {
		periodEnd = day.end
	}
	off := int64(offset)
	for t.Before(periodEnd) && day.n < maxSegments {
		local := t.Unix() + off
		next := time.Unix(floorDiv(local, 3600)*3600+3600-off, 0)
		if next.After(periodEnd) {
			next = periodEnd
		}
		hour := (local - floorDiv(local, 86400)*86400) / 3600
		day.segs[day.n] = segment{from: t.Sub(day.start), to: next.Sub(day.start), weight: curve[hour]}
		day.n++
		t = next
	}
	return t
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// segmentAt returns the segment holding offset off from the day's start.
func (day *localDay) segmentAt(off time.Duration) *segment {
	for i := 0; i < day.n-1; i++ {
		if off < day.segs[i].to {
			return &day.segs[i]
		}
	}
	return &day.segs[day.n-1]
}

// fraction returns N over the day up to t, as a share of the day's total in [0, 1].
func (day *localDay) fraction(t time.Time) float64 {
	off := t.Sub(day.start)
	s := day.segmentAt(off)
	return (s.cum + s.weight*(off-s.from).Seconds()) / day.total
}

// offsetAt inverts fraction: the earliest offset from the day's start at which share f of the
// day's visits have come due. Zero-weight segments are passed over, since N does not grow there.
func (day *localDay) offsetAt(f float64) time.Duration {
	target := f * day.total
	for i := 0; i < day.n; i++ {
		s := &day.segs[i]
		if s.weight == 0 || target >= s.cum+s.weight*(s.to-s.from).Seconds() {
			continue
		}
		off, _ := secondsToDuration((target - s.cum) / s.weight)
		return min(max(s.from+off, s.from), s.to)
	}
	return day.end.Sub(day.start)
}
