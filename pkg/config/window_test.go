package config

import (
	"strings"
	"testing"
	"time"
)

func TestBackfillWindow(t *testing.T) {
	now := time.Date(2026, 5, 10, 23, 30, 0, 0, time.UTC) // already 2026-05-11 in CET (UTC+2 in May)
	ip := func(v int) *int { return &v }
	tests := []struct {
		name                string
		start, end          string
		back, dur           *int
		wantDays            int
		wantFirst, wantLast string
		field, message      string
	}{
		// An absolute window of three days.
		{name: "absolute", start: "2026-05-01", end: "2026-05-03", wantDays: 3, wantFirst: "2026-05-01", wantLast: "2026-05-03"},
		// Today in TIMEZONE (CET) is allowed even though it is still yesterday in UTC.
		{name: "today in CET", start: "2026-05-11", end: "2026-05-11", wantDays: 1, wantFirst: "2026-05-11", wantLast: "2026-05-11"},
		// Tomorrow is in the future.
		{name: "future end", start: "2026-05-01", end: "2026-05-12", field: "BACKFILL_END_DATE", message: "future"},
		// Start after end.
		{name: "reversed", start: "2026-05-05", end: "2026-05-01", field: "BACKFILL_START_DATE", message: "after"},
		// 181 days is one too many.
		{name: "too long", start: "2025-11-12", end: "2026-05-11", field: "BACKFILL_START_DATE", message: "at most 180"},
		// 180 days is fine.
		{name: "180 days", start: "2025-11-13", end: "2026-05-11", wantDays: 180, wantFirst: "2025-11-13", wantLast: "2026-05-11"},
		// Relative: 7 days back for 3 days.
		{name: "relative", back: ip(7), dur: ip(3), wantDays: 3, wantFirst: "2026-05-04", wantLast: "2026-05-06"},
		// Relative window reaching past today.
		{name: "relative future", back: ip(1), dur: ip(3), field: "BACKFILL_DURATION_DAYS", message: "future"},
		// Mixing forms is an error.
		{name: "both forms", start: "2026-05-01", end: "2026-05-02", back: ip(3), dur: ip(1), field: "BACKFILL_START_DATE", message: "not both"},
		// Half an absolute window.
		{name: "half absolute", start: "2026-05-01", field: "BACKFILL_END_DATE", message: "required together"},
		// Half a relative window.
		{name: "half relative", back: ip(3), field: "BACKFILL_DURATION_DAYS", message: "required together"},
		// No window at all.
		{name: "none", field: "BACKFILL_START_DATE", message: "needs a window"},
		// A malformed date.
		{name: "bad date", start: "01/05/2026", end: "2026-05-02", field: "BACKFILL_START_DATE", message: "YYYY-MM-DD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validBase()
			c.BackfillEnabled = true
			c.BackfillStartDate, c.BackfillEndDate, c.BackfillDaysBack, c.BackfillDuration = tt.start, tt.end, tt.back, tt.dur
			w, ps := c.BackfillWindow(now)
			if tt.field != "" {
				for _, p := range ps {
					if p.Field == tt.field && strings.Contains(p.Message, tt.message) {
						return
					}
				}
				t.Fatalf("want %s error with %q, got %v", tt.field, tt.message, ps)
			}
			if len(ps) > 0 {
				t.Fatal(ps)
			}
			d := w.Dates()
			if w.Days() != tt.wantDays || d[0] != tt.wantFirst || d[len(d)-1] != tt.wantLast {
				t.Fatalf("window %v (%d days), want %s..%s (%d)", d, w.Days(), tt.wantFirst, tt.wantLast, tt.wantDays)
			}
		})
	}
}
