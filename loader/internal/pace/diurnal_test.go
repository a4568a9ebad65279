package pace

import (
	"errors"
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the zones below must not depend on the machine's zoneinfo
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func flatCurve() [24]float64 {
	var c [24]float64
	for h := range c {
		c[h] = 1
	}
	return c
}

// dueTimes lists the wall-clock due times of p's visits until one falls at or after until.
func dueTimes(t *testing.T, p Pacer, start, until time.Time) []time.Time {
	t.Helper()
	var out []time.Time
	for n := uint64(0); n < 10_000_000; n++ {
		at, ok := Due(p, n)
		if !ok {
			t.Fatalf("schedule ended at visit %d", n)
		}
		due := start.Add(at)
		if !due.Before(until) {
			return out
		}
		if len(out) > 0 && due.Before(out[len(out)-1]) {
			t.Fatalf("visit %d due at %v, before visit %d at %v", n, due, n-1, out[len(out)-1])
		}
		out = append(out, due)
	}
	t.Fatalf("no visit due after %v", until)
	return nil
}

// TestDiurnalWholeDayTotals counts, independently of Diurnal's own day tables, how many due times
// fall on each local calendar date: every whole local day must carry PerDay visits ±1, including
// DST days, zones with half-hour offsets or half-hour DST, and zones whose DST change is at midnight.
func TestDiurnalWholeDayTotals(t *testing.T) {
	t.Parallel()
	const perDay = 1000
	tests := []struct {
		zone string
		day  string // the whole local day counted; the run starts mid-afternoon two days before
	}{
		// a plain UTC day
		{"UTC", "2025-06-10"},
		// Stockholm, an ordinary summer day
		{"Europe/Stockholm", "2025-06-10"},
		// Stockholm, spring forward: 02:00 → 03:00, a 23-hour day
		{"Europe/Stockholm", "2025-03-30"},
		// Stockholm, fall back: 03:00 → 02:00, a 25-hour day
		{"Europe/Stockholm", "2025-10-26"},
		// New York, spring forward at 02:00 local
		{"America/New_York", "2025-03-09"},
		// New York, fall back at 02:00 local
		{"America/New_York", "2025-11-02"},
		// Kolkata: +05:30, so local hours start at :30 UTC
		{"Asia/Kolkata", "2025-06-10"},
		// Lord Howe Island: DST shifts by only 30 minutes (23.5-hour day)
		{"Australia/Lord_Howe", "2025-10-05"},
		// Lord Howe Island: back by 30 minutes (24.5-hour day)
		{"Australia/Lord_Howe", "2025-04-06"},
		// Santiago: DST starts at 24:00, so the local day begins at 01:00
		{"America/Santiago", "2025-09-07"},
		// Santiago: DST ends at 24:00 → 23:00, a 25-hour Saturday
		{"America/Santiago", "2025-04-05"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.day, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, tt.zone)
			day, err := time.ParseInLocation(time.DateOnly, tt.day, loc)
			if err != nil {
				t.Fatal(err)
			}
			y, m, d := day.Date()
			start := time.Date(y, m, d-2, 15, 37, 11, 0, loc)
			p := Diurnal{PerDay: perDay, Start: start, Location: loc}
			counts := map[string]int{}
			for _, due := range dueTimes(t, p, start, time.Date(y, m, d+2, 0, 0, 0, 0, loc)) {
				counts[due.In(loc).Format(time.DateOnly)]++
			}
			for _, whole := range []string{day.AddDate(0, 0, -1).Format(time.DateOnly), tt.day} {
				if got := counts[whole]; got < perDay-1 || got > perDay+1 {
					t.Errorf("%s: %d visits on %s, want %d±1 (all days: %v)", tt.zone, got, whole, perDay, counts)
				}
			}
		})
	}
}

