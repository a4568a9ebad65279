package main

import (
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

const shopScenario = "../../../presets/scenario.shop.yaml"

// TestShopScenarioRuns runs the worked example of presets/ as a seeded backfill of 10,000 visits
// against matomotest and checks, from what the server recorded, the segments' shares: each segment
// group lands in its own site sections, so a visit's landing page tells its segment (mobile
// browsers and loyal buyers share products; news is the mobile browsers' alone).
func TestShopScenarioRuns(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token, RecordLimit: 200_000})
	defer srv.Close()
	env := map[string]string{"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "BACKFILL_ENABLED": "true",
		"BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "2", "BACKFILL_MAX_VISITS_PER_DAY": "5000", "BACKFILL_SEED": "11",
		"BACKFILL_STATE_FILE": filepath.Join(t.TempDir(), "state.json"), "SCENARIO_FILE": shopScenario,
		"TIMEZONE": "UTC", "BOT_PROBABILITY": "0"}
	// Returning visitors who came before the window bring an earlier visit, dated before it.
	windowStart := time.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02") + " 00:00:00"
	if code, _, errs := runCLI(t, env, "validate"); code != 0 {
		t.Fatalf("validate: exit %d\n%s", code, errs)
	}
	code, _, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	landing := map[string]int{}
	visits, mobile, direct := 0, 0, 0
	for _, r := range srv.Requests() {
		if r.Params.Get("new_visit") != "1" || !r.Valid || r.Params.Get("cdt") < windowStart {
			continue
		}
		visits++
		u, _ := url.Parse(r.Params.Get("url"))
		section, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		landing[section]++
		ua := r.Params.Get("ua")
		if strings.Contains(ua, "iPhone") || (strings.Contains(ua, "Android") && strings.Contains(ua, "Mobile")) {
			mobile++
		}
		if r.Params.Get("urlref") == "" {
			direct++
		}
	}
	if visits != 10000 {
		t.Fatalf("%d first hits recorded, want 10000", visits)
	}
	share := func(n int) float64 { return float64(n) / float64(visits) }
	for _, c := range []struct {
		what      string
		got, want float64
	}{
		{"researchers (blog, documentation)", share(landing["blog"] + landing["documentation"]), 0.30},
		{"support seekers (support)", share(landing["support"]), 0.15},
		{"mobile browsers and loyal buyers (products, news)", share(landing["products"] + landing["news"]), 0.55},
		// 0.45·0.2 of the visits land in news
		{"mobile browsers landing in news", share(landing["news"]), 0.09},
		// Σ share × mobile share: 0.45·0.85 + 0.30·0.15 + 0.15·0.5 + 0.10·0.5
		{"mobile devices", share(mobile), 0.5525},
		// Σ share × direct share: 0.45·0.2 + 0.30·0.1 + 0.15·0.6 + 0.10·0.7
		{"direct arrivals", share(direct), 0.28},
	} {
		se := math.Sqrt(c.want * (1 - c.want) / float64(visits))
		if math.Abs(c.got-c.want) > math.Max(0.03*c.want, 4*se) {
			t.Errorf("%s: %.4f, want %.4f within 3%%", c.what, c.got, c.want)
		}
	}
	if n := len(landing); n != 5 {
		t.Errorf("visits land in %v, want only the scenario's five sections", landing)
	}
}

// TestBrokenScenarioIsReportedPrecisely: validate prints every problem of a broken copy of the
// example, each with file, line, path, value and rule, and refuses it.
func TestBrokenScenarioIsReportedPrecisely(t *testing.T) {
	b, err := os.ReadFile(shopScenario)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.NewReplacer("share: 0.30", "share: 0.3O", "landing: {support: 1}", "landing: {support: -1}",
		"ECOMMERCE_ORDER_VALUE_MIN: 49", "ECOMMERCE_ORDER_VALUE_MIN: 999").Replace(string(b))
	path := filepath.Join(t.TempDir(), "shop.yaml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(t, map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "SCENARIO_FILE": path}, "validate")
	if code != 2 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	for _, want := range []string{
		path + ` line 26 segments[1].share="0.3O": must be a number`,
		path + ` line 46 segments[2].journey.landing.support="-1": must be from 0 to 1e+06`,
		path + ` line 46 segments[2].journey.landing="": needs at least one weight above 0`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	// Parse errors stop before the settings are checked against the configuration.
	if strings.Contains(errs, "ECOMMERCE_ORDER_VALUE_MIN") {
		t.Errorf("compile problems reported before the file parses:\n%s", errs)
	}
	// With the file fixed but an order minimum above the maximum, the segment's setting is named.
	broken = strings.Replace(string(b), "ECOMMERCE_ORDER_VALUE_MIN: 49", "ECOMMERCE_ORDER_VALUE_MIN: 999", 1)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "SCENARIO_FILE": path}, "validate")
	if code != 2 || !strings.Contains(errs, `segments[3].settings.ECOMMERCE_ORDER_VALUE_MIN="999"`) {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
}

// TestBackfillSpikeLandsInItsHour: a daily x5 spike of an hour adds 4 × 100 visits to each flat day
// of 2,400, all of them starting between 12:00 and 13:00, as matomotest records them.
func TestBackfillSpikeLandsInItsHour(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token, RecordLimit: 100_000})
	defer srv.Close()
	env := map[string]string{"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "BACKFILL_ENABLED": "true",
		"BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "2", "BACKFILL_MAX_VISITS_PER_DAY": "2400", "BACKFILL_SEED": "5",
		"BACKFILL_STATE_FILE": filepath.Join(t.TempDir(), "state.json"), "TIMEZONE": "UTC", "TRAFFIC_SPIKES": "daily@12:00 x5 1h"}
	windowStart := time.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02") + " 00:00:00" // earlier visits lie before
	if code, _, errs := runCLI(t, env); code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	perDay, perHour := map[string]int{}, map[int]int{}
	for _, r := range srv.Requests() {
		if r.Params.Get("new_visit") != "1" || !r.Valid || r.Params.Get("cdt") < windowStart {
			continue
		}
		cdt := r.Params.Get("cdt") // YYYY-MM-DD HH:MM:SS, UTC
		perDay[cdt[:10]]++
		hour := 0
		for _, c := range cdt[11:13] {
			hour = hour*10 + int(c-'0')
		}
		perHour[hour]++
	}
	if len(perDay) != 2 {
		t.Fatalf("days %v", perDay)
	}
	for d, n := range perDay {
		if n != 2800 {
			t.Errorf("%s: %d visits, want 2,800", d, n)
		}
	}
	if n := perHour[12]; n < 2*500-4 || n > 2*500+4 {
		t.Errorf("%d visits start at 12:xx over two days, want 1,000", n)
	}
	if n := perHour[15]; n < 2*100-4 || n > 2*100+4 {
		t.Errorf("%d visits start at 15:xx over two days, want 200", n)
	}
}
