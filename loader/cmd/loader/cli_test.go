package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

func lookupMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, lookupMap(env), &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateCommand(t *testing.T) {
	preset := filepath.Join("..", "..", "..", "presets", ".env.medium")
	broken := filepath.Join(t.TempDir(), "broken.env")
	os.WriteFile(broken, []byte("TARGET_MODE=roundrobin\nMATOMO_TARGETS=[{\"name\":\nPAGEVIEWS_MIN=9\nPAGEVIEWS_MAX=2\n"+
		"BACKFILL_ENABLED=true\nBACKFILL_START_DATE=2026-01-01\nBACKFILL_END_DATE=2999-01-01\nthis is not a line\n"), 0o600)
	badCampaigns := filepath.Join(t.TempDir(), "campaigns.csv")
	os.WriteFile(badCampaigns, []byte("name,weight\nspring,1\nsummer,-1\n"), 0o600)
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   string
		stderrIn []string
	}{
		// The medium preset with a URL set validates.
		{"preset ok", map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php"}, []string{"validate", "--env-file", preset}, 0, "ok\n", nil},
		// The process environment wins over the file: without it the placeholder URL is refused.
		{"preset placeholder", nil, []string{"validate", "--env-file", preset}, 2, "", []string{"MATOMO_URL", "placeholder"}},
		// A broken file lists every problem, one per line, each naming the variable.
		{"broken", nil, []string{"validate", "--env-file", broken}, 2, "", []string{
			"line 8", "MATOMO_TARGETS", "TARGET_MODE", "PAGEVIEWS_MIN", "BACKFILL_END_DATE"}},
		// The content files are checked too, every problem with its file and line.
		{"bad campaigns file", map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "CAMPAIGNS_FILE": badCampaigns},
			[]string{"validate"}, 2, "", []string{badCampaigns + " line 3 weight=\"-1\": must be a number > 0"}},
		// A missing env file is an error.
		{"missing file", nil, []string{"validate", "--env-file", "/nonexistent.env"}, 2, "", []string{`--env-file="/nonexistent.env": cannot read`}},
		// Unknown commands are refused.
		{"unknown", nil, []string{"launch"}, 2, "", []string{"unknown command"}},
		// version prints the version.
		{"version", nil, []string{"version"}, 0, "trafficinator loader dev\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.env, tt.args...)
			if code != tt.code || (tt.stdout != "" && out != tt.stdout) {
				t.Fatalf("exit %d stdout %q stderr:\n%s", code, out, errs)
			}
			for _, want := range tt.stderrIn {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs)
				}
			}
		})
	}
}

// The loader with the medium preset against a strict Matomo-compatible server: every hit valid, the
// configured number of visits, JSON records on stdout, logs on stderr, no token anywhere.
func TestRunLiveAgainstServer(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token})
	defer srv.Close()
	env := map[string]string{
		"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "TARGET_VISITS_PER_DAY": "50000000",
		"PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0", "MAX_TOTAL_VISITS": "200", "SEED": "7",
		"ECOMMERCE_PROBABILITY": "0.3",
		// One visit at the server per visit sent: no earlier visit of a visitor who came before the
		// run, no crawler (excluded at the server, as by Matomo).
		"RETURNING_VISITOR_PROBABILITY": "0", "BOT_PROBABILITY": "0",
	}
	code, out, errs := runCLI(t, env, "--env-file", filepath.Join("..", "..", "..", "presets", ".env.medium"))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	s := srv.Summary()
	if s.Visits != 200 || s.Invalid != 0 || s.Orders == 0 {
		t.Fatalf("server: %d visits, %d orders, invalid %v", s.Visits, s.Orders, s.InvalidByReason)
	}
	var types []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		rec, err := report.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("stdout line is not a record: %s", sc.Text())
		}
		if st, ok := rec.(*report.Start); ok && st.Seed != 7 {
			t.Fatalf("start record seed %d", st.Seed)
		}
		types = append(types, strings.SplitN(strings.TrimPrefix(sc.Text(), `{"type":"`), `"`, 2)[0])
	}
	if len(types) < 2 || types[0] != "start" || types[len(types)-1] != "summary" {
		t.Fatalf("records %v", types)
	}
	if strings.Contains(out+errs, token) {
		t.Fatal("token printed")
	}
}

// Nothing reaching Matomo is a failure (exit 1).
func TestRunFailsWhenNothingTracked(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Sites: []int{2}}) // site 1 does not exist: every hit is invalid
	defer srv.Close()
	env := map[string]string{"MATOMO_URL": srv.TrackingURL(), "TARGET_VISITS_PER_DAY": "50000000",
		"PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0", "MAX_TOTAL_VISITS": "5", "RANDOMIZE_VISITOR_COUNTRIES": "false"}
	if code, _, errs := runCLI(t, env); code != 1 || !strings.Contains(errs, "no hit reached Matomo") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
}

