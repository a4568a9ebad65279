package main

import "testing"

func TestCompare(t *testing.T) {
	days := []string{"d1", "d2"}
	planned := map[string]int{"d1": 100, "d2": 100}
	c := func(v, a int) dayCounts { return dayCounts{Visits: v, Actions: a} }
	tests := []struct {
		name           string
		loader, replay map[string]dayCounts
		verdict        string
		matches        []bool
	}{
		// Every day: planned visits, and the same actions as the replay.
		{"exact", map[string]dayCounts{"d1": c(100, 500), "d2": c(100, 480)},
			map[string]dayCounts{"d1": c(100, 500), "d2": c(100, 480)}, "exact", []bool{true, true}},
		// A hit recorded twice opens an extra visit: visits and actions exceed the plan.
		{"duplicate", map[string]dayCounts{"d1": c(101, 501), "d2": c(100, 480)},
			map[string]dayCounts{"d1": c(100, 500), "d2": c(100, 480)}, "not exact", []bool{false, true}},
		// Lost hits: visits right, actions short.
		{"lost actions", map[string]dayCounts{"d1": c(100, 500), "d2": c(100, 470)},
			map[string]dayCounts{"d1": c(100, 500), "d2": c(100, 480)}, "not exact", []bool{true, false}},
		// A replay that lost hits (a 500) makes the loader's day look wrong: reported as it is.
		{"replay short", map[string]dayCounts{"d1": c(100, 500), "d2": c(100, 480)},
			map[string]dayCounts{"d1": c(100, 500), "d2": c(97, 466)}, "not exact", []bool{true, false}},
		// Nothing archived on either site: no verdict on the traffic, only on the reports.
		{"empty", map[string]dayCounts{"d1": {Empty: true}, "d2": {Empty: true}},
			map[string]dayCounts{"d1": {Empty: true}, "d2": {Empty: true}}, "reports empty", []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := compare(days, planned, tt.loader, tt.replay)
			if got.Verdict() != tt.verdict {
				t.Errorf("verdict %q, want %q", got.Verdict(), tt.verdict)
			}
			for i, r := range got.Rows {
				if r.Match != tt.matches[i] {
					t.Errorf("day %s match %v, want %v", r.Date, r.Match, tt.matches[i])
				}
			}
			if got.Totals.Planned != 200 || got.Totals.Loader.Visits != tt.loader["d1"].Visits+tt.loader["d2"].Visits {
				t.Errorf("totals %+v", got.Totals)
			}
		})
	}
}

func TestCeiling(t *testing.T) {
	r := func(p int, perSec float64, non2xx int) replayResult {
		return replayResult{Parallel: p, SiteID: 10 + p, HitsPerSec: perSec, Non2xx: non2xx}
	}
	tests := []struct {
		name    string
		in      []replayResult
		best    float64
		wantRef int
	}{
		// The fastest replay is the ceiling and, being clean, the reference.
		{"fastest clean", []replayResult{r(4, 700, 0), r(8, 720, 0), r(16, 690, 0)}, 720, 1},
		// The fastest had 500s: still the ceiling, but a clean site is the reference for counts.
		{"fastest had 500s", []replayResult{r(4, 700, 0), r(8, 760, 2), r(16, 690, 0)}, 760, 0},
		// All had errors: the fastest is both.
		{"all dirty", []replayResult{r(4, 700, 1), r(8, 760, 2)}, 760, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			best, ref := ceiling(tt.in)
			if best != tt.best || ref != tt.wantRef {
				t.Errorf("ceiling = %.0f, ref %d; want %.0f, %d", best, ref, tt.best, tt.wantRef)
			}
		})
	}
}
