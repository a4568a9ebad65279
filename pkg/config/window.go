package config

import (
	"fmt"
	"time"
)

// MaxBackfillDays is the longest backfill window, in days (inclusive).
const MaxBackfillDays = 180

// DateLayout is the form of backfill dates.
const DateLayout = "2006-01-02"

// Window is an inclusive range of calendar days in a time zone.
type Window struct {
	Start, End time.Time // local midnight of the first and of the last day
	Location   *time.Location
}

// Days returns the number of days in the window.
func (w Window) Days() int {
	n := 0
	for d := w.Start; !d.After(w.End); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// Dates returns every day of the window as YYYY-MM-DD, oldest first.
func (w Window) Dates() []string {
	var out []string
	for d := w.Start; !d.After(w.End); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(DateLayout))
	}
	return out
}

// BackfillWindow computes the backfill days from the absolute or the relative settings, as of now, in
// TIMEZONE. It applies every window rule (one form only, both settings of a form, start ≤ end, no
// future day, at most MaxBackfillDays) and reports all broken rules at once.
func (c *Config) BackfillWindow(now time.Time) (Window, Problems) {
	loc, err := c.Location()
	if err != nil {
		return Window{}, Problems{Errorf("TIMEZONE", c.Timezone, "unknown time zone; use an IANA name such as Europe/Stockholm")}
	}
	today := midnight(now.In(loc))
	abs := c.BackfillStartDate != "" || c.BackfillEndDate != ""
	rel := c.BackfillDaysBack != nil || c.BackfillDuration != nil
	var probs Problems
	var w Window
	w.Location = loc
	switch {
	case abs && rel:
		return w, Problems{Errorf("BACKFILL_START_DATE", c.BackfillStartDate,
			"give either BACKFILL_START_DATE/BACKFILL_END_DATE or BACKFILL_DAYS_BACK/BACKFILL_DURATION_DAYS, not both")}
	case !abs && !rel:
		return w, Problems{Errorf("BACKFILL_START_DATE", "",
			"backfill needs a window: BACKFILL_START_DATE and BACKFILL_END_DATE, or BACKFILL_DAYS_BACK and BACKFILL_DURATION_DAYS")}
	case abs:
		start, p1 := parseDate("BACKFILL_START_DATE", c.BackfillStartDate, "BACKFILL_END_DATE", loc)
		end, p2 := parseDate("BACKFILL_END_DATE", c.BackfillEndDate, "BACKFILL_START_DATE", loc)
		probs = append(append(probs, p1...), p2...)
		if len(probs) > 0 {
			return w, probs
		}
		w.Start, w.End = start, end
	default:
		if c.BackfillDaysBack == nil || c.BackfillDuration == nil {
			missing, other := "BACKFILL_DURATION_DAYS", "BACKFILL_DAYS_BACK"
			if c.BackfillDaysBack == nil {
				missing, other = other, missing
			}
			return w, Problems{Errorf(missing, "", "required together with %s", other)}
		}
		w.Start = today.AddDate(0, 0, -*c.BackfillDaysBack)
		w.End = w.Start.AddDate(0, 0, *c.BackfillDuration-1)
		if w.End.After(today) {
			return w, Problems{Errorf("BACKFILL_DURATION_DAYS", fmt.Sprint(*c.BackfillDuration),
				"the window would end in the future (%s); at most BACKFILL_DAYS_BACK+1 = %d days", w.End.Format(DateLayout), *c.BackfillDaysBack+1)}
		}
	}
	if w.Start.After(w.End) {
		probs = append(probs, Errorf("BACKFILL_START_DATE", w.Start.Format(DateLayout), "must not be after BACKFILL_END_DATE (%s)", w.End.Format(DateLayout)))
	}
	if w.End.After(today) {
		probs = append(probs, Errorf("BACKFILL_END_DATE", w.End.Format(DateLayout), "is in the future (today is %s in %s)", today.Format(DateLayout), loc))
	}
	if n := w.Days(); n > MaxBackfillDays {
		probs = append(probs, Errorf("BACKFILL_START_DATE", w.Start.Format(DateLayout), "window is %d days; at most %d", n, MaxBackfillDays))
	}
	return w, probs
}

func parseDate(name, s, other string, loc *time.Location) (time.Time, Problems) {
	if s == "" {
		return time.Time{}, Problems{Errorf(name, "", "required together with %s", other)}
	}
	d, err := time.ParseInLocation(DateLayout, s, loc)
	if err != nil {
		return time.Time{}, Problems{Errorf(name, s, "not a date; use YYYY-MM-DD")}
	}
	return d, nil
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
