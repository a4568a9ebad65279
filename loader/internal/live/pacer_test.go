package live

import (
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// TestBuildPacerShapes: the shape settings choose the pacer, and the rate the engine reports follows
// the weekly factor and the spikes.
func TestBuildPacerShapes(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Stockholm")
	saturday := time.Date(2026, 12, 5, 8, 0, 0, 0, loc)
	tests := []struct {
		name     string
		edit     func(c *config.Config)
		rateAt   time.Duration // after the Saturday 08:00 start
		wantRate float64       // visits/s
	}{
		// flat and no spikes: the constant pacer, no weekend dip
		{"flat stays constant", func(*config.Config) {}, time.Hour, 1},
		// flat with the rhythm switched on: Saturday gets the weekend factor
		{"weekly on", func(c *config.Config) { c.WeeklyRhythm = config.WeeklyOn }, time.Hour, 0.6},
		// own weights, Monday first: Saturday is the sixth
		{"own weights", func(c *config.Config) {
			c.WeeklyRhythm, c.WeeklyWeights = config.WeeklyOn, []float64{1, 1, 1, 1, 1, 0.3, 0.2}
		}, time.Hour, 0.3},
		// a spike on a flat profile multiplies the rate while it lasts
		{"spike", func(c *config.Config) { c.TrafficSpikes = "sat@09:00 x3 1h" }, 90 * time.Minute, 3},
		{"after the spike", func(c *config.Config) { c.TrafficSpikes = "sat@09:00 x3 1h" }, 3 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			c.VisitsPerDay, c.MatomoURL = 86400, "http://127.0.0.1:1/matomo.php"
			tt.edit(&c)
			if ps := c.Validate(); ps.Err() != nil {
				t.Fatal(ps)
			}
			p := buildPacer(c, saturday, loc, 1, nil)
			if _, constant := p.(pace.Constant); constant != (tt.name == "flat stays constant") {
				t.Errorf("pacer %v", p)
			}
			if got := p.Rate(tt.rateAt); math.Abs(got-tt.wantRate) > 1e-9 {
				t.Errorf("rate %g/s, want %g", got, tt.wantRate)
			}
		})
	}
}

// TestShapedThroughScheduler runs the scheduler on synctest's fake clock over a Friday and a
// Saturday with the weekly rhythm and a Saturday-morning spike: Friday carries PerDay, Saturday its
// weekend factor plus the spike's extra visits, all of them in the spike's minutes, none dropped.
func TestShapedThroughScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		loc := mustLoad(t, "Europe/Stockholm")
		clk := startingAt(time.Date(2026, 12, 4, 0, 0, 0, 0, loc)) // a Friday
		start := clk.Now()
		c := config.Default()
		c.VisitsPerDay, c.WeeklyRhythm, c.TrafficSpikes = 2880, config.WeeklyOn, "sat@10:00 x5 30m"
		rec := &recorder{clock: clk}
		res, _ := Run(t.Context(), Config{Pacer: buildPacer(c, start, loc, 1, nil), Concurrency: 10, Clock: clk, Start: start,
			Duration: 48 * time.Hour}, rec.visit(0))
		byDay := map[time.Weekday]uint64{}
		var inSpike uint64
		for _, at := range rec.starts {
			lt := at.In(loc)
			byDay[lt.Weekday()]++
			if lt.Weekday() == time.Saturday && lt.Hour() == 10 && lt.Minute() < 30 {
				inSpike++
			}
		}
		// Saturday: 2880 × 0.6 = 1728 a day, 36 in half an hour, ×5 in the spike: 180 (+144).
		if res.Dropped != 0 || !within(byDay[time.Friday], 2880, 1) || !within(byDay[time.Saturday], 1728+144, 1) || !within(inSpike, 180, 1) {
			t.Errorf("dropped %d; Friday %d (want 2880), Saturday %d (want 1872), spike %d (want 180)",
				res.Dropped, byDay[time.Friday], byDay[time.Saturday], inSpike)
		}
	})
}

// TestBuildPacerRampWinsOverShape: a capacity search's ramp is the schedule; spikes and the weekly
// rhythm do not touch it.
func TestBuildPacerRampWinsOverShape(t *testing.T) {
	c := config.Default()
	c.WeeklyRhythm, c.TrafficSpikes = config.WeeklyOn, "daily@00:00 x5 2h"
	ramp := pace.NewRamp(86400)
	p := buildPacer(c, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), time.UTC, 1, ramp) // a Saturday, in the spike
	if p != pace.Pacer(ramp) || p.Rate(time.Minute) != ramp.Rate(time.Minute) {
		t.Errorf("pacer %v, want the ramp", p)
	}
}