// TestDiurnalRateFollowsCurve checks that within a local day the rate in each hour is PerDay times
// the hour's share of the weight that day actually has, so it integrates to PerDay on 23-, 24-
// and 25-hour days alike.
func TestDiurnalRateFollowsCurve(t *testing.T) {
	t.Parallel()
	loc := mustLoad(t, "Europe/Stockholm")
	curve := DefaultCurve()
	sum := 0.0
	for _, w := range curve {
		sum += w
	}
	tests := []struct {
		day         string
		totalWeight float64 // Σ weight·hours over the hours the day really has
	}{
		// an ordinary day: every hour once
		{"2025-06-10", sum},
		// spring forward: hour 02 does not exist
		{"2025-03-30", sum - curve[2]},
		// fall back: hour 02 happens twice
		{"2025-10-26", sum + curve[2]},
	}
	const perDay = 24000
	for _, tt := range tests {
		day, _ := time.ParseInLocation(time.DateOnly, tt.day, loc)
		start := day.Add(-5 * time.Hour)
		p := Diurnal{PerDay: perDay, Start: start, Location: loc}
		integral := 0.0
		for at := day; at.Before(day.AddDate(0, 0, 1)); at = at.Add(15 * time.Minute) {
			rate := p.Rate(at.Sub(start))
			want := perDay * curve[at.In(loc).Hour()] / (tt.totalWeight * 3600)
			if math.Abs(rate-want) > 1e-9*want {
				t.Errorf("%s: Rate at %v = %g, want %g", tt.day, at.In(loc), rate, want)
			}
			integral += rate * 15 * 60
		}
		if math.Abs(integral-perDay) > 1e-6 {
			t.Errorf("%s: the rate integrates to %g over the day, want %d", tt.day, integral, perDay)
		}
	}
}

func TestDiurnalPace(t *testing.T) {
	t.Parallel()
	utcMidnight := time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	sthlm := mustLoad(t, "Europe/Stockholm")
	springDay := time.Date(2025, 3, 30, 0, 0, 0, 0, sthlm)
	nightOff := flatCurve()
	nightOff[0], nightOff[1] = 0, 0
	tests := []struct {
		p        Diurnal
		elapsed  time.Duration
		started  uint64
		wantWait time.Duration
		wantStop bool
	}{
		// HAPPY PATH
		// flat curve, 24/day from midnight => one visit an hour, the first after an hour
		{Diurnal{PerDay: 24, Start: utcMidnight, Curve: flatCurve()}, 0, 0, time.Hour, false},
		// flat curve, 24/day, 5 started, at 07:00 (behind) => due now
		{Diurnal{PerDay: 24, Start: utcMidnight, Curve: flatCurve()}, 7 * time.Hour, 5, 0, false},
		// flat curve, 24/day, 5 started, at 02:00 => the 6th is due at 06:00
		{Diurnal{PerDay: 24, Start: utcMidnight, Curve: flatCurve()}, 2 * time.Hour, 5, 4 * time.Hour, false},
		// flat curve, 24/day, started at 00:30 => the first due an hour's worth of visits after the start, at 01:30
		{Diurnal{PerDay: 24, Start: utcMidnight.Add(30 * time.Minute), Curve: flatCurve()}, 0, 0, time.Hour, false},
		// flat curve, 24/day, 23 started => the 24th at the end of the day, the 25th an hour into the next
		{Diurnal{PerDay: 24, Start: utcMidnight, Curve: flatCurve()}, 0, 24, 25 * time.Hour, false},
		// hours 00 and 01 weigh nothing, 22/day => the first visit is due at 03:00, after one busy hour
		{Diurnal{PerDay: 22, Start: utcMidnight, Curve: nightOff}, 0, 0, 3 * time.Hour, false},
		// Stockholm spring-forward day, flat curve, 23/day => one visit per real hour, the 3rd at 04:00 CEST (3 real hours)
		{Diurnal{PerDay: 23, Start: springDay, Location: sthlm, Curve: flatCurve()}, 0, 2, 3 * time.Hour, false},
		// Stockholm spring-forward day, 23/day => the 23rd visit at the day's end, 23 real hours after midnight
		{Diurnal{PerDay: 23, Start: springDay, Location: sthlm, Curve: flatCurve()}, 0, 22, 23 * time.Hour, false},
		// SAD PATH
		// zero visits a day => no schedule
		{Diurnal{PerDay: 0, Start: utcMidnight}, 0, 0, 0, true},
		// no Start => no anchor for local hours, no schedule
		{Diurnal{PerDay: 24}, 0, 0, 0, true},
		// a negative weight => invalid, no schedule
		{Diurnal{PerDay: 24, Start: utcMidnight, Curve: [24]float64{-1}}, 0, 0, 0, true},
	}
	for i, tt := range tests {
		wait, stop := tt.p.Pace(tt.elapsed, tt.started)
		if wait != tt.wantWait || stop != tt.wantStop {
			t.Errorf("row %d: %v.Pace(%v, %d) = (%v, %v), want (%v, %v)",
				i, tt.p, tt.elapsed, tt.started, wait, stop, tt.wantWait, tt.wantStop)
		}
	}
}

