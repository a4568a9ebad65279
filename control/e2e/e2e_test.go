package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sinkURL is where loaders started by the control reach the demo profile's matomo-sink: by its
// service name, on the compose network the control puts them on (LOADER_NETWORK).
const sinkURL = "http://matomo-sink:8080/matomo.php"

// Sites of the sink (it knows 1 to 4): the demo loader sends to 4, so the test's own runs use
// sites of their own and their counts are exact.
const (
	liveSite     = 2
	backfillSite = 3
	demoSite     = 4
)

// The backfill: 3 days ending two days ago, 200 visits each.
const (
	backfillDays   = 3
	backfillPerDay = 200
)

// TestE2E is the packaged product, end to end: `make up` with the demo profile, a saved config
// aimed at the sink container, a live run, a backfill, a restart of the control container in the
// middle of the live run, a stop, a resumed backfill that must send nothing, and `make purge`
// leaving nothing behind (checked in the cleanup, which runs whether the test passes or fails).
func TestE2E(t *testing.T) {
	p := newProject(t)
	c := p.up(t)
	live := startLive(t, p, c)
	backfill := runBackfill(t, p, c)
	restartControl(t, p, c, live, backfill)
	stopLive(t, p, c, live)
	resumeBackfill(t, c, backfill)
}

// keyLine is how `make up` prints the API key (deploy/up.sh).
var keyLine = regexp.MustCompile(`(?m)^\s*API key:\s+(\S+)\s*$`)

// up runs `make up` (images, compose up, wait for health, print the key) and checks that the
// control reached the Docker Engine through the mounted socket as its non-root user.
func (p *project) up(t *testing.T) *client {
	t.Helper()
	start := time.Now()
	out, err := p.run(t.Context(), 8*time.Minute, "make", "--no-print-directory", "up")
	if err != nil {
		t.Fatalf("make up: %v", err)
	}
	m := keyLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("make up printed no API key:\n%s", tail(out, 20))
	}
	p.key = m[1]
	t.Logf("make up took %s:\n%s", time.Since(start).Round(time.Second), tail(strings.ReplaceAll(out, m[1], "[key]"), 12))
	c := &client{
		base: "http://127.0.0.1:" + strconv.Itoa(p.controlPort),
		sink: "http://127.0.0.1:" + strconv.Itoa(p.sinkPort),
		key:  m[1],
		http: &http.Client{Timeout: 30 * time.Second},
	}
	var health struct {
		Status string `json:"status"`
		Docker string `json:"docker"`
	}
	c.must(t, http.MethodGet, "/health", nil, http.StatusOK, &health)
	if health.Status != "ok" || health.Docker != "ok" {
		t.Fatalf("health: %+v; want status ok with docker ok (the socket's group reaches the control?)", health)
	}
	c.must(t, http.MethodGet, "/api/runs", nil, http.StatusOK, nil) // the printed key is the key
	return c
}

// sinkConfig is a config aimed at the sink container: fast (no pauses), in the sink's time zone.
func sinkConfig(p *project, site int) map[string]any {
	return map[string]any{
		"MATOMO_URL": sinkURL, "MATOMO_SITE_ID": site, "MATOMO_TOKEN_AUTH": p.sinkToken,
		"PAGEVIEWS_MIN": 1, "PAGEVIEWS_MAX": 3, "PAUSE_BETWEEN_PVS_MIN": 0, "PAUSE_BETWEEN_PVS_MAX": 0,
		"TIMEZONE": "UTC", "STATS_INTERVAL": "1s", "SHUTDOWN_GRACE": "2s",
		// every planned visit counted by the sink on its day: no earlier visits of returning
		// visitors before the window (docs/visits.md), no crawlers (excluded, as Matomo does)
		"RETURNING_VISITOR_PROBABILITY": 0, "BOT_PROBABILITY": 0,
	}
}

