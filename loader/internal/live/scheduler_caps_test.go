package live

import (
	"math"
	"testing"
	"testing/synctest"
	"time"
	_ "time/tzdata" // the zones below must not depend on the machine's zoneinfo

	"github.com/trafficinator/trafficinator/loader/internal/pace"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// TestMaxPerDay starts just before a local midnight at 1/s: each calendar day in Location gets
// at most MaxPerDay starts, the rest of that day's visits are capped (not dropped), and starting
// resumes as soon as the next local day begins.
func TestMaxPerDay(t *testing.T) {
	sthlm := mustLoad(t, "Europe/Stockholm")
	tests := []struct {
		name   string
		loc    *time.Location // the scheduler's Location; nil means UTC
		start  time.Time
		perDay uint64
		run    time.Duration
	}{
		// Stockholm, 23:50 on the eve of the spring DST change, 100 a day over 20 minutes
		{"stockholm", sthlm, time.Date(2025, 3, 29, 23, 50, 0, 0, sthlm), 100, 20 * time.Minute},
		// no Location means UTC days: 23:55 UTC, 60 a day over 10 minutes
		{"utc default", nil, time.Date(2025, 6, 10, 23, 55, 0, 0, time.UTC), 60, 10 * time.Minute},
		// a quota larger than the visits there are: nothing capped
		{"quota not reached", sthlm, time.Date(2025, 6, 10, 23, 58, 0, 0, sthlm), 1000, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := startingAt(tt.start)
				rec := &recorder{clock: clk}
				res, _ := Run(t.Context(), Config{
					Pacer: pace.Constant{PerDay: perSecond}, Concurrency: 10, Clock: clk,
					MaxPerDay: tt.perDay, Location: tt.loc, Duration: tt.run,
				}, rec.visit(0))
				days := tt.loc
				if days == nil {
					days = time.UTC
				}
				// Independent expectation: due times n·1s, grouped by local date, at most perDay each.
				want := map[string]uint64{}
				var wantStarted, wantCapped uint64
				for n := 1; n <= int(tt.run.Seconds()); n++ {
					date := tt.start.Add(time.Duration(n) * time.Second).In(days).Format(time.DateOnly)
					if want[date] < tt.perDay {
						want[date]++
						wantStarted++
					} else {
						wantCapped++
					}
				}
				got := map[string]uint64{}
				for _, at := range rec.starts {
					got[at.In(days).Format(time.DateOnly)]++
				}
				for date, n := range want {
					if got[date] != n {
						t.Errorf("%s: %d visits started, want %d (all: %v)", date, got[date], n, got)
					}
				}
				if res.Started != wantStarted || res.Capped != wantCapped || res.Dropped != 0 {
					t.Errorf("started %d capped %d dropped %d, want %d, %d, 0",
						res.Started, res.Capped, res.Dropped, wantStarted, wantCapped)
				}
				// The first visit of the new day starts within a second of local midnight.
				y, m, d := tt.start.In(days).Date()
				midnight := time.Date(y, m, d+1, 0, 0, 0, 0, days)
				for _, at := range rec.starts {
					if !at.Before(midnight) {
						if at.Sub(midnight) > time.Second {
							t.Errorf("first visit after midnight at %v", at.In(days))
						}
						break
					}
				}
			})
		})
	}
}

// TestDiurnalThroughScheduler runs whole local days of a Diurnal pacer through the scheduler:
// each local hour gets its share of the curve and the day its PerDay, including the 25-hour day
// on which Stockholm's 02:00 hour happens twice.
func TestDiurnalThroughScheduler(t *testing.T) {
	sthlm := mustLoad(t, "Europe/Stockholm")
	curve := pace.DefaultCurve()
	tests := []struct {
		name  string
		start time.Time
		hours int     // the day's real length
		extra float64 // weight of the hour that happens twice
	}{
		// an ordinary summer day
		{"june", time.Date(2025, 6, 10, 0, 0, 0, 0, sthlm), 24, 0},
		// the autumn DST day: 25 hours, hour 02 twice
		{"dst autumn", time.Date(2025, 10, 26, 0, 0, 0, 0, sthlm), 25, curve[2]},
	}
	const perDay = 8640
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := startingAt(tt.start)
				start := clk.Now()
				rec := &recorder{clock: clk}
				res, _ := Run(t.Context(), Config{
					Pacer:       pace.Diurnal{PerDay: perDay, Start: start, Location: sthlm},
					Concurrency: 10, Clock: clk, Start: start, Duration: time.Duration(tt.hours) * time.Hour,
				}, rec.visit(0))
				if !within(res.Started, perDay, 1) || res.Dropped != 0 {
					t.Errorf("started %d dropped %d over the day, want %d±1 and 0", res.Started, res.Dropped, perDay)
				}
				total := tt.extra
				for _, w := range curve {
					total += w
				}
				var perHour [24]float64
				for _, at := range rec.starts {
					perHour[at.In(sthlm).Hour()]++
				}
				for h, n := range perHour {
					w := curve[h]
					if h == 2 {
						w += tt.extra
					}
					if want := perDay * w / total; math.Abs(n-want) > 2 {
						t.Errorf("hour %02d: %g visits, want %.1f±2", h, n, want)
					}
				}
			})
		})
	}
}
