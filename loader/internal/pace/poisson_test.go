package pace

import (
	"math"
	"testing"
	"time"
)

// poissonDues returns the due times of the first n arrivals.
func poissonDues(t *testing.T, p Pacer, n int) []time.Duration {
	t.Helper()
	out := make([]time.Duration, n)
	for i := range out {
		at, ok := Due(p, uint64(i))
		if !ok {
			t.Fatalf("schedule ended at arrival %d", i)
		}
		out[i] = at
	}
	return out
}

func TestPoissonDeterministic(t *testing.T) {
	t.Parallel()
	base := Constant{PerDay: SecondsPerDay}
	a := poissonDues(t, NewPoisson(base, 42), 1000)
	b := poissonDues(t, NewPoisson(base, 42), 1000)
	c := poissonDues(t, NewPoisson(base, 43), 1000)
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 42 twice: arrival %d at %v and %v", i, a[i], b[i])
		}
		if a[i] == c[i] {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 42 and 43 share %d of 1000 arrival times", same)
	}
	// Asking again out of order (backwards, then skipping ahead) gives the same answers: the
	// schedule depends on (seed, visit number), not on the call sequence.
	p := NewPoisson(base, 42)
	for _, i := range []int{900, 3, 500, 999, 0} {
		if at, _ := Due(p, uint64(i)); at != a[i] {
			t.Errorf("arrival %d out of order: %v, want %v", i, at, a[i])
		}
	}
}

// TestPoissonStatistics checks the arrivals look like a Poisson process at the base rate: the
// count keeps pace with the base schedule, gaps are exponential (coefficient of variation ≈ 1,
// median ≈ mean·ln 2) and never negative. Bounds are several standard deviations wide.
func TestPoissonStatistics(t *testing.T) {
	t.Parallel()
	const n = 20000
	dues := poissonDues(t, NewPoisson(Constant{PerDay: SecondsPerDay}, 7), n)
	// The n-th arrival of a rate-1/s Poisson process has mean n s and deviation √n s.
	if got, sd := dues[n-1].Seconds(), math.Sqrt(n); math.Abs(got-n) > 5*sd {
		t.Errorf("arrival %d at %.0fs, want %d±%.0fs", n, got, n, 5*sd)
	}
	var sum, sumSq float64
	short := 0
	prev := time.Duration(0)
	for i, d := range dues {
		gap := (d - prev).Seconds()
		if gap < 0 {
			t.Fatalf("arrival %d at %v before arrival %d at %v", i, d, i-1, prev)
		}
		sum += gap
		sumSq += gap * gap
		if gap < math.Ln2 {
			short++
		}
		prev = d
	}
	mean := sum / n
	cv := math.Sqrt(sumSq/n-mean*mean) / mean
	if cv < 0.95 || cv > 1.05 {
		t.Errorf("gap coefficient of variation %.3f, want ≈1 (exponential)", cv)
	}
	if frac := float64(short) / n; frac < 0.48 || frac > 0.52 {
		t.Errorf("%.3f of gaps shorter than ln 2 s, want ≈0.5", frac)
	}
}

// TestPoissonFollowsBase checks a diurnal base keeps its shape: per local hour, the Poisson count
// over five days stays within a few standard deviations of the base count. (A Poisson process
// that ignored the curve would put ~250 visits in every hour against ~32 at 04:00.)
func TestPoissonFollowsBase(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	base := Diurnal{PerDay: 1200, Start: start}
	p := NewPoisson(base, 1)
	var baseCount, poissonCount [24]float64
	for n := uint64(0); n < 5*1200; n++ {
		b, _ := Due(base, n)
		q, _ := Due(p, n)
		baseCount[start.Add(b).Hour()]++
		poissonCount[start.Add(q).Hour()]++
	}
	for h := range baseCount {
		if sd := math.Sqrt(baseCount[h]); math.Abs(poissonCount[h]-baseCount[h]) > 5*sd+2 {
			t.Errorf("hour %02d: %g Poisson arrivals, base has %g", h, poissonCount[h], baseCount[h])
		}
	}
	if p.Rate(time.Hour) != base.Rate(time.Hour) {
		t.Errorf("Rate = %g, want the base rate %g", p.Rate(time.Hour), base.Rate(time.Hour))
	}
}

func TestPoissonStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    *Poisson
		name string
	}{
		// no base => no schedule
		{NewPoisson(nil, 1), "nil base"},
		// a base with no visits => no arrivals either
		{NewPoisson(Constant{PerDay: 0}, 1), "empty base"},
	}
	for _, tt := range tests {
		if _, stop := tt.p.Pace(0, 0); !stop {
			t.Errorf("%s: Pace did not stop", tt.name)
		}
	}
	// a wait measured from elapsed, never negative
	p := NewPoisson(Constant{PerDay: SecondsPerDay}, 3)
	first, _ := Due(p, 0)
	if wait, stop := p.Pace(first+time.Hour, 0); wait != 0 || stop {
		t.Errorf("overdue arrival: Pace = (%v, %v), want (0, false)", wait, stop)
	}
	if wait, _ := p.Pace(first/2, 0); wait != first-first/2 {
		t.Errorf("Pace halfway = %v, want %v", wait, first-first/2)
	}
}