// startLive saves a config, starts a live run from it and waits until the sink has at least 100
// of its visits, with no invalid hit at all (the demo loader's included, which must be flowing).
func startLive(t *testing.T, p *project, c *client) run {
	t.Helper()
	cfg := sinkConfig(p, liveSite)
	cfg["TARGET_VISITS_PER_DAY"] = 20 * 86400 // 20 visits/s
	var saved struct {
		ID       int64           `json:"id"`
		TokenSet map[string]bool `json:"token_set"`
	}
	c.must(t, http.MethodPost, "/api/configs", map[string]any{"name": "e2e-sink", "config": cfg}, http.StatusCreated, &saved)
	if !saved.TokenSet["MATOMO_TOKEN_AUTH"] {
		t.Errorf("saved config: token_set %v, want MATOMO_TOKEN_AUTH set", saved.TokenSet)
	}
	var r run
	c.must(t, http.MethodPost, "/api/runs", map[string]any{"name": "e2e-live", "mode": "live", "config_id": saved.ID}, http.StatusCreated, &r)
	eventually(t, "100 live visits at the sink", 90*time.Second, func(ctx context.Context) (bool, string) {
		s, err := c.summary(ctx)
		if err != nil {
			return false, err.Error()
		}
		site, demo := s.PerSite[strconv.Itoa(liveSite)], s.PerSite[strconv.Itoa(demoSite)]
		if s.Invalid != 0 {
			t.Fatalf("the sink rejected %d hits: %v", s.Invalid, s.InvalidByReason)
		}
		if n := s.PerSite["1"].Visits; n != 0 { // site 1 is the README's suggestion for a first run
			t.Fatalf("site 1, left to the user, has %d visits: the demo loader must keep to site %d", n, demoSite)
		}
		return site.Visits >= 100 && demo.Visits > 0, fmt.Sprintf("live site %d visits, demo site %d visits", site.Visits, demo.Visits)
	})
	return r
}

// runBackfill backfills 3 days × 200 visits while the live run goes on, and checks that the sink
// got exactly 200 visits on each of the days, none invalid.
func runBackfill(t *testing.T, p *project, c *client) run {
	t.Helper()
	cfg := sinkConfig(p, backfillSite)
	cfg["BACKFILL_DAYS_BACK"], cfg["BACKFILL_DURATION_DAYS"], cfg["BACKFILL_MAX_VISITS_PER_DAY"] = backfillDays+1, backfillDays, backfillPerDay
	var r run
	c.must(t, http.MethodPost, "/api/runs", map[string]any{"name": "e2e-backfill", "mode": "backfill", "config": cfg}, http.StatusCreated, &r)
	r = c.waitRun(t, r.ID, "completed", 2*time.Minute)
	if r.ExitCode == nil || *r.ExitCode != 0 {
		t.Errorf("backfill exit code %s, want 0", exitText(r.ExitCode))
	}
	checkBackfillDays(t, r)
	s, err := c.summary(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checkSinkDays(t, s, r)
	return r
}

// checkBackfillDays: the run reports 3 days, each done with exactly 200 visits and no invalid hit.
func checkBackfillDays(t *testing.T, r run) {
	t.Helper()
	if len(r.Days) != backfillDays {
		t.Fatalf("backfill run %s reports %d days, want %d: %+v", r.ID, len(r.Days), backfillDays, r.Days)
	}
	for _, d := range r.Days {
		if !d.Done || d.Sent != backfillPerDay || d.Invalid != 0 {
			t.Errorf("backfill day %+v: want done, %d visits sent, none invalid", d, backfillPerDay)
		}
	}
}

// checkSinkDays: the sink counted exactly 200 visits on each of the run's days, and on no other
// day of the backfill's site.
func checkSinkDays(t *testing.T, s summary, r run) {
	t.Helper()
	if s.Invalid != 0 {
		t.Errorf("the sink rejected %d hits: %v", s.Invalid, s.InvalidByReason)
	}
	byDay := s.PerSite[strconv.Itoa(backfillSite)].VisitsByDay
	var dates []string
	for _, d := range r.Days {
		dates = append(dates, d.Date)
		if byDay[d.Date] != backfillPerDay {
			t.Errorf("the sink has %d visits on %s, want exactly %d", byDay[d.Date], d.Date, backfillPerDay)
		}
	}
	for day, n := range byDay {
		if !slices.Contains(dates, day) {
			t.Errorf("the sink has %d visits on %s, a day the backfill does not cover", n, day)
		}
	}
}
