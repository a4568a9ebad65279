package backfill

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

var errCrash = errors.New("simulated crash")

// crashAfterRecords runs cfg until the journal has taken k records, then crashes: that record and
// everything after it is lost, as if the process had died just before writing it. A batch whose
// done record is lost was posted without its reply being recorded.
func crashAfterRecords(t *testing.T, cfg config.Config, k int) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	n := 0
	_, _, err := runWith(t, ctx, cfg, func(d *Deps, _ *output) {
		d.Journals = faultyJournals{fault: func([]byte) error {
			mu.Lock()
			defer mu.Unlock()
			if n++; n > k {
				cancel()
				return errCrash
			}
			return nil
		}}
	})
	return err
}

// stopAfterDone cancels the run's context after k done records: a graceful stop (SIGTERM).
func stopAfterDone(t *testing.T, cfg config.Config, k int) error {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	n := 0
	_, _, err := runWith(t, ctx, cfg, func(d *Deps, _ *output) {
		d.Journals = faultyJournals{fault: func(line []byte) error {
			mu.Lock()
			defer mu.Unlock()
			if bytes.Contains(line, []byte(`"op":"done"`)) {
				if n++; n == k {
					cancel()
				}
			}
			return nil
		}}
	})
	return err
}

// reference runs cfg uninterrupted against a fresh server and returns what that server recorded.
func reference(t *testing.T, cfg config.Config) matomotest.Summary {
	t.Helper()
	srv := newSink(t, nil)
	cfg.MatomoURL = srv.TrackingURL()
	cfg.BackfillStateFile = t.TempDir() + "/ref.json"
	if _, _, err := runWith(t, t.Context(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	return srv.Summary()
}

// Property: however often a backfill is crashed (at any journal record, including between posting a
// batch and recording its reply) or stopped, and then run again with the same state file, Matomo
// ends up with exactly the planned visits: none missing, none twice (no repeated order id, no day
// over its target), the same hits as an uninterrupted run.
func TestResumeAfterCrashes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults matomotest.Faults
		seed   uint64
	}{
		// crashes and stops only
		{name: "clean", seed: 1},
		// crashes on top of lost replies and server errors
		{name: "faulty", faults: matomotest.Faults{DropReplyRate: 0.1, ErrorRate: 0.1, Seed: 3}, seed: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newSink(t, func(o *matomotest.Options) { o.Faults = tc.faults })
			cfg := testConfig(t, srv.URL)
			cfg.BackfillStartDate, cfg.BackfillEndDate = daysAgo(14), daysAgo(11)
			cfg.BackfillPerDay, cfg.BackfillTotal = 80, 290 // the last day is cut by the total cap
			cfg.BulkSize, cfg.Concurrency = 15, 6
			r := rand.New(rand.NewPCG(tc.seed, 99))
			finished, runs := false, 0
			for run := 0; run < 60 && !finished; run++ {
				runs++
				var err error
				if r.IntN(3) == 0 {
					err = stopAfterDone(t, cfg, 1+r.IntN(15))
				} else {
					err = crashAfterRecords(t, cfg, 1+r.IntN(30))
				}
				if err != nil && !errors.Is(err, errCrash) && !strings.Contains(err.Error(), "context canceled") {
					t.Fatalf("run %d: %v", run, err)
				}
				st, lerr := loadState(cfg.BackfillStateFile)
				if lerr != nil {
					t.Fatal(lerr)
				}
				finished = st != nil && st.Complete
			}
			sum, _, err := runWith(t, t.Context(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !finished && sum.Reason != ReasonFinished {
				t.Fatalf("last run: %q", sum.Reason)
			}
			checkExact(t, srv, cfg)
			st, _ := loadState(cfg.BackfillStateFile)
			var landed int64
			for _, d := range st.Days {
				landed += d.Targets[0].Landed
			}
			if runs < 5 || landed == 0 {
				t.Fatalf("%d interrupted runs, %d visits settled through the Live API: the test proves little", runs, landed)
			}
			t.Logf("%d interrupted runs; %d visits found landed after a lost reply", runs, landed)
			srv.SetFaults(matomotest.Faults{})
			want := reference(t, cfg)
			got := srv.Summary()
			if got.Tracked-got.Excluded != want.Tracked-want.Excluded || got.Orders != want.Orders || got.Actions != want.Actions {
				t.Fatalf("interrupted run recorded %d hits, %d actions, %d orders; uninterrupted %d, %d, %d",
					got.Tracked, got.Actions, got.Orders, want.Tracked, want.Actions, want.Orders)
			}
		})
	}
}

// checkExact asserts that site 1 holds exactly the planned visits per day and nothing invalid.
func checkExact(t *testing.T, srv *matomotest.Server, cfg config.Config) {
	t.Helper()
	st, err := loadState(cfg.BackfillStateFile)
	if err != nil || st == nil {
		t.Fatalf("state: %v", err)
	}
	s := srv.Summary()
	if s.Invalid != 0 {
		t.Fatalf("%d invalid hits (a repeated ec_id means a visit was sent twice): %v", s.Invalid, s.InvalidByReason)
	}
	got := s.PerSite[1].VisitsByDay
	var total int64
	for _, d := range st.Days {
		total += d.Visits
		if int64(got[d.Date]) != d.Visits {
			t.Fatalf("day %s: %d visits recorded, %d planned (all: %v)", d.Date, got[d.Date], d.Visits, got)
		}
	}
	if cfg.BackfillTotal > 0 && total > cfg.BackfillTotal {
		t.Fatalf("planned %d visits over the cap %d", total, cfg.BackfillTotal)
	}
}

// Lost replies are settled through the Live API: nothing is sent twice and nothing is missing.
func TestLostRepliesSettledByLiveAPI(t *testing.T) {
	srv := newSink(t, func(o *matomotest.Options) { o.Faults = matomotest.Faults{DropReplyRate: 0.25, Seed: 5} })
	cfg := testConfig(t, srv.URL)
	sum, _ := mustRun(t, cfg)

	checkExact(t, srv, cfg)
	st, _ := loadState(cfg.BackfillStateFile)
	var landed int64
	for _, d := range st.Days {
		landed += d.Targets[0].Landed
	}
	if landed == 0 || sum.MaybeDuplicated != 0 || srv.Summary().Faults == 0 {
		t.Fatalf("landed %d, maybe duplicated %d, faults %d", landed, sum.MaybeDuplicated, srv.Summary().Faults)
	}
	if !liveCalled(srv) {
		t.Fatal("the Live API was never asked")
	}
}

// Without a Live API the batches of lost replies are sent again and their visits reported as
// possibly duplicated, and exactly those show up twice.
func TestLostRepliesWithoutLiveAPI(t *testing.T) {
	for _, policy := range []string{config.UnsettledResend, config.UnsettledSkip} {
		t.Run(policy, func(t *testing.T) {
			sink := matomotest.NewUnstartedServer(matomotest.Options{Sites: []int{1}, Token: testToken,
				SiteInfo: map[int]matomotest.Site{1: {Timezone: testZone}}, Faults: matomotest.Faults{DropReplyRate: 0.2, Seed: 9}})
			h := sink.Handler()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/index.php") {
					http.NotFound(w, r)
					return
				}
				h.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			cfg := testConfig(t, srv.URL)
			cfg.EcommerceProb = 0 // a duplicate order would be invalid; count duplicates as visits instead
			cfg.BackfillUnsettled = policy
			sum, out := mustRun(t, cfg)

			// resend: the visits of lost replies are recorded twice and reported as maybe duplicated;
			// skip: they are recorded once (the lost replies' bulks landed) and reported as maybe missing.
			unsure, extra := sum.MaybeDuplicated, int(sum.MaybeDuplicated)
			if policy == config.UnsettledSkip {
				unsure, extra = sum.MaybeMissing, 0
			}
			if sum.Reason != ReasonFinished || unsure == 0 || sum.MaybeDuplicated+sum.MaybeMissing != unsure {
				t.Fatalf("reason %q, maybe duplicated %d, maybe missing %d", sum.Reason, sum.MaybeDuplicated, sum.MaybeMissing)
			}
			s := sink.Summary()
			if s.Visits != 120+extra || s.Invalid != 0 {
				t.Fatalf("%d visits recorded, want %d; invalid %d", s.Visits, 120+extra, s.Invalid)
			}
			var perDay int64
			for _, d := range out.days(t) {
				perDay += d.MaybeDuplicated + d.MaybeMissing
			}
			if perDay != unsure {
				t.Fatalf("day records report %d unsettled visits, the summary %d", perDay, unsure)
			}
		})
	}
}

