package backfill

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/dayplan"
)

// stockholm is the zone of the plan tests; its DST days are 2024-03-31 (23 h) and 2024-10-27 (25 h).
func stockholm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(testZone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// planConfig is a flat backfill of start..end with per-day visits and a total cap.
func planConfig(start, end string, perDay, total int64) config.Config {
	c := config.Default()
	c.BackfillEnabled, c.Timezone = true, testZone
	c.BackfillStartDate, c.BackfillEndDate = start, end
	c.BackfillPerDay, c.BackfillTotal = perDay, total
	seed := int64(5)
	c.BackfillSeed = &seed
	return c
}

func TestPlanCounts(t *testing.T) {
	now := time.Date(2024, 6, 20, 12, 0, 0, 0, stockholm(t)) // a Thursday
	for _, tc := range []struct {
		name    string
		mutate  func(*config.Config)
		visits  []int64
		skipped []string
	}{
		{"each day gets the per-day target",
			func(c *config.Config) {}, []int64{100, 100, 100}, []string{"", "", ""}},
		{"the total cap cuts the last day",
			func(c *config.Config) { c.BackfillTotal = 250 }, []int64{100, 100, 50}, []string{"", "", ""}},
		{"days after the cap is used up are skipped",
			func(c *config.Config) { c.BackfillTotal = 150 }, []int64{100, 50, 0}, []string{"", "", SkipTotalCap}},
		{"per-day 0 falls back to TARGET_VISITS_PER_DAY",
			func(c *config.Config) { c.BackfillPerDay, c.VisitsPerDay = 0, 30.4 }, []int64{30, 30, 30}, []string{"", "", ""}},
		{"realistic scales Saturday and Sunday by the weekend factor",
			func(c *config.Config) { c.BackfillProfile, c.BackfillWeekend = config.ProfileRealistic, 0.55 },
			[]int64{100, 55, 55}, []string{"", "", ""}},
		{"a weekend factor of 0 leaves weekends empty",
			func(c *config.Config) { c.BackfillProfile, c.BackfillWeekend = config.ProfileRealistic, 0 },
			[]int64{100, 0, 0}, []string{"", SkipNoVisits, SkipNoVisits}},
		{"realistic with a cap: weekend days count against it as they are",
			func(c *config.Config) {
				c.BackfillProfile, c.BackfillWeekend, c.BackfillTotal = config.ProfileRealistic, 0.5, 140
			}, []int64{100, 40, 0}, []string{"", "", SkipTotalCap}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := planConfig("2024-06-14", "2024-06-16", 100, 0) // Friday to Sunday
			tc.mutate(&c)
			p, err := newPlan(&c, now, 1)
			if err != nil {
				t.Fatal(err)
			}
			var visits []int64
			var skipped []string
			for _, d := range p.Days {
				visits, skipped = append(visits, d.Visits), append(skipped, d.Skipped)
			}
			if !slices.Equal(visits, tc.visits) || !slices.Equal(skipped, tc.skipped) {
				t.Fatalf("visits %v skipped %q, want %v %q", visits, skipped, tc.visits, tc.skipped)
			}
		})
	}
}

// Today gets only the share of its target that the hours already past carry, and every visit of
// today ends before the plan's moment.
func TestPlanTodayOnlyPastHours(t *testing.T) {
	loc := stockholm(t)
	now := time.Date(2024, 6, 20, 6, 30, 0, 0, loc)
	curve := dayplan.DiurnalWeights()
	var past, all float64
	for h, w := range curve {
		all += w
		switch {
		case h < 6:
			past += w
		case h == 6:
			past += w / 2
		}
	}
	for _, tc := range []struct {
		name    string
		profile string
		want    int64
	}{
		{"flat: the elapsed part of the day", config.ProfileFlat, int64(math.Round(1000 * 6.5 / 24))},
		{"realistic: the elapsed part of the curve", config.ProfileRealistic, int64(math.Round(1000 * past / all))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := planConfig("2024-06-19", "2024-06-20", 1000, 0)
			c.BackfillProfile = tc.profile
			c.VisitDurationMin, c.VisitDurationMax = 30, 120 // long visits press against the limit
			p, err := newPlan(&c, now, 1)
			if err != nil {
				t.Fatal(err)
			}
			if p.Days[0].Visits != 1000 || p.Days[1].Visits != tc.want {
				t.Fatalf("visits %d, %d; want 1000, %d", p.Days[0].Visits, p.Days[1].Visits, tc.want)
			}
			checkBefore(t, planEngine(t, c, p), 1, now)
		})
	}
	// Just after midnight a long visit cannot fit before now: it keeps its hits before now only.
	early := time.Date(2024, 6, 20, 0, 40, 0, 0, loc)
	c := planConfig("2024-06-20", "2024-06-20", 1000, 0)
	c.VisitDurationMin, c.VisitDurationMax = 60, 120
	p, err := newPlan(&c, early, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(math.Round(1000 * 40.0 / 1440)); p.Days[0].Visits != want {
		t.Fatalf("%d visits at 00:40, want %d", p.Days[0].Visits, want)
	}
	checkBefore(t, planEngine(t, c, p), 0, early)
}

// checkBefore asserts that every visit of plan day di ends before limit.
func checkBefore(t *testing.T, e *engine, di int, limit time.Time) {
	t.Helper()
	for _, b := range buildDay(e, di) {
		if last := b.hits[len(b.hits)-1].Request.Time; !last.Before(limit) {
			t.Fatalf("visit %d ends at %v, not before %v", b.idx, last, limit)
		}
	}
}

