package pace

import (
	"math"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/shape"
)

func mustSpikes(t *testing.T, s string) []config.Spike {
	t.Helper()
	sp, ps := config.ParseSpikes(s)
	if err := ps.Err(); err != nil {
		t.Fatal(err)
	}
	return sp
}

// countByDay tallies due times per local date.
func countByDay(times []time.Time, loc *time.Location) map[string]int {
	out := map[string]int{}
	for _, t := range times {
		out[t.In(loc).Format(time.DateOnly)]++
	}
	return out
}

// TestShapedWeekMatchesWeights: over a whole week (one with a DST change) every local day carries
// PerDay × its weekday's factor, ±1, whether the hours are flat or day-shaped.
func TestShapedWeekMatchesWeights(t *testing.T) {
	t.Parallel()
	loc := mustLoad(t, "Europe/Stockholm")
	weights := [7]float64{0.55, 1, 1.02, 1, 0.97, 0.88, 0.6} // Sunday first
	start := time.Date(2026, 10, 22, 15, 0, 0, 0, loc)       // a Thursday; Sunday 25 October is 25 hours long
	for _, tc := range []struct {
		name  string
		curve *[24]float64
	}{{"flat hours", nil}, {"diurnal hours", func() *[24]float64 { c := DefaultCurve(); return &c }()}} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewShaped(1000, start, loc, tc.curve, shape.Shape{Weekly: &weights})
			days := countByDay(dueTimes(t, p, start, time.Date(2026, 10, 31, 0, 0, 0, 0, loc)), loc)
			week := 0
			for d := 23; d <= 29; d++ { // Friday 23 to Thursday 29: a whole week
				date := time.Date(2026, 10, d, 12, 0, 0, 0, loc)
				want := 1000 * weights[date.Weekday()]
				got := days[date.Format(time.DateOnly)]
				week += got
				if math.Abs(float64(got)-want) > 1 {
					t.Errorf("%s (%s): %d visits, want %.0f", date.Format(time.DateOnly), date.Weekday(), got, want)
				}
			}
			if want := 1000 * (0.55 + 1 + 1.02 + 1 + 0.97 + 0.88 + 0.6); math.Abs(float64(week)-want) > 1 {
				t.Errorf("week total %d, want %.0f", week, want)
			}
		})
	}
}

// TestShapedSpikeAddsVisitsInItsMinutes: a x4 spike of 30 minutes at 1 visit/s adds 3 × 1800 visits,
// all of them between 09:00 and 09:30, and Rate says 4/s there.
func TestShapedSpikeAddsVisitsInItsMinutes(t *testing.T) {
	t.Parallel()
	loc := mustLoad(t, "Europe/Stockholm")
	start := time.Date(2026, 12, 8, 0, 0, 0, 0, loc) // a Tuesday
	p := NewShaped(86400, start, loc, nil, shape.Shape{Spikes: mustSpikes(t, "tue@09:00 x4 30m")})
	times := dueTimes(t, p, start, start.AddDate(0, 0, 2))
	perMinute := map[int]int{}
	for _, at := range times {
		if at.Before(start.AddDate(0, 0, 1)) {
			perMinute[int(at.Sub(start)/time.Minute)]++
		}
	}
	total := 0
	for m, n := range perMinute {
		total += n
		want := 60
		if m >= 9*60 && m < 9*60+30 {
			want = 240
		}
		if math.Abs(float64(n-want)) > 1 {
			t.Errorf("minute %02d:%02d has %d visits, want %d", m/60, m%60, n, want)
		}
	}
	if want := 86400 + 3*1800; math.Abs(float64(total-want)) > 1 {
		t.Errorf("Tuesday has %d visits, want %d", total, want)
	}
	if wed := len(times) - total; math.Abs(float64(wed-86400)) > 1 {
		t.Errorf("Wednesday has %d visits, want 86400 (no spike)", wed)
	}
	if r := p.Rate(9*time.Hour + 10*time.Minute); math.Abs(r-4) > 1e-9 {
		t.Errorf("rate in the spike = %g/s, want 4", r)
	}
	if r := p.Rate(10 * time.Hour); math.Abs(r-1) > 1e-9 {
		t.Errorf("rate after the spike = %g/s, want 1", r)
	}
}

// TestShapedWithoutShapeIsDiurnal: with no shape, Shaped schedules what Diurnal does.
func TestShapedWithoutShapeIsDiurnal(t *testing.T) {
	t.Parallel()
	loc := mustLoad(t, "America/New_York")
	start := time.Date(2026, 3, 7, 13, 17, 0, 0, loc)
	curve := DefaultCurve()
	s := NewShaped(5000, start, loc, &curve, shape.Shape{})
	d := Diurnal{PerDay: 5000, Start: start, Location: loc}
	for n := uint64(0); n < 15000; n += 7 {
		a, _ := Due(s, n)
		b, _ := Due(d, n)
		if diff := a - b; diff > time.Microsecond || diff < -time.Microsecond {
			t.Fatalf("visit %d: shaped %v, diurnal %v", n, a, b)
		}
	}
}

// TestShapedRandomSpikesFollowSeed: the same seed gives the same schedule, another seed another.
func TestShapedRandomSpikesFollowSeed(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	sp := mustSpikes(t, "random:3/week x5 1h")
	mk := func(seed uint64) *Shaped {
		return NewShaped(10000, start, time.UTC, nil, shape.Shape{Spikes: sp, Seed: seed})
	}
	a, b, c := mk(7), mk(7), mk(8)
	differ := false
	for n := uint64(0); n < 80000; n += 97 {
		x, _ := Due(a, n)
		y, _ := Due(b, n)
		z, _ := Due(c, n)
		if x != y {
			t.Fatalf("visit %d: %v and %v under one seed", n, x, y)
		}
		differ = differ || x != z
	}
	if !differ {
		t.Error("another seed gave the same schedule")
	}
	// The week still gains exactly 3 × 4 × 1 h of extra visits at 10000/day.
	week := dueTimes(t, a, start, start.AddDate(0, 0, 7))
	if want := 70000 + 3*4*10000/24.0; math.Abs(float64(len(week))-want) > 1 {
		t.Errorf("week has %d visits, want %.0f", len(week), want)
	}
}

// TestShapedMovesBack: asking for an earlier visit after a later one restarts from the first day.
func TestShapedMovesBack(t *testing.T) {
	t.Parallel()
	p := NewShaped(1000, time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), time.UTC, nil, shape.Shape{})
	late, _ := Due(p, 5000)
	early, _ := Due(p, 3)
	if again, _ := Due(p, 5000); again != late || early >= late {
		t.Errorf("due(5000) %v then %v, due(3) %v", late, again, early)
	}
	if w, stop := (&Shaped{}).Pace(0, 0); !stop || w != 0 {
		t.Error("a zero Shaped must have no visits")
	}
}

// BenchmarkShapedPace: the cost of one Pace as the scheduler calls it (moving forward), with the
// weekly rhythm and a daily spike on the diurnal curve.
func BenchmarkShapedPace(b *testing.B) {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		b.Fatal(err)
	}
	sp, _ := config.ParseSpikes("daily@09:00 x3 30m; random:2/week x4 1h")
	w := [7]float64{0.6, 1, 1, 1, 1, 0.9, 0.6}
	curve := DefaultCurve()
	p := NewShaped(1e6, time.Date(2025, 6, 10, 13, 0, 0, 0, loc), loc, &curve, shape.Shape{Weekly: &w, Spikes: sp, Seed: 1})
	var n uint64
	for b.Loop() {
		p.Pace(0, n)
		n += 97
	}
}
