package dayplan

import (
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/shape"
)

// Reasons a planned day has no visits (Day.Skipped).
const (
	SkipTotalCap = "total_cap_reached" // BACKFILL_MAX_VISITS_TOTAL was used up by earlier days
	SkipNoVisits = "no_visits"         // the day's target is zero (per-day target or weekend factor 0)
	SkipDone     = "done_before"       // finished by an earlier run (set by the loader on resume)
)

// IndexBits is how many low bits of the loader's visit sequence numbers hold a visit's index
// within its day; MaxPerDay, the most visits one day can hold, follows from it.
const IndexBits = 24

// MaxPerDay is the most visits one day of a plan holds.
const MaxPerDay = 1<<IndexBits - 1

// Day is one day of a plan.
type Day struct {
	Date    string `json:"date"`
	Visits  int64  `json:"visits"` // across all targets (weighted) or per target (mirror), all shards
	Skipped string `json:"skipped,omitempty"`
}

// Plan is the days of a backfill window as planned at one moment.
type Plan struct {
	Days     []Day
	Cutoff   time.Time      // visits of the last day end before this: the moment, to the second
	Location *time.Location // TIMEZONE, in which the days are calendar days
}

// New plans cfg's backfill window as of now: every day of the window with its visits. The error
// is the window's problems (a config.Problems) when the window cannot be planned. Random spikes are
// drawn from BACKFILL_SEED, else SEED, else 0; NewSeeded takes the seed the run really uses.
func New(cfg *config.Config, now time.Time) (Plan, error) {
	var seed int64
	switch {
	case cfg.BackfillSeed != nil:
		seed = *cfg.BackfillSeed
	case cfg.Seed != nil:
		seed = *cfg.Seed
	}
	return NewSeeded(cfg, now, seed)
}

// Shape is the traffic shape of cfg's backfill with the given seed: the weekly rhythm when it
// applies to backfill (WEEKLY_RHYTHM) and the spikes.
func Shape(cfg *config.Config, seed int64, loc *time.Location) shape.Shape {
	return shape.FromConfig(cfg, true, seed, loc)
}

// NewSeeded is New with the seed that draws random spikes. A day's visits are the per-day target
// times its weekday's factor (when the weekly rhythm applies), times what its spikes add along the
// day's curve.
func NewSeeded(cfg *config.Config, now time.Time, seed int64) (Plan, error) {
	w, probs := cfg.BackfillWindow(now)
	if err := probs.Err(); err != nil {
		return Plan{}, err
	}
	p := Plan{Cutoff: now.Truncate(time.Second), Location: w.Location}
	weights := HourWeights(cfg.BackfillProfile)
	sh := Shape(cfg, seed, w.Location)
	perDay := cfg.BackfillPerDay
	if perDay == 0 {
		perDay = roundCount(cfg.VisitsPerDay)
	}
	remaining := cfg.BackfillTotal // 0: no cap
	for _, date := range w.Dates() {
		d := Day{Date: date}
		n := float64(perDay)
		start, end := Bounds(date, w.Location)
		n *= sh.DayFactor(start)
		curve := NewShapedCurve(start, end, w.Location, &weights, sh)
		if len(sh.Spikes) > 0 { // what the spikes add to the day
			n *= curve.Total() / NewCurve(start, end, w.Location, &weights).Total()
		}
		if p.Cutoff.Before(end) { // today: only the hours already past
			n *= curve.Share(p.Cutoff)
		}
		d.Visits = min(roundCount(n), MaxPerDay)
		switch {
		case cfg.BackfillTotal > 0 && d.Visits > remaining:
			d.Visits = remaining
			if d.Visits == 0 {
				d.Skipped = SkipTotalCap
			}
		case d.Visits == 0:
			d.Skipped = SkipNoVisits
		}
		remaining -= d.Visits
		p.Days = append(p.Days, d)
	}
	return p, nil
}

// Total is the number of visits in the plan.
func (p Plan) Total() int64 {
	var n int64
	for _, d := range p.Days {
		n += d.Visits
	}
	return n
}

// Bounds returns local midnight of date (YYYY-MM-DD) in loc and the next local midnight.
func Bounds(date string, loc *time.Location) (start, end time.Time) {
	d, _ := time.ParseInLocation(config.DateLayout, date, loc)
	return d, d.AddDate(0, 0, 1)
}
