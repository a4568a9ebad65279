package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// A real capacity search, over HTTP on loopback and in real time, against two Matomo-compatible
// servers of different capacities in mirror mode, with the report probe on: the records come in
// order (start, steps, verdict, summary), the slower target breaks first, the faster is named,
// the CLI summary says who sustained what, the probe timed reports during and after the load and
// never wrote, and no token is printed. It asserts the ordering and the verdict, not timings
// (the virtual-time tests in package live check the capacities themselves).
func TestCapacitySearchCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("a real-time run of about 15 s")
	}
	const token = "0123456789abcdef0123456789abcdef"
	var targets []map[string]any
	var servers []*matomotest.Server
	for i, c := range []float64{12, 50} { // hits/s; steps of 4-hit visits carry 4.6, 9.3, 18.5, 37, 74 hits/s
		srv := matomotest.NewServer(matomotest.Options{Token: token, Load: matomotest.Load{Capacity: c,
			BaseLatency: 10 * time.Millisecond, MaxLatency: 2 * time.Second}, APILatency: map[string]time.Duration{"*": 5 * time.Millisecond}})
		defer srv.Close()
		servers = append(servers, srv)
		targets = append(targets, map[string]any{"name": []string{"baseline", "candidate"}[i], "url": srv.TrackingURL(),
			"site_id": 1, "token_auth": token, "weight": 1, "enabled": true})
	}
	tj, _ := json.Marshal(targets)
	env := map[string]string{
		"MATOMO_TARGETS": string(tj), "TARGET_MODE": "mirror", "SEED": "3",
		"PAGEVIEWS_MIN": "3", "PAGEVIEWS_MAX": "3", "SITESEARCH_PROBABILITY": "0", "OUTLINKS_PROBABILITY": "0",
		"DOWNLOADS_PROBABILITY": "0", "CLICK_EVENTS_PROBABILITY": "0", "RANDOM_EVENTS_PROBABILITY": "0", "ECOMMERCE_PROBABILITY": "0",
		"PAUSE_BETWEEN_PVS_MIN": "0.1", "PAUSE_BETWEEN_PVS_MAX": "0.3", "CONCURRENCY": "500", "HTTP_TIMEOUT": "5s", "HTTP_RETRIES": "0",
		"AUTO_STOP_AFTER_HOURS": "0.02", "SHUTDOWN_GRACE": "2s", "STATS_INTERVAL": "5s",
		"CAPACITY_SEARCH": "step", "CAPACITY_START_VISITS_PER_DAY": "100000", "CAPACITY_STEP_FACTOR": "2",
		"CAPACITY_STEP_DURATION": "2s", "CAPACITY_WARMUP": "500ms", "CAPACITY_MAX_P95_MS": "150", "CAPACITY_MAX_STEPS": "8",
		"PROBE_ENABLED": "true", "PROBE_CALLS": "VisitsSummary.get,Actions.getPageUrls", "PROBE_PERIODS": "day:today",
		"PROBE_INTERVAL": "1s", "PROBE_AFTER_ROUNDS": "1",
	}
	code, out, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	var types []string
	var verdict *report.Verdict
	probes := map[string]bool{}
	steps := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rec, err := report.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("stdout line is not a record: %s", sc.Text())
		}
		switch r := rec.(type) {
		case *report.Start:
			if r.Search != config.SearchStep || !r.Probe {
				t.Fatalf("start record %+v", r)
			}
		case *report.Verdict:
			verdict = r
		case *report.Probe:
			probes[r.Target+" "+r.Phase] = true
		case *report.Step:
			steps[r.Target]++
		}
		if _, isStats := rec.(*report.Stats); !isStats {
			types = append(types, fmt.Sprintf("%T", rec))
		}
	}
	n := len(types)
	if n < 4 || types[0] != "*report.Start" || types[n-2] != "*report.Verdict" || types[n-1] != "*report.Summary" {
		t.Fatalf("records %v", types)
	}
	if verdict == nil || verdict.Reason != "all_broken" || verdict.Best != "candidate" ||
		verdict.Targets[0].BrokeStep >= verdict.Targets[1].BrokeStep || steps["baseline"] != verdict.Steps || steps["candidate"] != verdict.Steps {
		t.Fatalf("verdict %+v, steps %v", verdict, steps)
	}
	for _, want := range []string{"baseline load", "baseline after", "candidate load", "candidate after"} {
		if !probes[want] {
			t.Errorf("no probe record for %s: %v", want, probes)
		}
	}
	for _, want := range []string{"capacity: baseline sustained", "capacity: candidate sustained", "candidate sustained the highest rate",
		"comparison: capacity: candidate:", "comparison: verdict: candidate: sustained rate",
		"comparison: report timing: baseline: VisitsSummary.get"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	for _, s := range servers {
		for _, c := range s.APICalls() {
			if !config.IsReadMethod(c.Method) {
				t.Fatalf("the loader called %s", c.Method)
			}
		}
	}
	if strings.Contains(out+errs, token) {
		t.Fatal("token printed")
	}
}