// Storms of 500s are retried without posting anything twice.
func TestServerErrorStormRetried(t *testing.T) {
	srv := newSink(t, func(o *matomotest.Options) {
		o.Faults = matomotest.Faults{ErrorRate: 0.5, UnavailableRate: 0.1, Seed: 4}
	})
	cfg := testConfig(t, srv.URL)
	sum, _ := mustRun(t, cfg)

	checkExact(t, srv, cfg)
	if sum.Total.Retries == 0 || srv.Summary().Faults == 0 {
		t.Fatalf("retries %d, faults %d: the storm did not happen", sum.Total.Retries, srv.Summary().Faults)
	}
}

// A target that refuses batches stops the run with an error; the state is kept and a run after the
// target is fixed completes the backfill exactly.
func TestRefusedBatchStopsAndResumes(t *testing.T) {
	sink := matomotest.NewUnstartedServer(matomotest.Options{Sites: []int{1}, Token: testToken,
		SiteInfo: map[int]matomotest.Site{1: {Timezone: testZone}}})
	h := sink.Handler()
	var mu sync.Mutex
	posts, refuseFrom := 0, 3
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		posts++
		refuse := refuseFrom > 0 && posts > refuseFrom && strings.HasSuffix(r.URL.Path, "/matomo.php")
		mu.Unlock()
		if refuse {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srv.URL)
	sum, _, err := runWith(t, t.Context(), cfg, nil)
	if !errors.Is(err, ErrBatch) || sum.Reason != ReasonError {
		t.Fatalf("err %v, reason %q", err, sum.Reason)
	}
	mu.Lock()
	refuseFrom = 0
	mu.Unlock()
	if sum, _ := mustRun(t, cfg); sum.Reason != ReasonFinished {
		t.Fatalf("resume: %q", sum.Reason)
	}
	if s := sink.Summary(); s.Visits != 120 || s.Invalid != 0 {
		t.Fatalf("visits %d invalid %d", s.Visits, s.Invalid)
	}
}

func liveCalled(srv *matomotest.Server) bool {
	for _, c := range srv.APICalls() {
		if c.Method == "Live.getLastVisitsDetails" {
			return true
		}
	}
	return false
}

// A token Matomo does not accept makes every hit of a backfill invalid (they are dated more than a
// day back): the run stops with an error at the first bulk instead of marking the window
// delivered, and a run with the right token then delivers it exactly.
func TestRejectedTokenStops(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	bad := cfg
	bad.TokenAuth = "ffffffffffffffffffffffffffffffff"
	_, _, err := runWith(t, t.Context(), bad, nil)
	if !errors.Is(err, ErrBatch) || !strings.Contains(err.Error(), "rejected every hit") {
		t.Fatalf("err = %v, want the rejected-token error", err)
	}
	if s := srv.Summary(); s.Visits != 0 {
		t.Fatalf("%d visits recorded with a rejected token", s.Visits)
	}
	srv.Reset() // forget the rejected hits, so that checkExact can demand zero invalid ones
	mustRun(t, cfg)
	checkExact(t, srv, cfg)
}
