package main

// dayRow is one day of the comparison: what was planned, and what Matomo's reports say the
// loader's site and the replay site (the loader's exact traffic, posted without the loader) hold.
type dayRow struct {
	Date    string    `json:"date"`
	Planned int       `json:"planned_visits"`
	Loader  dayCounts `json:"loader"`
	Replay  dayCounts `json:"replay"`
	// Match: the loader's site has exactly the planned visits and the same actions as the replay.
	Match bool `json:"match"`
}

// comparison is the per-day table, its totals and the verdict.
type comparison struct {
	Rows   []dayRow `json:"days"`
	Totals dayRow   `json:"totals"`
	// Exact: every day matches.
	Exact bool `json:"exact"`
	// Empty: neither site reports a single visit, so nothing can be judged (reports not archived).
	Empty bool `json:"reports_empty"`
}

// compare builds the table. A day is a match when the loader's site holds exactly the planned
// visits and as many actions as the replay site: the same hits, sent once each.
func compare(days []string, planned map[string]int, loader, replay map[string]dayCounts) comparison {
	c := comparison{Exact: len(days) > 0, Totals: dayRow{Date: "total"}}
	for _, d := range days {
		r := dayRow{Date: d, Planned: planned[d], Loader: loader[d], Replay: replay[d]}
		r.Match = r.Loader.Visits == r.Planned && r.Loader.Actions == r.Replay.Actions
		c.Exact = c.Exact && r.Match
		c.Rows = append(c.Rows, r)
		c.Totals.Planned += r.Planned
		c.Totals.Loader.Visits += r.Loader.Visits
		c.Totals.Loader.Actions += r.Loader.Actions
		c.Totals.Replay.Visits += r.Replay.Visits
		c.Totals.Replay.Actions += r.Replay.Actions
	}
	c.Totals.Match = c.Exact
	c.Empty = c.Totals.Loader.Visits == 0 && c.Totals.Replay.Visits == 0
	if c.Empty {
		c.Exact = false
	}
	return c
}

// Verdict is the comparison in one word or phrase.
func (c comparison) Verdict() string {
	switch {
	case c.Empty:
		return "reports empty"
	case c.Exact:
		return "exact"
	default:
		return "not exact"
	}
}

// ceiling picks the best replay rate, and the replay whose site serves as the reference for the
// reports: the fastest one that got a 2xx for every body (its site holds the traffic complete),
// else the fastest.
func ceiling(results []replayResult) (best float64, ref int) {
	ref = -1
	for i, r := range results {
		best = max(best, r.HitsPerSec)
		if ref < 0 || (r.Clean() && !results[ref].Clean()) ||
			(r.Clean() == results[ref].Clean() && r.HitsPerSec > results[ref].HitsPerSec) {
			ref = i
		}
	}
	return best, ref
}
