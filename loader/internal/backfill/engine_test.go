package backfill

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// A backfill delivers exactly the planned visits of each day, without a single invalid hit, and
// ends with a summary telling the user how to archive.
func TestBackfillDeliversPlan(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	sum, out := mustRun(t, cfg)

	if sum.Reason != ReasonFinished {
		t.Fatalf("reason %q", sum.Reason)
	}
	s := srv.Summary()
	if s.Invalid != 0 {
		t.Fatalf("%d invalid hits: %v", s.Invalid, s.InvalidByReason)
	}
	want := map[string]int{cfg.BackfillStartDate: 60, cfg.BackfillEndDate: 60}
	if got := visitsByDay(srv, 1); !equalCounts(got, want) {
		t.Fatalf("visits by day %v, want %v", got, want)
	}
	if sum.Total.VisitsFinished != 120 || int(sum.Total.HitsTracked) != s.Tracked || sum.Total.HitsInvalid != 0 {
		t.Fatalf("summary counters %+v, server tracked %d", sum.Total.Counters, s.Tracked)
	}
	if !strings.Contains(sum.Hint, "core:archive --force-idsites=1 --force-date-range="+cfg.BackfillStartDate+","+cfg.BackfillEndDate) {
		t.Fatalf("hint %q", sum.Hint)
	}
	days := out.days(t)
	if len(days) != 2 || days[0].Date != cfg.BackfillStartDate || !days[0].Done || days[0].Sent != 60 || days[0].Planned != 60 {
		t.Fatalf("day records %+v", days)
	}
	var sawStart, sawSummary bool
	var last *report.Progress
	for _, r := range out.records(t) {
		switch r := r.(type) {
		case *report.Start:
			sawStart = r.PlannedVisits == 120 && len(r.Days) == 2 && r.Mode == "backfill"
		case *report.Progress:
			last = r
		case *report.Summary:
			sawSummary = r.Reason == ReasonFinished
		}
	}
	if last == nil || last.Percent != 100 || last.VisitsDone != 120 || last.VisitsPlanned != 120 || last.ETASeconds != 0 {
		t.Fatalf("last progress record %+v", last)
	}
	if !sawStart || !sawSummary {
		t.Fatalf("start or summary record missing or wrong: %s", out.buf.String())
	}
}

// Each visitor's hits reach Matomo in time order, across days too (returning visitors).
func TestChronologicalPerVisitor(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.BackfillStartDate, cfg.BackfillEndDate = daysAgo(20), daysAgo(11)
	cfg.ReturningProb = 0.6
	cfg.Concurrency = 8
	mustRun(t, cfg)

	last := map[string]string{}
	returning := 0
	for _, r := range srv.Requests() {
		cid, cdt := r.Params.Get("cid"), r.Params.Get("cdt")
		if prev, ok := last[cid]; ok && cdtLess(cdt, prev) {
			t.Fatalf("visitor %s: hit at %s arrived after one at %s", cid, cdt, prev)
		}
		last[cid] = cdt
	}
	s := srv.Summary()
	returning = s.ReturningVisitors
	if returning == 0 {
		t.Fatal("no returning visitors: the test proves nothing")
	}
	inWindow := 0
	for d, n := range visitsByDay(srv, 1) {
		if d >= cfg.BackfillStartDate {
			inWindow += n // before it: earlier visits of visitors who came before the window
		}
	}
	if inWindow != 600 || s.Invalid != 0 {
		t.Fatalf("visits %d in the window, invalid %d", inWindow, s.Invalid)
	}
}

// A second run of a finished backfill sends nothing, says so and succeeds.
func TestRerunIsNoOp(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	mustRun(t, cfg)
	before := srv.Summary().Requests

	sum, out := mustRun(t, cfg)
	if sum.Reason != ReasonAlreadyComplete {
		t.Fatalf("reason %q", sum.Reason)
	}
	if after := srv.Summary().Requests; after != before {
		t.Fatalf("re-run sent %d requests", after-before)
	}
	if len(out.days(t)) != 0 || sum.Hint == "" {
		t.Fatalf("re-run output: %s", out.buf.String())
	}
}

// An unfinished state of other settings is refused with a message naming the file and the change;
// nothing is sent.
func TestStateMismatchRefused(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	crashAfterRecords(t, cfg, 3)
	before := srv.Summary().Requests

	cfg.BackfillPerDay = 70
	cfg.BulkSize = 10 // operational: not part of the complaint
	_, _, err := runWith(t, t.Context(), cfg, nil)
	if err == nil || !strings.Contains(err.Error(), cfg.BackfillStateFile) ||
		!strings.Contains(err.Error(), "BACKFILL_MAX_VISITS_PER_DAY 60 → 70") || strings.Contains(err.Error(), "BULK_BATCH_SIZE") {
		t.Fatalf("err = %v", err)
	}
	if srv.Summary().Requests != before {
		t.Fatal("a refused run sent requests")
	}
}

