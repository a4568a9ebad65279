package backfill

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// testClock is the system clock moved by offset. It records every wait asked of it, and waits of
// the lengths in instant pass at once.
type testClock struct {
	offset  time.Duration
	instant []time.Duration
	mu      sync.Mutex
	waits   []time.Duration
}

func (c *testClock) Now() time.Time { return time.Now().Add(c.offset) }

func (c *testClock) NewTimer(d time.Duration) engines.Timer {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	c.mu.Unlock()
	if slices.Contains(c.instant, d) {
		d = 0
	}
	return engines.SystemClock{}.NewTimer(d)
}

// asked reports whether a wait of d was asked of the clock.
func (c *testClock) asked(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Contains(c.waits, d)
}

// The clock in Deps is the engine's only time: the plan's "today", the time a batch was posted
// (which decides when a resumed run may settle it) and the state's last update all come from it.
func TestClockIsTheEnginesTime(t *testing.T) {
	srv := newSink(t, nil)
	cfg := testConfig(t, srv.URL)
	clock := &testClock{offset: 49 * time.Hour} // a clock two days and an hour ahead
	before := clock.Now()
	sum, _, err := runWith(t, t.Context(), cfg, func(d *Deps, _ *output) { d.Clock = clock })
	after := clock.Now()
	if err != nil || sum.Reason != ReasonFinished {
		t.Fatalf("backfill: %v (%s)", err, sum.Reason)
	}
	st, err := loadState(cfg.BackfillStateFile)
	if err != nil {
		t.Fatal(err)
	}
	within := func(what string, at time.Time) {
		t.Helper()
		if at.Before(before.Add(-time.Second)) || at.After(after.Add(time.Second)) {
			t.Errorf("%s is %v, not on the run's clock (%v to %v)", what, at, before, after)
		}
	}
	within("the plan's cutoff", st.Cutoff)
	within("the state's last update", st.Updated)
	for _, d := range st.Days {
		within("the last post of "+d.Date, time.UnixMilli(d.Targets[0].LastSend))
	}
}

// A batch that fails for good in the client is posted again after a retry wait, and that wait is
// the clock's: a clock that passes it at once makes the retry immediate. Nothing is lost or sent
// twice.
func TestRetryWaitsOnTheClock(t *testing.T) {
	sink := matomotest.NewUnstartedServer(matomotest.Options{Sites: []int{1}, Token: testToken,
		SiteInfo: map[int]matomotest.Site{1: {Timezone: testZone}}})
	h := sink.Handler()
	var mu sync.Mutex
	unavailable := 4 // the first bulk and the client's three retries of it
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		refuse := unavailable > 0 && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/matomo.php")
		if refuse {
			unavailable--
		}
		mu.Unlock()
		if refuse {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(t, srv.URL)
	one := 1
	cfg.BackfillConcurrency = &one // one lane: the first four posts are one batch and its retries
	clock := &testClock{instant: []time.Duration{retryWait(0)}}
	sum, _, err := runWith(t, t.Context(), cfg, func(d *Deps, _ *output) { d.Clock = clock })
	if err != nil || sum.Reason != ReasonFinished {
		t.Fatalf("backfill: %v (%s)", err, sum.Reason)
	}
	if !clock.asked(retryWait(0)) {
		t.Fatalf("the engine never waited %v on its clock before posting a failed batch again", retryWait(0))
	}
	if s := sink.Summary(); s.Visits != 120 || s.Invalid != 0 {
		t.Fatalf("%d visits, %d invalid; want 120, 0", s.Visits, s.Invalid)
	}
}
