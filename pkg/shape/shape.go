// Package shape is the traffic shape laid over a day curve: a weekly rhythm, which scales each
// local calendar day by its weekday's factor, and spikes, which multiply the rate for a while ("a
// newsletter goes out"). It is pure arithmetic on instants, shared by the live pacer
// (loader/internal/pace), the backfill day plan (pkg/dayplan) and the control's preview, so all
// three agree on when traffic rises and by how much.
package shape

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Random spikes start between these local times of day: newsletters and launches go out in the
// daytime, not at 03:00.
const (
	randomFrom = 8 * time.Hour
	randomTo   = 20 * time.Hour
)

// Shape is a weekly rhythm and a list of spikes in one time zone. The zero Shape changes nothing.
type Shape struct {
	// Weekly holds the day factors indexed by time.Weekday; nil means no weekly rhythm.
	Weekly *[7]float64
	// Spikes multiply the rate while they last.
	Spikes []config.Spike
	// Seed draws the random spikes: the same seed, the same spikes.
	Seed uint64
	// Location defines local days and times of day; nil means UTC.
	Location *time.Location
}

// FromConfig returns cfg's shape for live mode or, with backfill, for backfill: the weekly rhythm
// when WEEKLY_RHYTHM applies to that mode, and TRAFFIC_SPIKES (both modes).
func FromConfig(cfg *config.Config, backfill bool, seed int64, loc *time.Location) Shape {
	s := Shape{Spikes: cfg.Spikes(), Seed: uint64(seed), Location: loc}
	if cfg.WeeklyApplies(backfill) {
		w := cfg.WeekWeights()
		s.Weekly = &w
	}
	return s
}

// IsZero reports whether the shape changes nothing.
func (s Shape) IsZero() bool { return s.Weekly == nil && len(s.Spikes) == 0 }

// DayFactor is the weekly factor of the local day holding t (1 without a weekly rhythm).
func (s Shape) DayFactor(t time.Time) float64 {
	if s.Weekly == nil {
		return 1
	}
	return s.Weekly[t.In(s.loc()).Weekday()]
}

// Window is one occurrence of a spike: from From to To the rate is multiplied by 1 + Extra.
type Window struct {
	From, To time.Time
	Extra    float64 // the spike's factor − 1
	Spike    int     // index in Spikes
}

// Windows returns the spike occurrences that overlap [from, to), ordered by start.
func (s Shape) Windows(from, to time.Time) []Window {
	var out []Window
	for i, sp := range s.Spikes {
		for _, at := range s.starts(sp, i, from.Add(-sp.Length), to) {
			w := Window{From: at, To: at.Add(sp.Length), Extra: sp.Factor - 1, Spike: i}
			if w.To.After(from) && w.From.Before(to) {
				out = append(out, w)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Window) int { return a.From.Compare(b.From) })
	return out
}

// starts lists the start instants of spike i in [from, to).
func (s Shape) starts(sp config.Spike, i int, from, to time.Time) []time.Time {
	loc := s.loc()
	var out []time.Time
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	switch sp.Kind {
	case config.SpikeOnce:
		if in(sp.At) {
			out = append(out, sp.At)
		}
	case config.SpikeWeekly:
		for d := midnight(from.Add(-24*time.Hour), loc); d.Before(to); d = nextDay(d, loc) {
			if !sp.OnDay(d.Weekday()) {
				continue
			}
			y, m, dd := d.Date()
			at := time.Date(y, m, dd, int(sp.Clock/time.Hour), int(sp.Clock%time.Hour/time.Minute), 0, 0, loc)
			if in(at) {
				out = append(out, at)
			}
		}
	case config.SpikeRandom:
		for wk := monday(from, loc); wk.Before(to); wk = wk.AddDate(0, 0, 7) {
			for _, at := range s.randomWeek(sp, i, wk) {
				if in(at) {
					out = append(out, at)
				}
			}
		}
	}
	return out
}

// randomWeek draws the random spikes of the week starting at local Monday midnight wk: a function of
// the seed, the spike's index and the week alone.
func (s Shape) randomWeek(sp config.Spike, i int, wk time.Time) []time.Time {
	y, m, d := wk.Date()
	week := uint64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	r := rand.New(rand.NewPCG(s.Seed^0x5350494b45533031, week<<8|uint64(i&0xff))) // "SPIKES01"
	span := int64(randomTo - randomFrom - sp.Length)
	if span < int64(time.Minute) {
		span = int64(time.Minute)
	}
	out := make([]time.Time, 0, sp.PerWeek)
	for range sp.PerWeek {
		day := r.IntN(7)
		off := time.Duration(r.Int64N(span/int64(time.Minute))) * time.Minute
		at := time.Date(y, m, d+day, 0, 0, 0, 0, s.loc()).Add(randomFrom + off)
		out = append(out, at)
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// Piece is a stretch of time with one spike factor.
type Piece struct {
	From, To time.Time
	Factor   float64
}

// Clip is the part of the piece within [from, to), and whether it has any length: the live pacer
// and the backfill curve both cut their hour segments at the pieces with it.
func (p Piece) Clip(from, to time.Time) (a, b time.Time, ok bool) {
	a, b = p.From, p.To
	if from.After(a) {
		a = from
	}
	if to.Before(b) {
		b = to
	}
	return a, b, a.Before(b)
}

// Pieces cuts [from, to) where a spike begins or ends; each piece's Factor is 1 plus the extra of
// every spike over it (overlapping spikes add their extra traffic).
func (s Shape) Pieces(from, to time.Time) []Piece {
	if !from.Before(to) {
		return nil
	}
	ws := s.Windows(from, to)
	if len(ws) == 0 {
		return []Piece{{From: from, To: to, Factor: 1}}
	}
	cuts := []time.Time{from, to}
	for _, w := range ws {
		if w.From.After(from) && w.From.Before(to) {
			cuts = append(cuts, w.From)
		}
		if w.To.After(from) && w.To.Before(to) {
			cuts = append(cuts, w.To)
		}
	}
	slices.SortFunc(cuts, time.Time.Compare)
	cuts = slices.CompactFunc(cuts, time.Time.Equal)
	out := make([]Piece, 0, len(cuts)-1)
	for i := 0; i+1 < len(cuts); i++ {
		p := Piece{From: cuts[i], To: cuts[i+1], Factor: 1}
		for _, w := range ws {
			if !w.From.After(p.From) && w.To.After(p.From) {
				p.Factor += w.Extra
			}
		}
		out = append(out, p)
	}
	return out
}

func (s Shape) loc() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// midnight is the start of t's local calendar day (the first instant of it, on DST days too).
func midnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func nextDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}

// monday is local midnight of the Monday of t's week.
func monday(t time.Time, loc *time.Location) time.Time {
	day := midnight(t, loc)
	back := (int(day.Weekday()) + 6) % 7
	y, m, d := day.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}
