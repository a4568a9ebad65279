package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// flowToken is the stand-in's super user token; finding it in any output is a leak.
const flowToken = "feedc0de0123456789abcdef01234567"

// buildLoader builds the real loader binary, which the benchmark runs as a subprocess. It fails
// (never skips) when it cannot.
func buildLoader(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loader")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/loader")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the loader: %v\n%s", err, out)
	}
	return bin
}

// TestFlow runs the whole benchmark against the stand-in: capture, sites, replays, the loader
// run, reports, verdict, JSON summary.
func TestFlow(t *testing.T) {
	loader := buildLoader(t)
	t.Setenv("TMPDIR", t.TempDir()) // the benchmark's work directory lands here
	m := newStandIn(t, flowToken)
	env := map[string]string{
		"MATOMO_BENCH_URL": m.srv.URL + "/", "MATOMO_BENCH_TOKEN": flowToken, "MATOMO_BENCH_DAYS": "2",
		"MATOMO_BENCH_VISITS": "30", "MATOMO_BENCH_PARALLEL": "1,3", "MATOMO_BENCH_LOADER": loader,
		"MATOMO_BENCH_SEED": "7", "MATOMO_BENCH_TIMEOUT": "5m",
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-json"}, lookup, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	var sum summary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("JSON summary: %v\n%s", err, stdout.String())
	}
	text := stderr.String()
	t.Log(text)

	if sum.Verdict != "exact" || sum.Comparison == nil || !sum.Comparison.Exact {
		t.Errorf("verdict %q", sum.Verdict)
	}
	if sum.MatomoVersion != "5.0.2" || len(sum.Replays) != 2 || sum.CapturedHits == 0 || sum.CeilingHitsPerSec <= 0 {
		t.Fatalf("summary %+v", sum)
	}
	perSite := m.Summary().PerSite
	for _, r := range sum.Replays {
		// Every captured hit reached its replay site, once, retargeted.
		if !r.Clean() || r.Hits != sum.CapturedHits || r.Tracked != r.Hits || perSite[r.SiteID].Tracked != r.Hits {
			t.Errorf("replay %+v; the site tracked %d", r, perSite[r.SiteID].Tracked)
		}
	}
	l := sum.Loader
	if l.ExitCode != 0 || l.HitsTracked != int64(sum.CapturedHits) || perSite[l.SiteID].Tracked != sum.CapturedHits ||
		l.HitsPerSec <= 0 || sum.RatioPercent <= 0 {
		t.Errorf("loader %+v; its site tracked %d of %d", l, perSite[l.SiteID].Tracked, sum.CapturedHits)
	}
	for _, row := range sum.Comparison.Rows {
		if row.Planned != 30 || row.Loader.Visits != 30 || row.Replay.Visits != 30 || row.Loader.Actions != row.Replay.Actions {
			t.Errorf("row %+v", row)
		}
	}
	if perSite[1].Hits != 0 {
		t.Errorf("site 1 of the real Matomo got %d hits: the capture leaked", perSite[1].Hits)
	}
	if got := m.sitesCreated(); len(got) != 3 || !strings.HasPrefix(got[0], "trafficinator-bench-replay-p1-") ||
		!strings.HasPrefix(got[2], "trafficinator-bench-loader-") {
		t.Errorf("sites created: %q", got)
	}
	for _, want := range []string{"== Summary", "ceiling", "loader/ceiling", "verdict", "exact"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	checkNoLeak(t, m, stdout.String()+text, sum.WorkDir)
}

// checkNoLeak: the token is in no output, no log, no URL.
func checkNoLeak(t *testing.T, m *standIn, output, workDir string) {
	t.Helper()
	if strings.Contains(output, flowToken) {
		t.Errorf("the token is in the output")
	}
	if n := m.leaks.Load(); n > 0 {
		t.Errorf("%d requests carried the token in their URL", n)
	}
	for _, call := range m.APICalls() {
		if strings.Contains(call.Params.Encode(), flowToken) {
			t.Errorf("API call %s carried the token outside its body", call.Method)
		}
	}
	logs, _ := filepath.Glob(filepath.Join(workDir, "*.log"))
	jsonl, _ := filepath.Glob(filepath.Join(workDir, "*.jsonl"))
	if len(logs) != 2 || len(jsonl) != 2 {
		t.Errorf("logs %q, stdout files %q", logs, jsonl)
	}
	for _, p := range append(logs, jsonl...) {
		if b, err := os.ReadFile(p); err != nil || bytes.Contains(b, []byte(flowToken)) {
			t.Errorf("%s: leaks the token or is unreadable (%v)", p, err)
		}
	}
}

// TestFlowRefusesRemote: a non-loopback URL is refused before anything is sent.
func TestFlowRefusesRemote(t *testing.T) {
	env := map[string]string{"MATOMO_BENCH_URL": "http://192.0.2.1/", "MATOMO_BENCH_TOKEN": flowToken,
		"MATOMO_BENCH_LOADER": "/bin/sh"}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "MATOMO_BENCH_ALLOW_REMOTE") || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// TestReplayCountsFailures: a replay never retries; 500s are counted and the rest is tracked.
func TestReplayCountsFailures(t *testing.T) {
	m := matomotest.NewServer(matomotest.Options{Sites: []int{5}, Token: flowToken,
		Faults: matomotest.Faults{ErrorRate: 0.3, Seed: 3}})
	t.Cleanup(m.Close)
	var bodies [][]byte
	hits := 0
	for i := range 40 {
		raw := []byte(`{"requests":["?idsite=1&rec=1&cid=00000000000000` + twoHex(i) + `&url=https%3A%2F%2Fe.test%2F"],"token_auth":"x"}`)
		b, n, err := rewriteBody(raw, 5, flowToken)
		if err != nil {
			t.Fatal(err)
		}
		bodies, hits = append(bodies, b), hits+n
	}
	hc := newHTTPClient(4)
	r := replay(t.Context(), hc, m.TrackingURL()+"?queuedtracking=0", bodies, hits, 4)
	sum := m.Summary()
	if sum.Requests != 40 {
		t.Errorf("%d requests for 40 bodies: a replay must not retry", sum.Requests)
	}
	if r.Non2xx == 0 || r.Non2xx != r.Statuses[500] || r.Non2xx+r.Tracked != 40 || sum.PerSite[5].Tracked != r.Tracked || r.NoReply != 0 {
		t.Errorf("replay %+v, site tracked %d", r, sum.PerSite[5].Tracked)
	}
}

func twoHex(i int) string {
	return string("0123456789abcdef"[i/16%16]) + string("0123456789abcdef"[i%16])
}

// TestReplayFollowsNoRedirect: a 307 would re-send the body, token and all, elsewhere; the replay
// counts it as a non-2xx reply instead.
func TestReplayFollowsNoRedirect(t *testing.T) {
	elsewhere := matomotest.NewServer(matomotest.Options{Sites: []int{5}, Token: flowToken})
	t.Cleanup(elsewhere.Close)
	redirector := httptest.NewServer(http.RedirectHandler(elsewhere.TrackingURL(), http.StatusTemporaryRedirect))
	t.Cleanup(redirector.Close)
	body, hits, err := rewriteBody([]byte(`{"requests":["?idsite=1&rec=1&cid=0000000000000001"]}`), 5, flowToken)
	if err != nil {
		t.Fatal(err)
	}
	r := replay(t.Context(), newHTTPClient(1), redirector.URL+"/matomo.php", [][]byte{body}, hits, 1)
	if r.Non2xx != 1 || r.Statuses[http.StatusTemporaryRedirect] != 1 || elsewhere.Summary().Requests != 0 {
		t.Errorf("replay %+v; the redirect target got %d requests", r, elsewhere.Summary().Requests)
	}
}