// TestDiurnalDefaultShape pins the documented shape of DefaultCurve: quietest at 04:00, busiest
// between 10:00 and 15:00, and an evening shoulder above the dinner dip.
func TestDiurnalDefaultShape(t *testing.T) {
	t.Parallel()
	c := DefaultCurve()
	lowest, highest := 0, 0
	for h := range c {
		if c[h] < c[lowest] {
			lowest = h
		}
		if c[h] > c[highest] {
			highest = h
		}
	}
	if lowest != 4 {
		t.Errorf("quietest hour = %02d, want 04", lowest)
	}
	if highest < 10 || highest > 15 {
		t.Errorf("busiest hour = %02d, want 10–15", highest)
	}
	if c[20] <= c[18] {
		t.Errorf("no evening shoulder: 20:00 weighs %g, 18:00 %g", c[20], c[18])
	}
	zero := Diurnal{PerDay: 100, Start: time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)}
	explicit := zero
	explicit.Curve = c
	for _, at := range []time.Duration{0, 4 * time.Hour, 12 * time.Hour} {
		if zero.Rate(at) != explicit.Rate(at) {
			t.Errorf("zero Curve does not mean DefaultCurve at %v", at)
		}
	}
}

func TestDiurnalValidate(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		p        Diurnal
		problems int
	}{
		// a default curve and a start time is all it needs
		{Diurnal{PerDay: 1000, Start: start}, 0},
		// zero visits a day is a valid, empty schedule
		{Diurnal{PerDay: 0, Start: start}, 0},
		// a missing start and a negative rate are both reported
		{Diurnal{PerDay: -1}, 2},
		// two bad weights are two problems
		{Diurnal{PerDay: 1, Start: start, Curve: [24]float64{3: -1, 7: math.Inf(1)}}, 2},
	}
	for i, tt := range tests {
		err := tt.p.Validate()
		if tt.problems == 0 {
			if err != nil {
				t.Errorf("row %d: Validate() = %v, want nil", i, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("row %d: Validate() = %v, want ErrInvalid", i, err)
			continue
		}
		if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != tt.problems {
			t.Errorf("row %d: %d problems reported, want %d: %v", i, n, tt.problems, err)
		}
	}
}

func BenchmarkDiurnalPace(b *testing.B) {
	for _, zone := range []string{"UTC", "Europe/Stockholm", "Australia/Lord_Howe"} {
		b.Run(zone, func(b *testing.B) {
			loc, err := time.LoadLocation(zone)
			if err != nil {
				b.Fatal(err)
			}
			p := Diurnal{PerDay: 1e6, Start: time.Date(2025, 6, 10, 13, 0, 0, 0, loc), Location: loc}
			var n uint64
			for b.Loop() {
				p.Pace(0, n)
				n += 97
			}
		})
	}
}