// A finished backfill does not block a new one with other settings; the new window is sent.
func TestFinishedStateAllowsNewBackfill(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	mustRun(t, cfg)
	cfg.BackfillStartDate, cfg.BackfillEndDate = daysAgo(5), daysAgo(5)
	sum, _ := mustRun(t, cfg)
	if sum.Reason != ReasonFinished || visitsByDay(srv, 1)[daysAgo(5)] != 60 {
		t.Fatalf("reason %q, days %v", sum.Reason, visitsByDay(srv, 1))
	}
}

// With BACKFILL_INVALIDATE_REPORTS the backfilled days are invalidated once, per target.
func TestInvalidateReports(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.BackfillInvalidate = true
	sum, _ := mustRun(t, cfg)

	var calls int
	for _, c := range srv.APICalls() {
		if c.Method != "CoreAdminHome.invalidateArchivedReports" {
			continue
		}
		calls++
		if got := c.Params.Get("dates"); got != cfg.BackfillStartDate+","+cfg.BackfillEndDate {
			t.Fatalf("dates %q", got)
		}
		if got := c.Params.Get("idSites"); got != "1" {
			t.Fatalf("idSites %q", got)
		}
	}
	if calls != 1 || len(sum.Invalidations) != 1 || !sum.Invalidations[0].OK {
		t.Fatalf("%d calls, invalidations %+v", calls, sum.Invalidations)
	}
	mustRun(t, cfg) // already complete and already invalidated: no second call
	calls = 0
	for _, c := range srv.APICalls() {
		if c.Method == "CoreAdminHome.invalidateArchivedReports" {
			calls++
		}
	}
	if calls != 1 {
		t.Fatalf("invalidated %d times", calls)
	}
}

// Mirror mode sends every visit, identical, to every target, each with its own progress.
func TestMirrorTargets(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	twoTargets(&cfg, srv.URL, config.ModeMirror, 1, 1)
	sum, out := mustRun(t, cfg)

	s := srv.Summary()
	one, two := s.PerSite[1], s.PerSite[2]
	if one.Visits != 120 || two.Visits != 120 || one.Orders != two.Orders || one.Actions != two.Actions || s.Invalid != 0 {
		t.Fatalf("site 1 %+v\nsite 2 %+v", one.Counts, two.Counts)
	}
	if len(sum.Targets) != 2 || sum.Targets[0].VisitsFinished != 120 || sum.Targets[1].VisitsFinished != 120 {
		t.Fatalf("targets %+v", sum.Targets)
	}
	// The total line is named like the stats records' and sums the targets' rates (it had
	// "target":"" and rates of 0).
	tot := sum.Total
	if tot.Target != "total" || tot.VisitsFinished != 240 || tot.AchievedPerMin <= 0 ||
		tot.AchievedPerMin != sum.Targets[0].AchievedPerMin+sum.Targets[1].AchievedPerMin ||
		tot.AchievedSinceStartPerMin != tot.AchievedPerMin || tot.AchievedWindowS != sum.Targets[0].AchievedWindowS {
		t.Fatalf("total %+v\ntargets %+v", tot, sum.Targets)
	}
	if len(out.days(t)) != 4 {
		t.Fatalf("want a day record per day and target, got %+v", out.days(t))
	}
}

// Weighted mode sends each visit to one target; a day's total stays exact.
func TestWeightedTargets(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	twoTargets(&cfg, srv.URL, config.ModeWeighted, 1, 3)
	mustRun(t, cfg)

	s := srv.Summary()
	one, two := s.PerSite[1].Visits, s.PerSite[2].Visits
	if one+two != 120 || one == 0 || two <= one || s.Invalid != 0 {
		t.Fatalf("site 1 %d, site 2 %d visits, invalid %d", one, two, s.Invalid)
	}
}

