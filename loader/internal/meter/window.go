package meter

import (
	"math"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// Window reads latency percentiles and rates over successive intervals (the stats records), from
// the same Prometheus histograms /metrics serves: the difference of the bucket counts between the
// start and the end of an interval, interpolated within a bucket as PromQL's histogram_quantile
// does. A Window is for one goroutine; several Windows over one Set do not disturb each other.
type Window struct {
	set   *Set
	since time.Time
	marks []mark
}

// Interval is what one target did in one interval of a Window.
type Interval struct {
	// P50ms and P95ms are latency quantiles of the requests observed in the interval, in
	// milliseconds; 0 without any.
	P50ms, P95ms float64
	// StartedPerMin is the visits started in the interval, per minute; 0 for an empty interval.
	StartedPerMin float64
}

// mark is a target's histogram and visits started at one instant.
type mark struct {
	cumulative []uint64 // observations at or under each of Buckets
	count      uint64   // all observations, those above the last bucket included
	started    int64
}

// NewWindow starts a Window whose first interval begins at now.
func (s *Set) NewWindow(now time.Time) *Window {
	w := &Window{set: s, since: now, marks: make([]mark, len(s.targets))}
	for i, t := range s.targets {
		w.marks[i] = t.mark()
	}
	return w
}

// Advance returns each target's Interval since the previous Advance (or since NewWindow), in the
// order of Targets, and starts a new interval at now.
func (w *Window) Advance(now time.Time) []Interval {
	minutes := now.Sub(w.since).Minutes()
	out := make([]Interval, len(w.marks))
	for i, t := range w.set.targets {
		cur := t.mark()
		out[i] = Interval{P50ms: quantileMs(cur, w.marks[i], 0.50), P95ms: quantileMs(cur, w.marks[i], 0.95)}
		if minutes > 0 {
			out[i].StartedPerMin = float64(cur.started-w.marks[i].started) / minutes
		}
		w.marks[i] = cur
	}
	w.since = now
	return out
}

// mark reads the target's histogram (a consistent snapshot: Write waits for observations under
// way) and its visits started.
func (t *Target) mark() mark {
	var m dto.Metric
	_ = t.latency.Write(&m) // a classic histogram's Write cannot fail
	h := m.GetHistogram()
	out := mark{cumulative: make([]uint64, len(Buckets)), count: h.GetSampleCount(), started: t.VisitsStarted.Load()}
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
