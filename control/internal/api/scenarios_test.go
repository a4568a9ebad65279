package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/presets"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

func shopText(t *testing.T) string {
	t.Helper()
	b, err := presets.Scenario("shop")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestScenarioSets(t *testing.T) {
	e := newEnv(t)
	shop := shopText(t)
	// The built-in example is there, read-only.
	var set ContentSetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/scenarios/builtin", nil, &set)
	if !set.Builtin || set.Count == nil || *set.Count != 4 || set.Content == nil || *set.Content != shop {
		t.Fatalf("builtin %+v", set)
	}
	e.mustStatus(http.StatusMethodNotAllowed, http.MethodDelete, "/api/scenarios/builtin", nil, nil)

	// A broken scenario is refused with every problem, each with path, value and line.
	broken := strings.Replace(strings.Replace(shop, "share: 0.45", "share: 0.5", 1), "devices: [desktop, mobile]", "devices: [desktop, phone]", 1)
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/scenarios", map[string]any{"name": "shop", "content": broken}, &eb)
	got := map[string]string{}
	for _, p := range eb.Errors {
		got[p.Field] = p.Value
		if p.Field == "segments[2].devices.phone" && p.Line != 43 {
			t.Errorf("line %d, want 43", p.Line)
		}
	}
	if len(eb.Errors) != 2 || got["segments[2].devices.phone"] != "phone" || got["segments"] != "0.5 + 0.3 + 0.15 + 0.1" {
		t.Fatalf("problems %+v", eb.Errors)
	}

	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/scenarios", map[string]any{"name": "shop", "content": shop, "default": true}, &set)
	if set.ID == 0 || !set.Default || *set.Count != 4 {
		t.Fatalf("created %+v", set)
	}
	path := "/api/scenarios/" + strconv.FormatInt(set.ID, 10)
	resp, text := e.request(http.MethodGet, path+"/content", nil)
	if resp.StatusCode != http.StatusOK || string(text) != shop || !strings.Contains(resp.Header.Get("Content-Disposition"), "shop.yaml") {
		t.Errorf("content %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	// Replacing it with a broken text is refused and keeps the stored one.
	e.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"name": "shop", "content": broken}, nil)
	e.mustStatus(http.StatusOK, http.MethodGet, path, nil, &set)
	if *set.Content != shop {
		t.Error("a refused update changed the scenario")
	}
	// Validation against a config: an override that breaks a rule of that config is named.
	var v ScenarioValidation
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/scenarios/validate", map[string]any{"scenario_id": set.ID,
		"config": map[string]any{"PAGEVIEWS_MAX": 4}}, &v)
	if !v.Valid || v.Count != 4 {
		t.Errorf("the stored scenario against PAGEVIEWS_MAX=4: %+v", v)
	}
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/scenarios/validate", map[string]any{
		"content": "name: x\nsegments:\n  - {name: a, share: 1, journey: {pageviews_min: 5}}\n", "config": map[string]any{"PAGEVIEWS_MAX": 4}}, &v)
	if v.Valid || len(v.Errors) != 1 || v.Errors[0].Field != "segments[0].journey.pageviews_min" || v.Errors[0].Value != "5" {
		t.Errorf("validation %+v", v)
	}
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/scenarios/validate", map[string]any{"content": shop}, &v)
	if !v.Valid || len(v.Shares) != 4 || v.Shares[1].Name != "researchers" || v.Shares[1].Share != 0.3 {
		t.Errorf("validation %+v", v)
	}
	e.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil, nil)
}

func TestScenarioPreview(t *testing.T) {
	e := newEnv(t)
	var p scenario.Preview
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/scenarios/preview", map[string]any{"content": shopText(t), "date": "2026-12-08",
		"config": map[string]any{"TARGET_VISITS_PER_DAY": 24000, "TRAFFIC_SPIKES": "tue@09:00 x3 30m", "TIMEZONE": "Europe/Stockholm"}}, &p)
	if p.Weekday != "Tuesday" || p.Visits != 25000 || len(p.Hours) != 24 || p.Hours[9].Visits != 2000 || len(p.Segments) != 4 || len(p.Spikes) != 1 {
		t.Fatalf("preview %+v", p)
	}
	if math.Abs(p.Segments[1].Visits-7500) > 0.01 {
		t.Errorf("researchers: %g visits, want 7500", p.Segments[1].Visits)
	}
	// Without a scenario: the config's day alone, one audience.
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/scenarios/preview", map[string]any{"date": "2026-12-12",
		"config": map[string]any{"TRAFFIC_PROFILE": "diurnal"}}, &p)
	if p.Visits != 12000 || len(p.Segments) != 1 || p.DayFactor != 0.6 {
		t.Errorf("Saturday, diurnal: %g visits, factor %g", p.Visits, p.DayFactor)
	}
	// A broken scenario gets its problems, not a preview.
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/scenarios/preview", map[string]any{"content": "name: x\nsegments: []\n"}, &eb)
	if len(eb.Errors) == 0 || eb.Errors[0].Field != "segments" {
		t.Errorf("problems %+v", eb)
	}
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/scenarios/preview", map[string]any{"date": "tuesday"}, nil)
}
