package backfill

import (
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// checkNoTwice fails when the server recorded a hit twice or had a visitor's hits in two bulks it
// processed at once.
func checkNoTwice(t *testing.T, srv *matomotest.Server) {
	t.Helper()
	s := srv.Summary()
	if s.DuplicateHits != 0 || s.ConcurrentVisitors != 0 {
		t.Fatalf("%d hits recorded twice, %d visitors in two bulks at once", s.DuplicateHits, s.ConcurrentVisitors)
	}
}

// Under each fault a real Matomo shows under concurrent bulk load, and under their mix, every
// planned visit is recorded once: exact visits per day, no hit twice, no invalid hit (a repeated
// order id), and no visitor in two bulks at once. The faults are seeded, so each row is the same
// run every time.
func TestFaultsExactlyOnce(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name   string
		faults matomotest.Faults
		// settled says the fault must have made the engine ask the Live API.
		settled bool
	}{
		// A deadlock: the head of a bulk is lost, its tail recorded, then 500.
		{"deadlock", matomotest.Faults{DeadlockRate: 0.3, Seed: 21}, true},
		// Late processing: the client gives up (its timeout is 60 ms), the server records the bulk
		// 100 ms after it came, before BACKFILL_SETTLE_AFTER has passed.
		{"late", matomotest.Faults{LateRate: 0.2, LateDelay: 100 * ms, Seed: 22}, true},
		// Heavy-tailed latency: most bulks quick, a few past the client's timeout, recorded anyway.
		{"heavy tail", matomotest.Faults{Latency: 2 * ms, LatencyTailAlpha: 0.8, LatencyMax: 100 * ms, Seed: 23}, true},
		// A reply lost after the bulk was recorded.
		{"lost reply", matomotest.Faults{DropReplyRate: 0.2, Seed: 24}, true},
		// All of them, with plain 500s and 503s (nothing recorded) on top.
		{"mix", matomotest.Faults{DeadlockRate: 0.1, LateRate: 0.05, LateDelay: 100 * ms, DropReplyRate: 0.05,
			ErrorRate: 0.05, UnavailableRate: 0.05, Latency: ms, LatencyTailAlpha: 1, LatencyMax: 100 * ms, Seed: 25}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newSink(t, func(o *matomotest.Options) { o.Faults = tt.faults })
			cfg := faultConfig(t, srv.URL)
			sum, out, err := runWith(t, t.Context(), cfg, withClients(clientsTimeout(t, cfg, 60*ms)))
			if err != nil {
				t.Fatalf("backfill: %v", err)
			}
			checkExact(t, srv, cfg)
			checkNoTwice(t, srv)
			s := srv.Summary()
			var settled int64
			for _, r := range out.records(t) {
				if p, ok := r.(*report.Progress); ok {
					settled = max(settled, p.Settled)
				}
			}
			if s.Faults == 0 && settled == 0 {
				t.Fatal("no fault was injected and no bulk timed out: the test proves nothing")
			}
			if tt.settled && (settled == 0 || !liveCalled(srv)) {
				t.Fatalf("%d settlements: uncertain bulks were never settled through the Live API", settled)
			}
			if sum.MaybeDuplicated != 0 || sum.MaybeMissing != 0 {
				t.Fatalf("maybe duplicated %d, maybe missing %d, with the Live API at hand", sum.MaybeDuplicated, sum.MaybeMissing)
			}
			t.Logf("%d faults, %d hits rolled back, %d settlements", s.Faults, s.RolledBack, settled)
		})
	}
}

// faultConfig is a three-day backfill with small bulks, several in flight, settled after 150 ms.
func faultConfig(t *testing.T, url string) config.Config {
	t.Helper()
	cfg := testConfig(t, url)
	cfg.BackfillStartDate, cfg.BackfillEndDate = daysAgo(14), daysAgo(12)
	cfg.BackfillPerDay = 80
	cfg.BulkSize = 20
	cfg.ReturningProb = 0.4 // visitors across days: lanes must keep them apart
	cfg.BackfillSettleAfter = 150 * time.Millisecond
	return cfg
}

// Days overlap in flight, yet a returning visitor's hits are never in two bulks the server
// processes at once: each visitor keeps to one lane, and a lane posts one bulk at a time.
// Heavy-tailed latency lets lanes drift apart by days, as a real Matomo's does.
func TestVisitorNeverInTwoBulksAtOnce(t *testing.T) {
	srv := newSink(t, func(o *matomotest.Options) {
		o.Faults = matomotest.Faults{Latency: 5 * time.Millisecond, LatencyTailAlpha: 1.2, LatencyMax: 200 * time.Millisecond, Seed: 9}
	})
	cfg := testConfig(t, srv.URL)
	cfg.BackfillStartDate, cfg.BackfillEndDate = daysAgo(17), daysAgo(11)
	cfg.BackfillPerDay, cfg.BulkSize = 40, 6
	cfg.ReturningProb = 0.9
	mustRun(t, cfg)
	checkExact(t, srv, cfg)
	checkNoTwice(t, srv)
	if s := srv.Summary(); s.ReturningVisitors < 40 {
		t.Fatalf("%d returning visitors: too few to prove anything", s.ReturningVisitors)
	}
}