// No visit crosses local midnight, on ordinary and DST days, with both profiles; hits are whole
// seconds and strictly increasing.
func TestVisitsStayInsideTheirDay(t *testing.T) {
	loc := stockholm(t)
	now := time.Date(2024, 12, 1, 12, 0, 0, 0, loc)
	for _, tc := range []struct {
		name, date, profile string
	}{
		{"ordinary day, flat", "2024-06-12", config.ProfileFlat},
		{"23-hour spring DST day, flat", "2024-03-31", config.ProfileFlat},
		{"25-hour autumn DST day, realistic", "2024-10-27", config.ProfileRealistic},
		{"23-hour spring DST day, realistic", "2024-03-31", config.ProfileRealistic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := planConfig(tc.date, tc.date, 3000, 0)
			c.BackfillProfile, c.BackfillWeekend = tc.profile, 1 // both DST days are Sundays
			c.VisitDurationMin, c.VisitDurationMax = 1, 120
			p, err := newPlan(&c, now, 1)
			if err != nil {
				t.Fatal(err)
			}
			e := planEngine(t, c, p)
			start, end := p.bounds(tc.date)
			visits := buildDay(e, 0)
			if len(visits) != 3000 {
				t.Fatalf("%d visits", len(visits))
			}
			for _, b := range visits {
				// A visitor who came before the window brings an earlier visit, before the window.
				for _, h := range b.hits[:b.past] {
					if !h.Request.Time.Before(start) {
						t.Fatalf("visit %d: earlier visit at %v, inside the window", b.idx, h.Request.Time)
					}
				}
				first, last := b.hits[b.past].Request.Time, b.hits[len(b.hits)-1].Request.Time
				if first.Before(start) || !last.Before(end) {
					t.Fatalf("visit %d runs %v–%v, outside %v–%v", b.idx, first, last, start, end)
				}
				for k, h := range b.hits {
					if h.Request.Time.Nanosecond() != 0 || k > 0 && !h.Request.Time.After(b.hits[k-1].Request.Time) {
						t.Fatalf("visit %d hit %d at %v", b.idx, k, h.Request.Time)
					}
				}
			}
		})
	}
}

// The realistic profile puts the day's visits where its curve is high; flat spreads them evenly.
func TestProfileShape(t *testing.T) {
	now := time.Date(2024, 12, 1, 12, 0, 0, 0, stockholm(t))
	perHour := func(profile string) [24]int {
		c := planConfig("2024-06-12", "2024-06-12", 12_000, 0)
		c.BackfillProfile = profile
		p, err := newPlan(&c, now, 1)
		if err != nil {
			t.Fatal(err)
		}
		var h [24]int
		for _, b := range buildDay(planEngine(t, c, p), 0) {
			h[b.hits[b.past].Request.Time.In(p.loc).Hour()]++
		}
		return h
	}
	flat := perHour(config.ProfileFlat)
	for h, n := range flat {
		if n < 430 || n > 570 {
			t.Fatalf("flat: hour %d has %d visits, want about 500 (%v)", h, n, flat)
		}
	}
	real := perHour(config.ProfileRealistic)
	if real[11] < 5*real[4] || real[20] < 2*real[2] {
		t.Fatalf("realistic: hours %v do not follow the curve", real)
	}
}

// A visitor has at most one visit per day; returning visitors come from earlier days.
func TestReturningVisitorsOncePerDay(t *testing.T) {
	now := time.Date(2024, 12, 1, 12, 0, 0, 0, stockholm(t))
	c := planConfig("2024-06-01", "2024-06-10", 400, 0)
	c.ReturningProb = 0.7
	p, err := newPlan(&c, now, 1)
	if err != nil {
		t.Fatal(err)
	}
	e := planEngine(t, c, p)
	seenBefore := map[string]bool{}
	returning := 0
	for di := range p.Days {
		today := map[string]bool{}
		for _, b := range buildDay(e, di) {
			if today[b.id] {
				t.Fatalf("day %s: visitor %s twice", p.Days[di].Date, b.id)
			}
			today[b.id] = true
			if seenBefore[b.id] {
				returning++
			}
		}
		for id := range today {
			seenBefore[id] = true
		}
	}
	if returning < 1000 {
		t.Fatalf("only %d returning visits", returning)
	}
}

// planEngine is an engine with a plan and a model but no state or targets: enough to build visits.
func planEngine(t *testing.T, c config.Config, p *plan) *engine {
	t.Helper()
	p.init(p.loc, &c)
	e := &engine{cfg: c, plan: p, shardCount: 1, routes: engines.NewRoutes(c)}
	e.model = visit.New(c, visittest.NewCatalog(), nil, p.Seed, p.returns, nil)
	e.model.SetPast(p.past)
	e.targets = []*target{{}}
	return e
}

// buildDay builds every visit of plan day di.
func buildDay(e *engine, di int) []*built {
	pd := e.plan.Days[di]
	epoch, _ := epochOf(pd.Date)
	d := &dayRun{di: di, date: pd.Date, epoch: epoch, n: pd.Visits, limit: e.plan.limit(pd.Date),
		curve: e.plan.curve(pd.Date)}
	var out []*built
	for i := int64(0); i < d.n; i++ {
		out = append(out, e.build(d, i, 1))
	}
	return out
}
