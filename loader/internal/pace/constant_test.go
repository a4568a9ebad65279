package pace

import (
	"math"
	"testing"
	"time"
)

func TestConstantPace(t *testing.T) {
	t.Parallel()
	const perSecond = SecondsPerDay // visits per day for one visit per second
	tests := []struct {
		perDay   float64
		elapsed  time.Duration
		started  uint64
		wantWait time.Duration
		wantStop bool
	}{
		// HAPPY PATH
		// 1/s, nothing started yet, at the start => the first visit is one interval away, not immediate
		{perSecond, 0, 0, time.Second, false},
		// 1/s, 1 started, 1s elapsed => 1s until the second
		{perSecond, time.Second, 1, time.Second, false},
		// 1/s, 2 started, 1s elapsed (ahead of schedule) => wait 2s for the third
		{perSecond, time.Second, 2, 2 * time.Second, false},
		// 1/s, 1 started, woke late at 1.5s => only 0.5s to the second: lateness does not shift the schedule
		{perSecond, 1500 * time.Millisecond, 1, 500 * time.Millisecond, false},
		// 1/s, 1 started, 5s elapsed (behind) => due now; what to do about it is the scheduler's call
		{perSecond, 5 * time.Second, 1, 0, false},
		// 1/s, 4 started, exactly at the 5th's due time => due now
		{perSecond, 5 * time.Second, 4, 0, false},
		// 2 visits/day, nothing started => the first is due at noon of the run
		{2, 0, 0, 12 * time.Hour, false},
		// 3/s => intervals of a third of a second, rounded to the nearest nanosecond, no drift
		{3 * perSecond, 0, 0, 333333333, false},
		// 3/s, 2 started => third visit due at exactly 1s (multiplying before dividing keeps it exact)
		{3 * perSecond, 0, 2, time.Second, false},
		// 3/s, 299 started => 300th visit due at exactly 100s
		{3 * perSecond, 0, 299, 100 * time.Second, false},
		// a fractional rate (0.5/day) => one visit every two days
		{0.5, 0, 0, 48 * time.Hour, false},
		// SAD PATH
		// zero visits per day => no schedule at all
		{0, 0, 0, 0, true},
		// negative rate => no schedule
		{-5, 0, 0, 0, true},
		// NaN rate => no schedule
		{math.NaN(), 0, 0, 0, true},
		// infinite rate => no schedule (there is no "as fast as possible" mode)
		{math.Inf(1), 0, 0, 0, true},
		// 1/day and a billion visits in => due beyond 200 years: the schedule ends instead of overflowing
		{1, 0, 1e9, 0, true},
	}
	for _, tt := range tests {
		wait, stop := Constant{PerDay: tt.perDay}.Pace(tt.elapsed, tt.started)
		if wait != tt.wantWait || stop != tt.wantStop {
			t.Errorf("Constant{%g}.Pace(%v, %d) = (%v, %v), want (%v, %v)",
				tt.perDay, tt.elapsed, tt.started, wait, stop, tt.wantWait, tt.wantStop)
		}
	}
}

func TestConstantRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		perDay float64
		want   float64
	}{
		// 86,400 a day is one a second, whatever the elapsed time
		{86400, 1},
		// 43,200 a day is one every two seconds
		{43200, 0.5},
		// no schedule => no rate
		{0, 0},
		// a broken rate reports 0 rather than a negative or NaN figure
		{math.NaN(), 0},
	}
	for _, tt := range tests {
		for _, elapsed := range []time.Duration{0, time.Hour, 100 * time.Hour} {
			if got := (Constant{PerDay: tt.perDay}).Rate(elapsed); got != tt.want {
				t.Errorf("Constant{%g}.Rate(%v) = %g, want %g", tt.perDay, elapsed, got, tt.want)
			}
		}
	}
}

// TestConstantNoDrift checks the millionth visit of an awkward rate lands where n·86400/PerDay
// says, to the nanosecond, which a sum of rounded intervals would miss.
func TestConstantNoDrift(t *testing.T) {
	t.Parallel()
	c := Constant{PerDay: 7 * SecondsPerDay} // 7/s: the interval 142,857,142.857… ns is not whole
	at, ok := Due(c, 999_999)
	want := time.Duration(math.Round(1e6 * 1e9 / 7))
	if !ok || at != want {
		t.Fatalf("Due(7/s, 999999) = %v, %v; want %v", at, ok, want)
	}
	sumOfIntervals := 1_000_000 * (time.Second / 7)
	if sumOfIntervals == want {
		t.Fatalf("test is vacuous: summed intervals would also be exact")
	}
}
