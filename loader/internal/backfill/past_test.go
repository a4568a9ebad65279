package backfill

import (
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// Visitors who came before the window bring their earlier visit, dated before the window: the
// window's days get exactly their planned visits, and the earlier visits fall within pastDays
// before it.
func TestEarlierVisitsBeforeWindow(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.ReturningProb = 0.3
	if _, _, err := runWith(t, t.Context(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	days := visitsByDay(srv, 1)
	if days[cfg.BackfillStartDate] != 60 || days[cfg.BackfillEndDate] != 60 {
		t.Fatalf("window days %v, want 60 each", days)
	}
	earlier := 0
	for d, n := range days {
		if d < cfg.BackfillStartDate {
			earlier += n
		} else if d > cfg.BackfillEndDate {
			t.Fatalf("visits after the window on %s", d)
		}
	}
	// Day 1: every returning visitor came before; day 2: six sevenths of them (see plan.returns).
	if earlier < 20 || earlier > 60 {
		t.Fatalf("%d earlier visits before the window, want about 0.3 × (60 + 60 × 6/7) ≈ 33", earlier)
	}
	if s := srv.Summary(); s.Invalid != 0 {
		t.Fatalf("%d invalid hits", s.Invalid)
	}
}

// Crawler visits are delivered, excluded by the server as by Matomo, and counted apart.
func TestBotsCountedApart(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.BotProb = 0.2
	sum, _, err := runWith(t, t.Context(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	tot, s := sum.Total, srv.Summary()
	if tot.BotVisits < 15 || tot.BotVisits > 35 || tot.BotHits < tot.BotVisits || tot.VisitsStarted != 120 {
		t.Fatalf("%d bot visits with %d hits of %d visits", tot.BotVisits, tot.BotHits, tot.VisitsStarted)
	}
	if int64(s.Visits) != 120-tot.BotVisits || int64(s.ExcludedByReason[matomotest.ExcludedBot]) != tot.BotHits || s.Invalid != 0 {
		t.Fatalf("server: %d visits, %v excluded, %d invalid; %d bot visits, %d bot hits",
			s.Visits, s.ExcludedByReason, s.Invalid, tot.BotVisits, tot.BotHits)
	}
}
