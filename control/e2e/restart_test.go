package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// restartControl restarts the control container in the middle of the live run; the control must
// come back with every run listed, the finished backfill with its figures and the live run
// still running, its counters kept and rising again (it re-attached to the loader container).
func restartControl(t *testing.T, p *project, c *client, live, backfill run) {
	t.Helper()
	before, err := c.getRun(t.Context(), live.ID)
	if err != nil {
		t.Fatal(err)
	}
	if before.State != "running" || before.Total.VisitsStarted == 0 {
		t.Fatalf("before the restart the live run is %s with %d visits; want running with visits", before.State, before.Total.VisitsStarted)
	}
	if _, err := p.compose(t.Context(), 2*time.Minute, "restart", "control"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the control to answer after its restart", time.Minute, func(ctx context.Context) (bool, string) {
		err := c.call(ctx, http.MethodGet, c.base+"/health", nil, http.StatusOK, nil)
		return err == nil, fmt.Sprint(err)
	})
	var runs []run
	c.must(t, http.MethodGet, "/api/runs", nil, http.StatusOK, &runs)
	got := map[string]run{}
	for _, r := range runs {
		got[r.ID] = r
	}
	if b, ok := got[backfill.ID]; !ok || b.State != "completed" || b.Total.VisitsStarted != backfillDays*backfillPerDay {
		t.Errorf("after the restart the backfill run is %+v (listed: %t); want completed with %d visits", b, ok, backfillDays*backfillPerDay)
	}
	if l, ok := got[live.ID]; !ok || l.State != "running" {
		t.Fatalf("after the restart the live run is %+v (listed: %t); want running", l, ok)
	}
	if b, err := c.getRun(t.Context(), backfill.ID); err == nil {
		checkBackfillDays(t, b)
	} else {
		t.Error(err)
	}
	eventually(t, "the live run's counters to rise past their value before the restart", time.Minute, func(ctx context.Context) (bool, string) {
		r, err := c.getRun(ctx, live.ID)
		if err != nil {
			return false, err.Error()
		}
		return r.State == "running" && r.Total.VisitsStarted > before.Total.VisitsStarted,
			fmt.Sprintf("%s, %d visits (before the restart %d)", r.State, r.Total.VisitsStarted, before.Total.VisitsStarted)
	})
}

// stopLive stops the live run through the API: it ends stopped, its container goes away, and
// nothing the sink received was invalid.
func stopLive(t *testing.T, p *project, c *client, live run) {
	t.Helper()
	var r run
	c.must(t, http.MethodPost, "/api/runs/"+live.ID+"/stop", nil, http.StatusOK, &r)
	if r.State != "stopped" {
		r = c.waitRun(t, live.ID, "stopped", time.Minute)
	}
	if r.Total.VisitsStarted == 0 || r.Total.HitsInvalid != 0 {
		t.Errorf("stopped live run: %d visits, %d invalid hits; want visits and none invalid", r.Total.VisitsStarted, r.Total.HitsInvalid)
	}
	eventually(t, "the control's loader containers to be gone", time.Minute, func(ctx context.Context) (bool, string) {
		out, err := p.run(ctx, 30*time.Second, "docker", "ps", "-aq", "--filter", "label=io.trafficinator.scope="+p.scope)
		return err == nil && strings.TrimSpace(out) == "", fmt.Sprintf("containers %q, %v", strings.Fields(out), err)
	})
	s, err := c.summary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if s.Invalid != 0 {
		t.Errorf("the sink rejected %d hits: %v", s.Invalid, s.InvalidByReason)
	}
}

// resumeBackfill resumes the completed backfill from its checkpoint: a finished backfill is never
// replayed, so the new run completes without the sink receiving a single visit more.
func resumeBackfill(t *testing.T, c *client, backfill run) {
	t.Helper()
	var r run
	c.must(t, http.MethodPost, "/api/runs", map[string]any{"resume_of": backfill.ID}, http.StatusCreated, &r)
	r = c.waitRun(t, r.ID, "completed", 2*time.Minute)
	s, err := c.summary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkSinkDays(t, s, backfill)
	if n := s.PerSite[strconv.Itoa(backfillSite)].Visits; n != backfillDays*backfillPerDay {
		t.Errorf("after resuming the completed backfill the sink has %d of its visits, want still %d", n, backfillDays*backfillPerDay)
	}
}
