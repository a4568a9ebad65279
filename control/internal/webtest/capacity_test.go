package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// TestBrowserCapacitySearch is the whole story on real parts: the control runs a capacity search
// in a loader container against two matomo-sink containers that slow down past different
// capacities (20 and 60 tracking hits per second), with the report probe on. The search finds
// each capacity within one step and names the faster target in the loader's log (its CLI
// summary), in GET /api/runs/{id}/report and in the UI's Compare view, with the probe's timings
// in all three.
func TestBrowserCapacitySearch(t *testing.T) {
	if testing.Short() && !dockertest.InCI() {
		t.Skip("needs Chromium and the Docker Engine; skipped with -short")
	}
	chromiumPath(t)
	scope := "test-web-cap-" + dockertest.RandomHex(4)
	rt := dockertest.Runtime(t, scope)
	sinkRT := dockertest.Runtime(t, scope+"-sink")
	loaderImage, sinkImage := images.Get(t, rt)
	capacities := map[string]float64{"current": 20, "tuned": 60} // tracking hits/s
	load := []string{"-base-latency", "5ms", "-latency-growth", "100", "-api-latency", "VisitsSummary.get=40ms,*=10ms"}
	var targets []any
	for _, name := range []string{"current", "tuned"} {
		s := dockertest.StartSink(t, sinkRT, sinkImage, sinkToken, append([]string{"-capacity", fmt.Sprint(capacities[name])}, load...)...)
		targets = append(targets, map[string]any{"name": name, "url": s.URL + "/matomo.php", "site_id": 1, "token_auth": sinkToken})
	}
	ctl := startControl(t, rt, loaderImage)
	// Steps of ×2 from 100,000 visits/day, 8 s each: about 3.5, 7, 14, 28, 56 and 111 hits/s.
	cfg := map[string]any{
		"MATOMO_TARGETS": targets, "TARGET_MODE": "mirror", "SEED": 7, "TIMEZONE": "UTC", "CONCURRENCY": 500,
		"PAGEVIEWS_MIN": 1, "PAGEVIEWS_MAX": 3, "PAUSE_BETWEEN_PVS_MIN": 0, "PAUSE_BETWEEN_PVS_MAX": 0,
		"STATS_INTERVAL": "1s", "SHUTDOWN_GRACE": "2s",
		"CAPACITY_SEARCH": "step", "CAPACITY_START_VISITS_PER_DAY": 100_000, "CAPACITY_STEP_FACTOR": 2,
		"CAPACITY_STEP_DURATION": "8s", "CAPACITY_WARMUP": "2s", "CAPACITY_MAX_VISITS_PER_DAY": 3_200_000,
		"CAPACITY_MAX_STEPS": 8, "CAPACITY_MAX_P95_MS": 100,
		"PROBE_ENABLED": true, "PROBE_CALLS": "VisitsSummary.get,Goals.get", "PROBE_PERIODS": "day:today",
		"PROBE_INTERVAL": "4s", "PROBE_AFTER_ROUNDS": 1,
	}
	id := startRunAPI(t, ctl.url, map[string]any{"name": "current vs tuned", "mode": "live", "config": cfg})
	eventually(t, "the search to end", 4*time.Minute, func() bool {
		v, err := ctl.svc.Get(context.WithoutCancel(t.Context()), id)
		return err == nil && !store.IsActive(v.State)
	})
	if v, _ := ctl.svc.Get(t.Context(), id); v.State != store.StateCompleted {
		t.Fatalf("the search ended %s: %s", v.State, v.Error)
	}

	// The loader's own summary in its log.
	lines, err := ctl.svc.Logs(t.Context(), id, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	for l := range lines {
		log.WriteString(l.Text + "\n")
	}
	if !strings.Contains(log.String(), "capacity search: tuned sustained the highest rate") {
		t.Errorf("the loader's log does not name the faster target:\n%s", lastLines(log.String(), 20))
	}

	// The API: each capacity within one step, the faster target, the probe's timings.
	var rep compare.Report
	getJSON(t, ctl.url+"/api/runs/"+id+"/report", &rep)
	if rep.Kind != compare.KindCapacity || rep.Faster != "tuned" || !strings.HasPrefix(rep.Headline, "tuned is faster than current") {
		t.Errorf("kind %q faster %q headline %q", rep.Kind, rep.Faster, rep.Headline)
	}
	t.Logf("the report:\n%s", strings.Join(compare.Lines(&rep), "\n"))
	for _, tg := range rep.Targets {
		checkCapacity(t, tg, capacities[tg.Name])
		if len(tg.Probes) == 0 || tg.Totals.ReportsTimed == 0 || tg.Probes[0].P50ms <= 0 {
			t.Errorf("%s: no report timings: %+v", tg.Name, tg.Probes)
		}
	}

	// The UI's Compare view.
	p := newPage(t)
	login(p, ctl.url)
	p.open(fmt.Sprintf("%s/ui/#/compare?run=%s", ctl.url, id))
	p.waitForLong("the verdict", `(document.querySelector('#compare-headline')?.textContent ?? '').startsWith('tuned is faster than current')`, time.Minute)
	p.waitFor("the charts", `document.querySelectorAll('#chart-steps figure').length === 2 && document.querySelectorAll('#chart-probes polyline').length >= 4`)
	if v := p.text("#compare-verdicts"); !strings.Contains(v, "tuned: sustained rate ×") || !strings.Contains(v, "VisitsSummary.get day today p95") {
		t.Errorf("verdicts %q", v)
	}
	p.noConsoleErrors("compare view of the search")
}

// checkCapacity: the rate a target sustained is below its configured capacity (with the latency
// growth's tolerance: the p95 limit is reached about 20% past it) and the rate it broke at, one
// step higher, is above it.
func checkCapacity(t *testing.T, tg compare.Target, capacity float64) {
	t.Helper()
	c := tg.Capacity
	if c == nil || !c.Held || !c.Broke {
		t.Errorf("%s: capacity %+v", tg.Name, c)
		return
	}
	var broke *report.Step
	for i := range tg.Steps {
		if tg.Steps[i].VisitsPerDay == c.BrokeAt {
			broke = &tg.Steps[i]
		}
	}
	if broke == nil {
		t.Errorf("%s: no step at the rate it broke at (%v)", tg.Name, c.BrokeAt)
		return
	}
	if c.SustainedHitsPerSec > capacity*1.25 || broke.IntendedHitsPerSec < capacity {
		t.Errorf("%s: sustained %.1f hits/s and broke at %.1f hits/s intended: capacity %.0f hits/s is not within that step",
			tg.Name, c.SustainedHitsPerSec, broke.IntendedHitsPerSec, capacity)
	}
}

// getJSON reads a JSON answer of the control's API.
func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// lastLines is the last n lines of text.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
