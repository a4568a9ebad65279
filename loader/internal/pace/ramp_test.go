package pace

import (
	"math"
	"sync"
	"testing"
	"time"
)

const perSec = SecondsPerDay // visits/day of one visit per second

// dueAt is the offset visit n (0-based) is due at, in seconds, or -1 when the schedule has none.
func dueAt(p Pacer, n uint64) float64 {
	at, ok := Due(p, n)
	if !ok {
		return -1
	}
	return at.Seconds()
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// A Ramp changed step by step gives the schedule a Constant of each rate would within its step:
// the due times are those of N(t), the integral of the rate.
func TestRampSteps(t *testing.T) {
	r := NewRamp(perSec) // 1/s
	r.Hold(10*time.Second, 2*perSec)
	r.Hold(20*time.Second, 0.5*perSec)
	tests := []struct {
		n    uint64
		want float64
	}{
		// 1/s from the start: visit 0 one interval in, like Constant.
		{0, 1},
		// visit 9 (the 10th) exactly at the first change.
		{9, 10},
		// then 2/s: the 11th half a second after.
		{10, 10.5},
		// 30 visits by 20 s (10 + 20).
		{29, 20},
		// then one every 2 s.
		{30, 22},
		{34, 30},
	}
	for _, tt := range tests {
		if got := dueAt(r, tt.n); !near(got, tt.want) {
			t.Errorf("visit %d due at %v s, want %v", tt.n, got, tt.want)
		}
	}
	if got := r.Rate(15 * time.Second); !near(got, 2) {
		t.Errorf("rate at 15 s = %v, want 2/s", got)
	}
	// Pace is the wait from elapsed to the due time, 0 when overdue.
	if w, stop := r.Pace(10*time.Second, 10); stop || w != 500*time.Millisecond {
		t.Errorf("Pace(10s, 10) = %v, %v; want 500ms", w, stop)
	}
	if w, stop := r.Pace(25*time.Second, 30); stop || w != 0 {
		t.Errorf("Pace(25s, 30) = %v, %v; want 0 (overdue)", w, stop)
	}
}

// RampTo moves the rate linearly (k6's ramping arrival rate): from 0 to 2/s over 10 s gives
// N(t) = t²/10, so visit k-1 is due at √(10k); then the rate holds.
func TestRampLinear(t *testing.T) {
	r := NewRamp(0)
	r.RampTo(0, 10*time.Second, 2*perSec)
	for _, k := range []float64{1, 4, 9, 10} {
		if got, want := dueAt(r, uint64(k-1)), math.Sqrt(10*k); !near(got, want) {
			t.Errorf("visit %v due at %v s, want %v", k-1, got, want)
		}
	}
	// 10 visits by 10 s, then 2/s.
	if got := dueAt(r, 10); !near(got, 10.5) {
		t.Errorf("visit 10 due at %v, want 10.5", got)
	}
	if got := r.Rate(5 * time.Second); !near(got, 1) {
		t.Errorf("rate half-way = %v, want 1/s", got)
	}
	// A ramp down from 2/s to 0 over 10 s carries 10 visits; there is no 11th.
	r.RampTo(20*time.Second, 10*time.Second, 0)
	if got := dueAt(r, 10+20-1); !near(got, 20) { // 30 visits by 20 s
		t.Errorf("visit 29 due at %v, want 20", got)
	}
	if got := dueAt(r, 39); got > 30+1e-6 || got < 29 {
		t.Errorf("the last visit of the ramp down due at %v, want just under 30", got)
	}
	if got := dueAt(r, 40); got != -1 {
		t.Errorf("visit 40 due at %v after the rate fell to zero for good", got)
	}
}

// A change replaces what was planned from its instant on, and End ends the schedule.
func TestRampReplaceAndEnd(t *testing.T) {
	r := NewRamp(perSec)
	r.RampTo(10*time.Second, 10*time.Second, 3*perSec)
	r.Hold(10*time.Second, 2*perSec) // the controller changed its mind at 10 s
	if got := dueAt(r, 11); !near(got, 11) {
		t.Errorf("visit 11 due at %v, want 11 (2/s from 10 s)", got)
	}
	r.End(12 * time.Second)
	if got := dueAt(r, 13); !near(got, 11.5+0.5) { // 14th visit at exactly 12 s still comes
		t.Errorf("visit 13 due at %v, want 12", got)
	}
	if got := dueAt(r, 14); got != -1 {
		t.Errorf("visit 14 due at %v, after the end", got)
	}
	if r.Rate(13*time.Second) != 0 {
		t.Error("a rate after the end")
	}
	// A change after the end does not revive it.
	r.Hold(20*time.Second, perSec)
	if got := dueAt(r, 14); got != -1 {
		t.Errorf("visit 14 due at %v once ended", got)
	}
}

// The scheduler reads while the controller writes: no race, and every read is one version.
func TestRampConcurrent(t *testing.T) {
	r := NewRamp(perSec)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 1000 {
			r.Hold(time.Duration(i)*time.Millisecond, float64(1+i%7)*perSec)
		}
	})
	for n := range uint64(5000) {
		if _, stop := r.Pace(0, n); stop {
			t.Fatalf("visit %d: stop on a live ramp", n)
		}
	}
	wg.Wait()
}

// BenchmarkRampPace is the scheduler's cost of asking a ramp of 40 steps for the next visit.
func BenchmarkRampPace(b *testing.B) {
	r := NewRamp(100000)
	for i := range 40 {
		r.Hold(time.Duration(i)*time.Minute, 100000*math.Pow(1.5, float64(i)))
	}
	var n uint64
	for b.Loop() {
		if _, stop := r.Pace(0, n%1e9); stop {
			b.Fatal("stop")
		}
		n += 7919
	}
}
