package dayplan

import (
	"math"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// TestShapedDays: the weekly rhythm and spikes set each day's visits, in backfill as in live mode.
func TestShapedDays(t *testing.T) {
	loc := stockholm(t)
	now := time.Date(2024, 6, 24, 12, 0, 0, 0, loc)
	// Monday 2024-06-17 to Sunday 2024-06-23.
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		visits []int64
	}{
		// the flat profile keeps every day at its target (auto: no rhythm)
		{"flat: no rhythm", func(*config.Config) {}, []int64{1000, 1000, 1000, 1000, 1000, 1000, 1000}},
		// realistic: weekends at BACKFILL_WEEKEND_FACTOR, as before the weekly rhythm existed
		{"realistic: weekend factor", func(c *config.Config) { c.BackfillProfile = config.ProfileRealistic },
			[]int64{1000, 1000, 1000, 1000, 1000, 600, 600}},
		// own weekday factors, Monday first
		{"own weights", func(c *config.Config) {
			c.WeeklyRhythm, c.WeeklyWeights = config.WeeklyOn, []float64{1, 1.02, 1, 0.97, 0.88, 0.55, 0.6}
		}, []int64{1000, 1020, 1000, 970, 880, 550, 600}},
		// a x3 spike of one hour on a flat day adds 2 × 1000/24 visits on Tuesdays only
		{"spike", func(c *config.Config) { c.TrafficSpikes = "tue@12:00 x3 1h" },
			[]int64{1000, 1083, 1000, 1000, 1000, 1000, 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := window("2024-06-17", "2024-06-23", 1000)
			tc.mutate(&c)
			p, err := New(&c, now)
			if err != nil {
				t.Fatal(err)
			}
			for i, d := range p.Days {
				if d.Visits != tc.visits[i] {
					t.Errorf("%s: %d visits, want %d", d.Date, d.Visits, tc.visits[i])
				}
			}
		})
	}
}

// TestShapedCurvePlacesSpikeVisits: the day's curve puts the spike's visits in its minutes.
func TestShapedCurvePlacesSpikeVisits(t *testing.T) {
	loc := stockholm(t)
	c := window("2024-06-18", "2024-06-18", 2400)
	c.TrafficSpikes = "tue@12:00 x3 30m"
	start, end := Bounds("2024-06-18", loc)
	flat := HourWeights(config.ProfileFlat)
	curve := NewShapedCurve(start, end, loc, &flat, Shape(&c, 0, loc))
	const n = 2500 // 2400 + 2 × 50
	perMinute := map[int]int{}
	for i := range n {
		at, _ := curve.Place((float64(i)+0.5)/n, time.Second, end)
		perMinute[int(at.Sub(start)/time.Minute)]++
	}
	inSpike := 0
	for m := 12 * 60; m < 12*60+30; m++ {
		inSpike += perMinute[m]
	}
	if math.Abs(float64(inSpike)-150) > 1 {
		t.Errorf("%d visits between 12:00 and 12:30, want 150 (3 × 50)", inSpike)
	}
	if got := perMinute[13*60]; got < 1 || got > 2 {
		t.Errorf("%d visits at 13:00, want the flat 1–2 a minute", got)
	}
}
