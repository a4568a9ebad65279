package api

import (
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/dayplan"
)

// estimateToken is the token of the estimate tests' configs; no answer may carry it.
const estimateToken = "estimate-secret-0123456789abcdef"

// backfillConfig is a valid backfill config of two days (three and two days ago, in UTC) at 40
// visits a day, with a visit mix of 3 pageviews and 0.75 special actions on average.
func backfillConfig(extra map[string]any) map[string]any {
	m := map[string]any{
		"MATOMO_URL": "http://127.0.0.1:1/matomo.php", "MATOMO_TOKEN_AUTH": estimateToken, "TIMEZONE": "UTC",
		"BACKFILL_DAYS_BACK": 3, "BACKFILL_DURATION_DAYS": 2, "BACKFILL_MAX_VISITS_PER_DAY": 40,
		"BACKFILL_MAX_VISITS_TOTAL": 0, "PAGEVIEWS_MIN": 2, "PAGEVIEWS_MAX": 4,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// twoTargets are two enabled targets weighted 3:1 and a disabled one, each with its token.
var twoTargets = []map[string]any{
	{"name": "a", "url": "http://127.0.0.1:1/matomo.php", "site_id": 1, "token_auth": estimateToken, "weight": 3},
	{"name": "b", "url": "http://127.0.0.1:2/matomo.php", "site_id": 1, "token_auth": estimateToken, "weight": 1},
	{"name": "off", "url": "http://127.0.0.1:3/matomo.php", "site_id": 1, "token_auth": estimateToken, "enabled": false},
}

func TestEstimateFollowsThePlan(t *testing.T) {
	e := newEnv(t)
	const hpv = 3 + 0.75 + 1 // pageviews, specials (the default probabilities), the ping
	today := time.Now().UTC()
	day := func(back int) string { return today.AddDate(0, 0, -back).Format(time.DateOnly) }
	multi := map[string]any{"MATOMO_URL": nil, "MATOMO_TOKEN_AUTH": nil, "MATOMO_TARGETS": twoTargets}
	with := func(a, b map[string]any) map[string]any {
		for k, v := range b {
			a[k] = v
		}
		return a
	}
	for _, tc := range []struct {
		name    string
		extra   map[string]any
		dates   []string
		visits  []int64
		skipped []string
		copies  int
		seconds float64 // 0: no limit, null expected
	}{
		// Days back from today, in TIMEZONE, each with its per-day visits.
		{"relative window", nil, []string{day(3), day(2)}, []int64{40, 40}, []string{"", ""}, 1, 0},
		// The total cap cuts the second day.
		{"total cap", map[string]any{"BACKFILL_MAX_VISITS_TOTAL": 50}, nil, []int64{40, 10}, []string{"", ""}, 1, 0},
		// The realistic profile scales Saturday and Sunday (2024-06-15 and 16).
		{"realistic weekend", map[string]any{"BACKFILL_DAYS_BACK": nil, "BACKFILL_DURATION_DAYS": nil,
			"BACKFILL_START_DATE": "2024-06-14", "BACKFILL_END_DATE": "2024-06-16", "BACKFILL_PROFILE": "realistic", "BACKFILL_WEEKEND_FACTOR": 0.5},
			[]string{"2024-06-14", "2024-06-15", "2024-06-16"}, []int64{40, 20, 20}, []string{"", "", ""}, 1, 0},
		// Per-day 0 takes the live rate.
		{"per-day 0", map[string]any{"BACKFILL_MAX_VISITS_PER_DAY": 0, "TARGET_VISITS_PER_DAY": 12}, nil, []int64{12, 12}, []string{"", ""}, 1, 0},
		// One target, 10 requests/s: 80 visits of 4.75 requests.
		{"rate limit", map[string]any{"BACKFILL_RPS_LIMIT": 10}, nil, []int64{40, 40}, nil, 1, 80 * hpv / 10},
		// Mirror: every visit to both enabled targets, each at its own limit, in parallel.
		{"mirror", with(map[string]any{"TARGET_MODE": "mirror", "BACKFILL_RPS_LIMIT": 10}, multi), nil, []int64{40, 40}, nil, 2, 80 * hpv / 10},
		// Weighted 3:1: the busier target gets three quarters of the requests.
		{"weighted", with(map[string]any{"BACKFILL_RPS_LIMIT": 10}, multi), nil, []int64{40, 40}, nil, 1, 0.75 * 80 * hpv / 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r EstimateResponse
			body := e.mustStatus(http.StatusOK, http.MethodPost, "/api/backfill/estimate", map[string]any{"config": backfillConfig(tc.extra)}, &r)
			if strings.Contains(string(body), estimateToken) {
				t.Fatalf("the estimate carries a token: %s", body)
			}
			checkEstimate(t, r, tc.dates, tc.visits, tc.skipped, tc.copies, hpv)
			switch {
			case tc.seconds == 0 && r.Seconds != nil:
				t.Errorf("seconds %v without a rate limit", *r.Seconds)
			case tc.seconds != 0 && (r.Seconds == nil || math.Abs(*r.Seconds-tc.seconds) > 1e-9):
				t.Errorf("seconds %v, want %v", r.Seconds, tc.seconds)
			}
		})
	}
}

// checkEstimate compares an estimate's days (dates and skip reasons unless nil, visits) and
// totals with the plan a test expects.
func checkEstimate(t *testing.T, r EstimateResponse, dates []string, visits []int64, skipped []string, copies int, hpv float64) {
	t.Helper()
	gotDates := pluck(r.PerDay, func(d dayplan.Day) string { return d.Date })
	gotVisits := pluck(r.PerDay, func(d dayplan.Day) int64 { return d.Visits })
	gotSkipped := pluck(r.PerDay, func(d dayplan.Day) string { return d.Skipped })
	if (dates != nil && !slices.Equal(gotDates, dates)) || !slices.Equal(gotVisits, visits) || (skipped != nil && !slices.Equal(gotSkipped, skipped)) {
		t.Fatalf("days %v visits %v skipped %q; want %v %v %q", gotDates, gotVisits, gotSkipped, dates, visits, skipped)
	}
	total := sumOf(gotVisits)
	wantHits := int64(math.Round(float64(total*int64(copies)) * hpv))
	if r.Days != len(visits) || r.First != gotDates[0] || r.Last != gotDates[len(gotDates)-1] || r.Timezone != "UTC" ||
		r.PlannedVisits != total || r.Copies != copies || r.Visits != total*int64(copies) ||
		r.HitsPerVisit != hpv || r.Hits != wantHits {
		t.Fatalf("estimate %+v; want %d planned × %d copies, %v requests a visit, %d requests", r, total, copies, hpv, wantHits)
	}
}

// A config that cannot be backfilled is a 400 naming every field and rule, like POST /api/runs.
func TestEstimateRejects(t *testing.T) {
	e := newEnv(t)
	future := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		// No config at all.
		{"no config", map[string]any{}, []string{"config"}},
		// A window ending in the future.
		{"future day", map[string]any{"config": backfillConfig(map[string]any{"BACKFILL_DAYS_BACK": nil, "BACKFILL_DURATION_DAYS": nil,
			"BACKFILL_START_DATE": "2024-06-14", "BACKFILL_END_DATE": future})}, []string{"BACKFILL_END_DATE"}},
		// No window.
		{"no window", map[string]any{"config": backfillConfig(map[string]any{"BACKFILL_DAYS_BACK": nil, "BACKFILL_DURATION_DAYS": nil})},
			[]string{"BACKFILL_START_DATE"}},
		// Every problem at once: a mistyped value and a negative cap.
		{"several problems", map[string]any{"config": backfillConfig(map[string]any{"BACKFILL_MAX_VISITS_PER_DAY": "many", "BACKFILL_MAX_VISITS_TOTAL": -1})},
			[]string{"BACKFILL_MAX_VISITS_PER_DAY", "BACKFILL_MAX_VISITS_TOTAL"}},
		// A backfill needs a token (Matomo rejects old hits without one).
		{"no token", map[string]any{"config": backfillConfig(map[string]any{"MATOMO_TOKEN_AUTH": nil})}, []string{"MATOMO_TOKEN_AUTH"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var eb ErrorBody
			e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/backfill/estimate", tc.body, &eb)
			for _, f := range tc.fields {
				if !hasField(eb.Errors, f) {
					t.Errorf("no error about %s: %+v", f, eb.Errors)
				}
			}
			for _, p := range eb.Errors {
				if p.Message == "" {
					t.Errorf("problem %+v says no rule", p)
				}
			}
		})
	}
}

// With config_id, the saved config's token stands in for the blank one, as when saving; an
// unknown id is a 404; without the key there is no estimate.
func TestEstimateSavedConfig(t *testing.T) {
	e := newEnv(t)
	id := e.saveConfig("bf", map[string]any{"MATOMO_TOKEN_AUTH": estimateToken})
	cfg := backfillConfig(map[string]any{"MATOMO_TOKEN_AUTH": nil})
	var r EstimateResponse
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/backfill/estimate", map[string]any{"config": cfg, "config_id": id}, &r)
	if r.PlannedVisits != 80 {
		t.Errorf("planned %d visits, want 80", r.PlannedVisits)
	}
	e.mustStatus(http.StatusNotFound, http.MethodPost, "/api/backfill/estimate", map[string]any{"config": cfg, "config_id": id + 100}, nil)
	if resp, _ := e.requestKey("", http.MethodPost, "/api/backfill/estimate", map[string]any{"config": cfg}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a key: %d, want 401", resp.StatusCode)
	}
}

// pluck is one property of every planned day.
func pluck[T any](days []dayplan.Day, f func(dayplan.Day) T) []T {
	out := make([]T, len(days))
	for i, d := range days {
		out[i] = f(d)
	}
	return out
}

func sumOf(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}
