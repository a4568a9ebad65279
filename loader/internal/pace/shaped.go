package pace

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/pkg/shape"
)

// Shaped is a day curve with a traffic shape on top (package shape): each local day in Location
// carries PerDay × its weekday's factor visits along the hour Curve (DST days normalised on their
// real length, as Diurnal does), and within a spike the rate is multiplied by the spike's factor,
// which adds visits to that day. The rate is piecewise constant, so the cumulative count N(t) from
// Start is piecewise linear, and visit n is due exactly where N reaches n+1: the schedule stays
// absolute, and rate accuracy is that of Constant and Diurnal.
//
// Shaped keeps one day table as a cursor (the scheduler only moves forward; moving back restarts
// from the first day) and one for Rate. Build it with NewShaped; it is safe for concurrent use.
type Shaped struct {
	perDay float64
	start  time.Time
	loc    *time.Location
	curve  [24]float64
	shape  shape.Shape

	mu     sync.Mutex
	cursor shapedDay // the day the last Pace answered from
	rate   shapedDay // the day the last Rate answered from
}

var _ Pacer = (*Shaped)(nil)

// NewShaped returns a pacer of perDay visits per local day in loc, from start, along curve (nil:
// flat hours) with sh on top.
func NewShaped(perDay float64, start time.Time, loc *time.Location, curve *[24]float64, sh shape.Shape) *Shaped {
	if loc == nil {
		loc = time.UTC
	}
	s := &Shaped{perDay: perDay, start: start, loc: loc, shape: sh}
	if curve != nil {
		s.curve = *curve
	} else {
		for h := range s.curve {
			s.curve[h] = 1
		}
	}
	sh.Location = loc
	s.shape = sh
	return s
}

// String describes the pacer for logs.
func (s *Shaped) String() string {
	return fmt.Sprintf("Shaped{%g visits/day in %s, weekly %t, %d spikes}", s.perDay, s.loc, s.shape.Weekly != nil, len(s.shape.Spikes))
}

// ratePiece is a stretch of a day with a constant rate.
type ratePiece struct {
	from, to time.Time
	rate     float64 // visits per second
	cum      float64 // visits of the day before from
}

// shapedDay is one local day's pieces, with the visits of the run before it.
type shapedDay struct {
	index  int // days after the first day; −1 when unset
	pieces []ratePiece
	total  float64 // visits of the whole day
	before float64 // N at the day's start (negative for the first day: Start lies within it)
}

// Pace returns the wait until visit started+1 (1-based) is due.
func (s *Shaped) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	if !validRate(s.perDay) || s.start.IsZero() {
		return 0, true
	}
	k := float64(started) + 1
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cursor.pieces == nil || k <= s.cursor.before {
		s.cursor = s.firstDay()
	}
	for s.cursor.before+s.cursor.total < k {
		if s.cursor.index >= maxDays {
			return 0, true
		}
		s.cursor = s.day(s.cursor.index+1, s.cursor.before+s.cursor.total)
	}
	at := s.cursor.invert(k - s.cursor.before)
	due := at.Sub(s.start)
	if due < 0 {
		due = 0
	}
	if due > maxDue {
		return 0, true
	}
	return waitUntil(due, elapsed), false
}

// Rate returns the intended rate at elapsed, spikes and weekly factor included.
func (s *Shaped) Rate(elapsed time.Duration) float64 {
	if !validRate(s.perDay) || s.start.IsZero() {
		return 0
	}
	at := s.start.Add(elapsed)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rate.pieces == nil || at.Before(s.rate.pieces[0].from) || !at.Before(s.rate.pieces[len(s.rate.pieces)-1].to) {
		day := dayContaining(at, s.loc, &s.curve)
		s.rate = s.build(day, 0, 0)
	}
	for _, p := range s.rate.pieces {
		if at.Before(p.to) {
			return p.rate
		}
	}
	return 0
}

// firstDay is the day holding Start, with N = 0 at Start.
func (s *Shaped) firstDay() shapedDay {
	day := dayContaining(s.start, s.loc, &s.curve)
	d := s.build(day, 0, 0)
	d.before = -d.upTo(s.start)
	return d
}

// day is the index-th day after the first, with N = before at its start.
func (s *Shaped) day(index int, before float64) shapedDay {
	first := dayContaining(s.start, s.loc, &s.curve)
	return s.build(newLocalDay(first.date.addDays(index), s.loc, &s.curve), index, before)
}

// build cuts a local day's hour segments at the spikes and gives each piece its rate.
func (s *Shaped) build(day localDay, index int, before float64) shapedDay {
	d := shapedDay{index: index, before: before}
	scale := s.perDay * s.shape.DayFactor(day.start) / day.total
	spikes := s.shape.Pieces(day.start, day.end)
	for i := 0; i < day.n; i++ {
		seg := &day.segs[i]
		from, to := day.start.Add(seg.from), day.start.Add(seg.to)
		for _, sp := range spikes {
			a, b, ok := sp.Clip(from, to)
			if !ok {
				continue
			}
			r := scale * seg.weight * sp.Factor
			d.pieces = append(d.pieces, ratePiece{from: a, to: b, rate: r, cum: d.total})
			d.total += r * b.Sub(a).Seconds()
		}
	}
	return d
}

// upTo is the day's visits before t.
func (d *shapedDay) upTo(t time.Time) float64 {
	for _, p := range d.pieces {
		if t.Before(p.to) {
			if t.Before(p.from) {
				return p.cum
			}
			return p.cum + p.rate*t.Sub(p.from).Seconds()
		}
	}
	return d.total
}

// invert returns the earliest instant at which the day's count reaches v (0 < v ≤ total).
func (d *shapedDay) invert(v float64) time.Time {
	for _, p := range d.pieces {
		if p.rate == 0 || v > p.cum+p.rate*p.to.Sub(p.from).Seconds() {
			continue
		}
		off, _ := secondsToDuration(math.Max(0, v-p.cum) / p.rate)
		t := p.from.Add(off)
		if t.After(p.to) {
			t = p.to
		}
		return t
	}
	return d.pieces[len(d.pieces)-1].to
}
