package meter

import (
	"math"
	"testing"
	"time"
)

// logUniform returns n latencies spread evenly on a log scale over [lo, hi).
func logUniform(n int, lo, hi time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(float64(lo) * math.Pow(float64(hi)/float64(lo), (float64(i)+0.5)/float64(n)))
	}
	return out
}

// uniform returns n latencies spread evenly over [lo, hi).
func uniform(n int, lo, hi time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = lo + time.Duration((float64(i)+0.5)/float64(n)*float64(hi-lo))
	}
	return out
}

func repeat(n int, d time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// A Window's percentiles come from the histogram within the error its buckets allow.
func TestWindowQuantiles(t *testing.T) {
	last := math.Round(Buckets[len(Buckets)-1]*1e5) / 100
	cases := []struct {
		name     string
		obs      []time.Duration
		p50, p95 float64 // ms
		tol      float64 // relative
		p99      float64 // ms
	}{
		{"nothing observed: zeros", nil, 0, 0, 0, 0},
		{"latencies spread over three decades: within 12%", logUniform(10000, time.Millisecond, time.Second), 31.62, 707.9, 0.12, 933.3},
		{"latencies spread evenly over 20–40 ms (the top bucket half empty): within 12%", uniform(1000, 20*time.Millisecond, 40*time.Millisecond), 30, 39, 0.12, 39.8},
		{"one latency only: exact to its bucket (a factor 1.25)", repeat(100, 10*time.Millisecond), 10, 10, 0.25, 10},
		{"slow replies: exact to their bucket", repeat(100, 7*time.Second), 7000, 7000, 0.25, 7000},
		{"beyond the last bucket: its bound", repeat(100, 200*time.Second), last, last, 0, last},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewSet([]string{"a"})
			t0 := time.Unix(0, 0)
			w := s.NewWindow(t0)
			for _, d := range c.obs {
				s.Target(0).Observe(d)
			}
			iv := w.Advance(t0.Add(time.Minute))[0]
			for _, q := range []struct {
				name      string
				got, want float64
			}{{"p50", iv.P50ms, c.p50}, {"p95", iv.P95ms, c.p95}, {"p99", iv.P99ms, c.p99}} {
				if math.Abs(q.got-q.want) > c.tol*q.want {
					t.Errorf("%s = %.2f ms, want %.2f ±%.0f%%", q.name, q.got, q.want, c.tol*100)
				}
			}
			if whole := s.Target(0).Quantile(0.95); whole != iv.P95ms {
				t.Errorf("whole-run p95 %.2f differs from the only interval's %.2f", whole, iv.P95ms)
			}
		})
	}
}

// Each interval sees only its own observations and visits; the next starts where it ended.
func TestWindowIntervals(t *testing.T) {
	s := NewSet([]string{"a", "b"})
	a, b := s.Target(0), s.Target(1)
	t0 := time.Unix(1000, 0)
	a.VisitsStarted.Add(50) // before the window: not in its first interval
	w := s.NewWindow(t0)
	for range 100 {
		a.Observe(10 * time.Millisecond)
	}
	a.VisitsStarted.Add(30)
	first := w.Advance(t0.Add(30 * time.Second))
	for range 100 {
		a.Observe(100 * time.Millisecond)
	}
	b.VisitsStarted.Add(10)
	second := w.Advance(t0.Add(90 * time.Second))
	third := w.Advance(t0.Add(90 * time.Second))

	cases := []struct {
		name       string
		got        Interval
		p50, perMn float64
	}{
		{"a, first interval: fast replies, 30 visits in half a minute", first[0], 10, 60},
		{"b, first interval: nothing", first[1], 0, 0},
		{"a, second interval: only the slow replies", second[0], 100, 0},
		{"b, second interval: 10 visits in a minute", second[1], 0, 10},
		{"a, an empty interval: zeros", third[0], 0, 0},
	}
	for _, c := range cases {
		if math.Abs(c.got.P50ms-c.p50) > 0.25*c.p50 || c.got.StartedPerMin != c.perMn {
			t.Errorf("%s: got p50 %.2f ms, %.1f/min; want %.0f ms, %.1f/min", c.name, c.got.P50ms, c.got.StartedPerMin, c.p50, c.perMn)
		}
	}
	if q := a.Quantile(0.25); math.Abs(q-10) > 2.5 {
		t.Errorf("whole-run p25 = %.2f ms, want about 10 (half the replies were fast)", q)
	}
}

// Rates are read over the last minute, not over the last interval, and say which span they cover;
// the since-start rate covers everything. At 6.9 visits a minute, started one or two per 10 s
// interval, the per-interval rate read 6 and 12 by turns.
func TestWindowRates(t *testing.T) {
	const perMin = 6.9
	tests := []struct {
		name  string
		every time.Duration // between Advances (STATS_INTERVAL)
	}{
		// The default interval divides a minute: the span is exactly a minute once the run has one.
		{"every 10 s", 10 * time.Second},
		// An interval that does not divide it: from the record at or just before a minute ago.
		{"every 7 s", 7 * time.Second},
		// Every second: the finest the setting allows.
		{"every 1 s", time.Second},
		// An interval longer than a minute: one interval is the span.
		{"every 90 s", 90 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet([]string{"a"})
			a := s.Target(0)
			t0 := time.Unix(5000, 0)
			started := func(d time.Duration) int64 { return int64(d.Minutes() * perMin) } // an absolute schedule
			w := s.NewWindow(t0)
			for d := tt.every; d <= 10*time.Minute; d += tt.every {
				a.VisitsStarted.Store(started(d))
				iv := w.Advance(t0.Add(d))[0]
				base := time.Duration(0)
				if d >= RateWindow {
					base = (d - RateWindow) / tt.every * tt.every
				}
				if iv.RateSpan != d-base {
					t.Fatalf("at %s: span %s, want %s", d, iv.RateSpan, d-base)
				}
				if want := float64(started(d)-started(base)) / (d - base).Minutes(); iv.StartedPerMin != want {
					t.Fatalf("at %s: %.3f/min, want %.3f", d, iv.StartedPerMin, want)
				}
				if d >= RateWindow && math.Abs(iv.StartedPerMin-perMin) > 1/iv.RateSpan.Minutes() {
					t.Fatalf("at %s: %.3f/min over %s, want %.1f within one visit", d, iv.StartedPerMin, iv.RateSpan, perMin)
				}
				if want := float64(started(d)) / d.Minutes(); iv.SinceStartPerMin != want {
					t.Fatalf("at %s: since start %.3f/min, want %.3f", d, iv.SinceStartPerMin, want)
				}
			}
			if len(w.past) > int(RateWindow/tt.every)+2 {
				t.Errorf("%d samples kept, want at most a minute's", len(w.past))
			}
		})
	}
}
