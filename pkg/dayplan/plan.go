package dayplan

import (
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
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
// is the window's problems (a config.Problems) when the window cannot be planned.
func New(cfg *config.Config, now time.Time) (Plan, error) {
	w, probs := cfg.BackfillWindow(now)
	if err := probs.Err(); err != nil {
		return Plan{}, err
	}
	p := Plan{Cutoff: now.Truncate(time.Second), Location: w.Location}
	weights := HourWeights(cfg.BackfillProfile)
	perDay := cfg.BackfillPerDay
	if perDay == 0 {
		perDay = roundCount(cfg.VisitsPerDay)
	}
	remaining := cfg.BackfillTotal // 0: no cap
	for _, date := range w.Dates() {
		d := Day{Date: date}
		n := float64(perDay)
		start, end := Bounds(date, w.Location)
		if cfg.BackfillProfile == config.ProfileRealistic && isWeekend(start) {
			n *= cfg.BackfillWeekend
		}
		if p.Cutoff.Before(end) { // today: only the hours already past
			n *= NewCurve(start, end, w.Location, &weights).Share(p.Cutoff)
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

func isWeekend(t time.Time) bool {
	wd := t.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}
