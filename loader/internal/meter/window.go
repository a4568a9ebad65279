package meter

import (
	"math"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Window reads latency percentiles and rates over successive intervals (the stats records), from
// the same Prometheus histograms /metrics serves: the difference of the bucket counts between the
// start and the end of an interval, interpolated within a bucket as PromQL's histogram_quantile
// does. Rates are read over a sliding RateWindow instead: one interval of a few seconds holds too
// few visits for a steady figure (at 6.9 visits a minute, a 10 s interval holds one or two, which
// read as 6 and 12 a minute). A Window is for one goroutine; several Windows over one Set do not
// disturb each other.
type Window struct {
	set   *Set
	marks []mark
	first sample   // at NewWindow
	past  []sample // earlier Advances, oldest first, back to the newest one at least RateWindow old
}

// RateWindow is the span Interval.StartedPerMin is measured over.
const RateWindow = time.Minute

// Interval is what one target did in one interval of a Window.
type Interval struct {
	// P50ms, P95ms and P99ms are latency quantiles of the requests observed in the interval, in
	// milliseconds; 0 without any.
	P50ms, P95ms, P99ms float64
	// StartedPerMin is the visits started over the last RateSpan, per minute: from the Advance
	// at or just before RateWindow ago (so RateSpan is RateWindow when the intervals divide it,
	// and less than RateWindow plus one interval otherwise), or from NewWindow while the Window
	// is younger than RateWindow. 0 when RateSpan is.
	StartedPerMin float64
	RateSpan      time.Duration
	// SinceStartPerMin is the visits started since NewWindow, per minute.
	SinceStartPerMin float64
}

// sample is every target's visits started at one instant.
type sample struct {
	at      time.Time
	started []int64
}

// mark is a target's histogram at one instant.
type mark struct {
	cumulative []uint64 // observations at or under each of Buckets
	count      uint64   // all observations, those above the last bucket included
}

// NewWindow starts a Window whose first interval begins at now.
func (s *Set) NewWindow(now time.Time) *Window {
	w := &Window{set: s, marks: make([]mark, len(s.targets))}
	for i, t := range s.targets {
		w.marks[i] = t.mark()
	}
	w.first = w.sampleOf(now)
	return w
}

// Advance returns each target's Interval since the previous Advance (or since NewWindow), in the
// order of Targets, and starts a new interval at now.
func (w *Window) Advance(now time.Time) []Interval {
	out := make([]Interval, len(w.marks))
	for i, t := range w.set.targets {
		cur := t.mark()
		out[i] = Interval{P50ms: quantileMs(cur, w.marks[i], 0.50), P95ms: quantileMs(cur, w.marks[i], 0.95),
			P99ms: quantileMs(cur, w.marks[i], 0.99)}
		w.marks[i] = cur
	}
	cur := w.sampleOf(now)
	base := w.rateBase(now)
	for i := range out {
		out[i].RateSpan = now.Sub(base.at)
		out[i].StartedPerMin = perMinute(cur.started[i]-base.started[i], out[i].RateSpan)
		out[i].SinceStartPerMin = perMinute(cur.started[i]-w.first.started[i], now.Sub(w.first.at))
	}
	w.past = append(w.past, cur)
	return out
}

// rateBase returns the newest sample at least RateWindow before now (the first one while there
// is none), and forgets the samples before it, which no later Advance needs.
func (w *Window) rateBase(now time.Time) sample {
	cutoff := now.Add(-RateWindow)
	n := 0
	for n < len(w.past) && !w.past[n].at.After(cutoff) {
		n++
	}
	if n == 0 {
		return w.first
	}
	base := w.past[n-1]
	w.past = w.past[n-1:]
	return base
}

func (w *Window) sampleOf(now time.Time) sample {
	s := sample{at: now, started: make([]int64, len(w.set.targets))}
	for i, t := range w.set.targets {
		s.started[i] = t.VisitsStarted.Load()
	}
	return s
}

// perMinute is n per minute over d; 0 over no time.
func perMinute(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Minutes()
}

// mark reads the target's histogram (a consistent snapshot: Write waits for observations under
// way).
func (t *Target) mark() mark {
	var m dto.Metric
	_ = t.latency.Write(&m) // a classic histogram's Write cannot fail
	h := m.GetHistogram()
	out := mark{cumulative: make([]uint64, len(Buckets)), count: h.GetSampleCount()}
	for i, b := range h.GetBucket() {
		if i < len(out.cumulative) {
			out.cumulative[i] = b.GetCumulativeCount()
		}
	}
	return out
}

// quantileMs returns the q-quantile, in milliseconds rounded to 0.01, of the observations made
// between prev and cur: linear within the bucket that holds it (from 0 in the first), and the
// last bound for observations above it.
func quantileMs(cur, prev mark, q float64) float64 {
	total := cur.count - prev.count
	if total == 0 {
		return 0
	}
	rank := q * float64(total)
	var below uint64
	for i, bound := range Buckets {
		upTo := cur.cumulative[i]
		if prev.cumulative != nil {
			upTo -= prev.cumulative[i]
		}
		if float64(upTo) >= rank && upTo > below {
			lower := 0.0
			if i > 0 {
				lower = Buckets[i-1]
			}
			v := lower + (bound-lower)*(rank-float64(below))/float64(upTo-below)
			return math.Round(v*1000*100) / 100
		}
		below = upTo
	}
	return math.Round(Buckets[len(Buckets)-1]*1000*100) / 100
}
