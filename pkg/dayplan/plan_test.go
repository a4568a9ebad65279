package dayplan

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

const zone = "Europe/Stockholm"

// stockholm is the zone of the tests; its DST days are 2024-03-31 (23 h) and 2024-10-27 (25 h).
func stockholm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// window is a flat backfill of start..end with per-day visits and no total cap.
func window(start, end string, perDay int64) config.Config {
	c := config.Default()
	c.BackfillEnabled, c.Timezone = true, zone
	c.BackfillStartDate, c.BackfillEndDate = start, end
	c.BackfillPerDay, c.BackfillTotal = perDay, 0
	return c
}

func TestNewDays(t *testing.T) {
	loc := stockholm(t)
	thursday := time.Date(2024, 6, 20, 12, 0, 0, 0, loc)
	for _, tc := range []struct {
		name    string
		mutate  func(*config.Config)
		now     time.Time
		dates   []string
		visits  []int64
		skipped []string
	}{
		// Friday to Sunday, each day its per-day target.
		{"each day gets the per-day target", func(c *config.Config) {}, thursday,
			[]string{"2024-06-14", "2024-06-15", "2024-06-16"}, []int64{100, 100, 100}, []string{"", "", ""}},
		// The cap cuts the day that crosses it and leaves nothing for the next.
		{"the total cap cuts a day and skips the rest", func(c *config.Config) { c.BackfillTotal = 150 }, thursday,
			nil, []int64{100, 50, 0}, []string{"", "", SkipTotalCap}},
		// 0 per day means the live rate, rounded to whole visits.
		{"per-day 0 falls back to TARGET_VISITS_PER_DAY", func(c *config.Config) { c.BackfillPerDay, c.VisitsPerDay = 0, 30.6 }, thursday,
			nil, []int64{31, 31, 31}, []string{"", "", ""}},
		// Only realistic scales weekends.
		{"realistic scales Saturday and Sunday", func(c *config.Config) { c.BackfillProfile, c.BackfillWeekend = config.ProfileRealistic, 0.55 }, thursday,
			nil, []int64{100, 55, 55}, []string{"", "", ""}},
		{"flat ignores the weekend factor", func(c *config.Config) { c.BackfillWeekend = 0.55 }, thursday,
			nil, []int64{100, 100, 100}, []string{"", "", ""}},
		// A weekend factor of 0 empties the weekend, which is said.
		{"empty days are marked", func(c *config.Config) { c.BackfillProfile, c.BackfillWeekend = config.ProfileRealistic, 0 }, thursday,
			nil, []int64{100, 0, 0}, []string{"", SkipNoVisits, SkipNoVisits}},
		// A window ending today gets the flat share of the hours past: 6 of 24 at 06:00.
		{"today gets only the hours past", func(c *config.Config) { c.BackfillStartDate, c.BackfillEndDate = "2024-06-19", "2024-06-20" },
			time.Date(2024, 6, 20, 6, 0, 0, 0, loc), []string{"2024-06-19", "2024-06-20"}, []int64{100, 25}, []string{"", ""}},
		// Today's share follows the realistic curve, not the clock: by 06:30 the night hours carry
		// 5.45 of the day's 80.65.
		{"realistic today gets the weight of the hours past", func(c *config.Config) {
			c.BackfillStartDate, c.BackfillEndDate, c.BackfillPerDay, c.BackfillProfile = "2024-06-20", "2024-06-20", 1000, config.ProfileRealistic
		}, time.Date(2024, 6, 20, 6, 30, 0, 0, loc), nil, []int64{68}, []string{""}},
		// No day holds more than the sequence layout allows.
		{"a day holds at most MaxPerDay", func(c *config.Config) { c.BackfillPerDay = MaxPerDay + 10 }, thursday,
			nil, []int64{MaxPerDay, MaxPerDay, MaxPerDay}, []string{"", "", ""}},
		// The relative form counts back from today in TIMEZONE.
		{"days back from today", func(c *config.Config) {
			c.BackfillStartDate, c.BackfillEndDate = "", ""
			back, n := 3, 2
			c.BackfillDaysBack, c.BackfillDuration = &back, &n
		}, thursday, []string{"2024-06-17", "2024-06-18"}, []int64{100, 100}, []string{"", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := window("2024-06-14", "2024-06-16", 100)
			tc.mutate(&c)
			p, err := New(&c, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			checkPlan(t, p, tc.now, tc.dates, tc.visits, tc.skipped)
		})
	}
}

// checkPlan compares a plan's days (dates unless nil, visits, skip reasons), total, zone and cutoff
// with what a test expects.
func checkPlan(t *testing.T, p Plan, now time.Time, dates []string, visits []int64, skipped []string) {
	t.Helper()
	var gotDates, gotSkipped []string
	var gotVisits []int64
	var sum int64
	for _, d := range p.Days {
		gotDates, gotVisits, gotSkipped = append(gotDates, d.Date), append(gotVisits, d.Visits), append(gotSkipped, d.Skipped)
		sum += d.Visits
	}
	if dates != nil && !slices.Equal(gotDates, dates) {
		t.Errorf("dates %v, want %v", gotDates, dates)
	}
	if !slices.Equal(gotVisits, visits) || !slices.Equal(gotSkipped, skipped) {
		t.Errorf("visits %v skipped %q, want %v %q", gotVisits, gotSkipped, visits, skipped)
	}
	if p.Total() != sum || p.Location.String() != zone || !p.Cutoff.Equal(now) {
		t.Errorf("total %d of %d, location %v, cutoff %v; want %s, %v", p.Total(), sum, p.Location, p.Cutoff, zone, now)
	}
}

// A window that cannot be planned returns the window's problems, each naming its field.
func TestNewWindowProblems(t *testing.T) {
	now := time.Date(2024, 6, 20, 12, 0, 0, 0, stockholm(t))
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		field  string
	}{
		{"no window at all", func(c *config.Config) { c.BackfillStartDate, c.BackfillEndDate = "", "" }, "BACKFILL_START_DATE"},
		{"a day in the future", func(c *config.Config) { c.BackfillEndDate = "2024-06-21" }, "BACKFILL_END_DATE"},
		{"an unknown zone", func(c *config.Config) { c.Timezone = "Mars/Olympus" }, "TIMEZONE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := window("2024-06-14", "2024-06-16", 100)
			tc.mutate(&c)
			_, err := New(&c, now)
			var ps config.Problems
			if !errors.As(err, &ps) || len(ps) == 0 || ps[0].Field != tc.field {
				t.Fatalf("error %v, want problems about %s", err, tc.field)
			}
		})
	}
}