// AUTO_START=false waits for the start signal file and deletes it: nothing reaches the target
// before the loader has logged that the signal came.
func TestStartSignal(t *testing.T) {
	sink := matomotest.NewUnstartedServer(matomotest.Options{})
	logs := newLogBuffer()
	var early atomic.Int64
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !logs.contains("start signal received") {
			early.Add(1)
		}
		sink.Handler().ServeHTTP(w, r)
	}))
	defer front.Close()
	sig := filepath.Join(t.TempDir(), "go")
	env := map[string]string{"MATOMO_URL": front.URL + "/matomo.php", "AUTO_START": "false", "START_SIGNAL_FILE": sig,
		"START_CHECK_INTERVAL": "0.01", "TARGET_VISITS_PER_DAY": "50000000", "PAUSE_BETWEEN_PVS_MIN": "0",
		"PAUSE_BETWEEN_PVS_MAX": "0", "MAX_TOTAL_VISITS": "3", "RANDOMIZE_VISITOR_COUNTRIES": "false",
		"RETURNING_VISITOR_PROBABILITY": "0", "BOT_PROBABILITY": "0"} // one visit at the server per visit sent
	done := make(chan int, 1)
	go func() { done <- run(t.Context(), nil, lookupMap(env), io.Discard, logs) }()
	if !logs.await("waiting for the start signal", done) {
		t.Fatalf("the loader ended without waiting for the start signal:\n%s", logs)
	}
	if err := os.WriteFile(sig, []byte("now"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, logs)
	}
	if n := early.Load(); n != 0 {
		t.Fatalf("%d requests reached the target before the start signal", n)
	}
	if _, err := os.Stat(sig); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("signal file not deleted")
	}
	if v := sink.Summary().Visits; v != 3 {
		t.Fatalf("visits %d", v)
	}
}

// logBuffer collects a loader's log lines and tells waiters about each write.
type logBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{} // closed and replaced at each write
}

func newLogBuffer() *logBuffer { return &logBuffer{wrote: make(chan struct{})} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.wrote)
	b.wrote = make(chan struct{})
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) contains(s string) bool { return strings.Contains(b.String(), s) }

// await blocks until the log holds s (true) or the loader ends first (false; its exit code is
// put back in done).
func (b *logBuffer) await(s string, done chan int) bool {
	for {
		b.mu.Lock()
		found, wrote := strings.Contains(b.buf.String(), s), b.wrote
		b.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-wrote:
		case code := <-done:
			done <- code
			return b.contains(s)
		}
	}
}

// A backfill into a site of another time zone warns (Matomo would split days differently); the
// backfill still runs, exactly.
func TestBackfillWarnsOnSiteTimezone(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token, SiteInfo: map[int]matomotest.Site{1: {Timezone: "America/New_York"}}})
	defer srv.Close()
	env := map[string]string{"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "BACKFILL_ENABLED": "true",
		"BACKFILL_DAYS_BACK": "4", "BACKFILL_DURATION_DAYS": "2", "BACKFILL_MAX_VISITS_PER_DAY": "50",
		"BACKFILL_STATE_FILE": filepath.Join(t.TempDir(), "state.json"), "TIMEZONE": "Europe/Stockholm",
		"RETURNING_VISITOR_PROBABILITY": "0", "BOT_PROBABILITY": "0"} // only the window's visits
	code, out, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if !strings.Contains(out, "America/New_York") || !strings.Contains(errs, "TIMEZONE=America/New_York") {
		t.Fatalf("no time zone warning:\n%s\n%s", out, errs)
	}
	// One check, one warning: one error record, one log line.
	if n, m := strings.Count(out, `"type":"error"`), strings.Count(errs, "TIMEZONE=America/New_York"); n != 1 || m != 1 {
		t.Fatalf("%d warning records and %d log lines about the time zone, want one each:\n%s\n%s", n, m, out, errs)
	}
	if v := srv.Summary().Visits; v < 100 {
		t.Fatalf("%d visits", v)
	}
	// Matching zones: no warning.
	env["TIMEZONE"] = "America/New_York"
	env["BACKFILL_STATE_FILE"] = filepath.Join(t.TempDir(), "state.json")
	srv.Reset()
	code, out, errs = runCLI(t, env)
	if code != 0 || strings.Contains(errs, "time zone") || strings.Contains(out, `"type":"error"`) {
		t.Fatalf("exit %d, unexpected warning:\n%s\n%s", code, out, errs)
	}
	if s := srv.Summary(); s.Visits != 100 || s.Invalid != 0 {
		t.Fatalf("%d visits, %d invalid", s.Visits, s.Invalid)
	}
}

// A backfill into a Matomo with QueuedTracking bypasses the queue (matomo.php?queuedtracking=0), so
// bulk replies say what was tracked and the counts are exact.
func TestBackfillBypassesQueuedTracking(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewUnstartedServer(matomotest.Options{Token: token, QueuedTracking: true})
	var mu sync.Mutex
	queries := map[string]int{}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "matomo.php") {
			mu.Lock()
			queries[r.URL.RawQuery]++
			mu.Unlock()
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer front.Close()
	env := map[string]string{"MATOMO_URL": front.URL + "/matomo.php", "MATOMO_TOKEN_AUTH": token, "BACKFILL_ENABLED": "true",
		"BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "2", "BACKFILL_MAX_VISITS_PER_DAY": "40", "TIMEZONE": "UTC",
		"BACKFILL_STATE_FILE":           filepath.Join(t.TempDir(), "state.json"),
		"RETURNING_VISITOR_PROBABILITY": "0", "BOT_PROBABILITY": "0"} // only the window's visits
	code, out, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if s := srv.Summary(); s.Visits != 80 || s.Invalid != 0 {
		t.Fatalf("%d visits, %d invalid", s.Visits, s.Invalid)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(queries) != 1 || queries["queuedtracking=0"] == 0 {
		t.Fatalf("bulk posts went to %v, want only matomo.php?queuedtracking=0", queries)
	}
	if !strings.Contains(out, `"reason":"finished"`) {
		t.Fatalf("summary:\n%s", out)
	}
}