// With BACKFILL_RUN_ONCE the engine stays idle after finishing until its context ends.
func TestRunOnceIdles(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.BackfillRunOnce = true
	ctx, cancel := context.WithCancel(t.Context())
	returned := make(chan error, 1)
	out := &output{}
	go func() {
		_, err := Run(ctx, cfg, testDeps(t, cfg, out))
		returned <- err
	}()
	for i := 0; ; i++ { // wait for the summary record, bounded
		if strings.Contains(out.String(), `"type":"summary"`) {
			break
		}
		if i > 2000 {
			t.Fatal("no summary")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-returned:
		t.Fatalf("returned before cancel: %v", err)
	default:
	}
	cancel()
	if err := <-returned; err != nil {
		t.Fatal(err)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// cdtLess compares two cdt values (unix seconds or date strings of the same form).
func cdtLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// A window ending today sends today's share only, and no hit of today lies after the moment the
// plan was made.
func TestTodayOnlyPastHours(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	back, days := 1, 2
	cfg.BackfillStartDate, cfg.BackfillEndDate = "", ""
	cfg.BackfillDaysBack, cfg.BackfillDuration = &back, &days
	cfg.BackfillPerDay = 500
	mustRun(t, cfg)

	st, err := loadState(cfg.BackfillStateFile)
	if err != nil {
		t.Fatal(err)
	}
	today := st.Days[1]
	p := st.plan()
	p.init(stockholm(t), &cfg)
	want := int64(math.Round(500 * p.curve(today.Date).Share(st.Cutoff)))
	if got := visitsByDay(srv, 1)[today.Date]; int64(got) != today.Visits || today.Visits != want {
		t.Fatalf("today %s: %d visits recorded, %d planned, %d is today's share", today.Date, got, today.Visits, want)
	}
	for _, r := range srv.Requests() {
		cdt, err := time.Parse(time.DateTime, r.Params.Get("cdt"))
		if err != nil {
			t.Fatalf("cdt %q: %v", r.Params.Get("cdt"), err)
		}
		if !cdt.Before(st.Cutoff) {
			t.Fatalf("hit at %v, plan made at %v", cdt, st.Cutoff)
		}
	}
}

// A stopped backfill says so (reason signal, no error); the re-run reports the days finished before
// as such, sends only the rest and counts the whole backfill in its progress.
func TestStopThenResumeReports(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	cfg.BackfillStartDate = daysAgo(13) // three days
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	first, _, err := runWith(t, ctx, cfg, func(_ *Deps, out *output) {
		out.watch = func(line []byte) { // the first day's records are out: it is finished
			if bytes.Contains(line, []byte(`"type":"day"`)) && bytes.Contains(line, []byte(`"date":"`+cfg.BackfillStartDate+`"`)) {
				cancel()
			}
		}
	})
	if err != nil || first.Reason != ReasonSignal {
		t.Fatalf("stop: %v, reason %q", err, first.Reason)
	}
	sent := first.Total.VisitsFinished
	sum, out := mustRun(t, cfg)
	if sum.Reason != ReasonFinished || sum.Total.VisitsFinished != 180-sent {
		t.Fatalf("resume: reason %q, %d visits after %d of 180", sum.Reason, sum.Total.VisitsFinished, sent)
	}
	days := out.days(t)
	if len(days) != 3 || days[0].Skipped != SkipDone || days[0].Sent != 60 {
		t.Fatalf("day records %+v", days)
	}
	for _, r := range out.records(t) {
		if s, ok := r.(*report.Start); ok && s.PlannedVisits != 180-sent {
			t.Fatalf("start plans %d visits still to send, want %d", s.PlannedVisits, 180-sent)
		}
	}
	if s := srv.Summary(); s.Visits != 180 || s.Invalid != 0 {
		t.Fatalf("visits %d invalid %d", s.Visits, s.Invalid)
	}
}

// A site whose time zone cuts days elsewhere than TIMEZONE gets a warning record; the backfill
// still runs.
func TestZoneMismatchWarns(t *testing.T) {
	srv := newSink(t, func(o *matomotest.Options) { o.SiteInfo = map[int]matomotest.Site{1: {Timezone: "America/New_York"}} })
	cfg := testConfig(t, srv.URL)
	sum, out := mustRun(t, cfg)
	warned := false
	for _, r := range out.records(t) {
		if e, ok := r.(*report.Error); ok && !e.Fatal && strings.Contains(e.Message, `"America/New_York"`) {
			warned = true
		}
	}
	if !warned || sum.Reason != ReasonFinished {
		t.Fatalf("warned %v, reason %q: %s", warned, sum.Reason, out.String())
	}
	if sum, out := mustRun(t, testConfig(t, newSink(t, nil).URL)); strings.Contains(out.String(), `"type":"error"`) {
		t.Fatalf("warning for matching zones (%s): %s", sum.Reason, out.String())
	}
}

// Unusable dependencies are refused before anything is read or sent.
func TestBadDeps(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	for _, tc := range []struct {
		name string
		deps Deps
	}{
		{"no catalog", Deps{Deps: engines.Deps{Clients: clientsFor(t, cfg)}}},
		{"fewer clients than enabled targets", Deps{Catalog: visittest.NewCatalog()}},
		{"a nil client", Deps{Deps: engines.Deps{Clients: []engines.Client{nil}}, Catalog: visittest.NewCatalog()}},
		{"a meter without the enabled targets", Deps{Deps: engines.Deps{Clients: clientsFor(t, cfg),
			Meter: meter.NewSet([]string{"another"})}, Catalog: visittest.NewCatalog()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Run(t.Context(), cfg, tc.deps); !errors.Is(err, engines.ErrDeps) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if srv.Summary().Requests != 0 {
		t.Fatal("requests were sent")
	}
}
