package main

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// shareEnv is the configuration of the share test: every family at a share of its own, so that
// one family mistaken for another shows.
var shareEnv = map[string]string{
	"BACKFILL_ENABLED": "true", "BACKFILL_START_DATE": "2026-06-01", "BACKFILL_END_DATE": "2026-06-02",
	"BACKFILL_MAX_VISITS_PER_DAY": "5000", "TIMEZONE": "UTC", "SEED": "20261203",
	"BOUNCE_PROBABILITY": "0.40", "RETURNING_VISITOR_PROBABILITY": "0.30",
	"CAMPAIGN_PROBABILITY": "0.20", "CAMPAIGN_LEGACY_PROBABILITY": "0.25",
	"CONTENT_IMPRESSION_PROBABILITY": "0.35", "CONTENT_INTERACTION_PROBABILITY": "0.20",
	"PAGE_PERFORMANCE_PROBABILITY": "0.90", "USER_ID_PROBABILITY": "0.30", "CROSS_DEVICE_PROBABILITY": "0.50",
	"BOT_PROBABILITY": "0.02", "ECOMMERCE_PROBABILITY": "0",
	"GOALS": "1:0.08:10,2:0.05", "GOAL_CONVERSION_PROBABILITY": "0.06",
}

// TestSharesEndToEnd is the proof: a seeded backfill of 10,000 visits through the loader, over
// HTTP to the test server, and every configured share as Matomo would store it within 3%
// (relative) of what was asked.
func TestSharesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 visits; skipped with -short")
	}
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token,
		GoalDefs: map[int][]matomotest.Goal{1: {{ID: 1, Name: "Signup"}, {ID: 2, Name: "Trial", Revenue: 20}, {ID: 3, Name: "Demo"}}},
		Dimensions: map[int][]matomotest.Dimension{1: {{ID: 1, Scope: matomotest.ScopeVisit, Name: "Plan"},
			{ID: 2, Scope: matomotest.ScopeAction, Name: "Author"}}}})
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token,
		"BACKFILL_STATE_FILE":    filepath.Join(dir, "state.json"),
		"CAMPAIGNS_FILE":         writeTestFile(t, dir, "campaigns.csv", "name,source,medium,weight\nSpring,newsletter,email,5\nbrand,google,cpc,3\nretarget,criteo,display,2\n"),
		"CUSTOM_DIMENSIONS_FILE": writeTestFile(t, dir, "dims.json", `{"dimensions":[{"id":1,"scope":"visit","values":[{"value":"free","weight":7},{"value":"pro","weight":3}]},{"id":2,"scope":"action","values":["a","b"]}]}`),
	}
	for k, v := range shareEnv {
		env[k] = v
	}
	code, out, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	sum := srv.Summary()
	bots := summaryRecord(t, out).BotVisits
	// The window's days: the earlier visits of visitors who came before the window lie before it.
	var w, pageviews, bounces, returning, campaigns int
	lengths := map[string]int{}
	for _, d := range windowDays(t, env) {
		day := sum.PerSite[1].Days[d]
		w += day.Visits
		pageviews += day.Pageviews
		bounces += day.Bounces
		returning += day.ReturningVisits
		campaigns += day.CampaignVisits
		for k, n := range day.VisitLength {
			lengths[k] += n
		}
	}
	// Bots are excluded by Matomo: the window's visits in Matomo are the humans of the 10,000.
	if w+int(bots) != 10_000 || sum.Invalid != 0 {
		t.Fatalf("%d human visits in the window + %d bots, want 10,000; invalid %v", w, bots, sum.InvalidByReason)
	}
	human := float64(w)
	// Each row: what Matomo shows, as a share, and what was configured.
	shares := []struct {
		name      string
		got, want float64
	}{
		{"bots (excluded) of all visits", float64(bots) / 10_000, 0.02},
		{"bounce rate", float64(bounces) / human, 0.40},
		{"returning visits (VisitFrequency)", float64(returning) / human, 0.30},
		{"campaign visits", float64(campaigns) / human, 0.20},
		{"legacy pk_campaign of campaign visits", float64(sum.CampaignParams["pk_campaign"]) / float64(campaigns), 0.25},
		{"content impressions per visit", float64(sum.ContentImpressions) / human, 0.35},
		{"content interactions per impression", float64(sum.ContentInteractions) / float64(sum.ContentImpressions), 0.20},
		{"goal 1 conversions (GOALS)", float64(sum.GoalConversions[1]) / human, 0.08},
		{"goal 2 conversions (GOALS)", float64(sum.GoalConversions[2]) / human, 0.05},
		{"goal 3 conversions (read from the site)", float64(sum.GoalConversions[3]) / human, 0.06},
		{"page views with timings", float64(sum.PerformancePageviews) / float64(sum.HitsByKind[matomotest.KindPageview]), 0.90},
		{"visits with the visit-scope dimension", float64(sum.Dimensions[1]["free"]+sum.Dimensions[1]["pro"]) / human, 1},
		{"page views with the action-scope dimension", float64(sum.Dimensions[2]["a"]+sum.Dimensions[2]["b"]) / float64(pageviews), 1},
	}
	for _, sh := range shares {
		t.Logf("%-45s %.4f (asked %.4f)", sh.name, sh.got, sh.want)
		if rel := math.Abs(sh.got-sh.want) / sh.want; rel > 0.03 || math.IsNaN(rel) {
			t.Errorf("%s: %.4f, want %.4f ± 3%% (off by %.1f%%)", sh.name, sh.got, sh.want, 100*rel)
		}
	}
	// Revenue: GOALS' own for goal 1, the site's default for goal 2.
	if sum.GoalRevenue[1] != 10*float64(sum.GoalConversions[1]) || sum.GoalRevenue[2] != 20*float64(sum.GoalConversions[2]) {
		t.Errorf("goal revenue %v for conversions %v", sum.GoalRevenue, sum.GoalConversions)
	}
	// Values within a family (which campaign, which dimension value) are drawn freely, not
	// stratified: each within four standard deviations of a binomial draw.
	values := []struct {
		name string
		n    int
		w    float64
		of   int
	}{
		{"campaign spring (Matomo lower-cases it)", sum.Campaigns["spring"], 0.5, campaigns},
		{"campaign brand", sum.Campaigns["brand"], 0.3, campaigns},
		{"campaign retarget", sum.Campaigns["retarget"], 0.2, campaigns},
		{"dimension 1 free", sum.Dimensions[1]["free"], 0.7, w},
		{"dimension 2 a", sum.Dimensions[2]["a"], 0.5, pageviews},
	}
	for _, v := range values {
		mean, sd := v.w*float64(v.of), math.Sqrt(float64(v.of)*v.w*(1-v.w))
		if math.Abs(float64(v.n)-mean) > 4*sd {
			t.Errorf("%s: %d of %d, want %.0f ± %.0f", v.name, v.n, v.of, mean, 4*sd)
		}
	}
	// User IDs: members, some on two devices.
	t.Logf("user ids %d, on two devices %d, visits with one %d", sum.UserIDs, sum.CrossDeviceUserIDs, sum.VisitsWithUserID)
	if sum.UserIDs == 0 || sum.CrossDeviceUserIDs == 0 || sum.VisitsWithUserID < sum.UserIDs {
		t.Errorf("user ids %d, on two devices %d, visits with one %d", sum.UserIDs, sum.CrossDeviceUserIDs, sum.VisitsWithUserID)
	}
	// The visit-length histogram (VisitorInterest), bucket by bucket, against VISIT_LENGTHS.
	cfgLengths, _ := config.ParseVisitLengths(config.DefaultVisitLengths)
	total := 0.0
	for _, b := range cfgLengths {
		total += b.Weight
	}
	for i, b := range cfgLengths {
		label := matomotest.VisitLengthBuckets[i].Label
		got, want := float64(lengths[label])/human, b.Weight/total
		t.Logf("visit length %-36s %.4f (asked %.4f)", label, got, want)
		if rel := math.Abs(got-want) / want; rel > 0.03 {
			t.Errorf("visit length %s: %.4f, want %.4f ± 3%% (off by %.1f%%)", label, got, want, 100*rel)
		}
	}
}

func writeTestFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// summaryRecord is the run's final summary record.
func summaryRecord(t *testing.T, out string) report.TargetStats {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		rec, err := report.Parse(sc.Bytes())
		if err != nil {
			continue
		}
		if s, ok := rec.(*report.Summary); ok {
			return s.Total
		}
	}
	t.Fatal("no summary record")
	return report.TargetStats{}
}

// windowDays are the backfill window's dates.
func windowDays(t *testing.T, env map[string]string) []string {
	t.Helper()
	cfg, ps := config.Check(config.Env(lookupMap(env)))
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	w, ps := cfg.BackfillWindow(time.Now())
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	return w.Dates()
}
