package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// The API checks a config as the loader does (config.Check): the same type words, no rule about a
// value that did not parse, huge values cut, and every problem's severity.
func TestValidateLikeTheLoader(t *testing.T) {
	const u = "http://127.0.0.1:9/matomo.php"
	tests := []struct {
		name   string
		config map[string]any
		// want is exactly the fields of the errors; rule must be in the first one
		want []string
		rule string
	}{
		// A number for a boolean is named in the schema's words, as the loader names it.
		{"type words", map[string]any{"MATOMO_URL": u, "AUTO_START": 1}, []string{"AUTO_START"}, "expected true or false, got a number"},
		// Broken MATOMO_TARGETS: no complaint about the placeholder MATOMO_URL the user did not mean.
		{"broken targets", map[string]any{"MATOMO_TARGETS": `[{"name":`}, []string{"MATOMO_TARGETS"}, "not a JSON array of targets"},
		// PAGEVIEWS_MAX did not parse: PAGEVIEWS_MIN is not measured against its default.
		{"unparsed pair", map[string]any{"MATOMO_URL": u, "PAGEVIEWS_MIN": 9, "PAGEVIEWS_MAX": "lots"}, []string{"PAGEVIEWS_MAX"}, "not a whole number"},
	}
	e := newEnv(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ValidateResponse
			e.mustStatus(http.StatusOK, http.MethodPost, "/api/validate", map[string]any{"config": tt.config}, &got)
			if strings.Join(problemFields(got.Errors), ",") != strings.Join(tt.want, ",") {
				t.Fatalf("error fields %v, want %v: %+v", problemFields(got.Errors), tt.want, got.Errors)
			}
			if !strings.Contains(got.Errors[0].Message, tt.rule) || got.Errors[0].Severity != config.SeverityError {
				t.Errorf("first error %+v, want an error saying %q", got.Errors[0], tt.rule)
			}
			for _, w := range got.Warnings {
				if w.Severity != config.SeverityWarning {
					t.Errorf("warning %+v has severity %q", w, w.Severity)
				}
			}
		})
	}
}

// A huge value is cut in the problem, not echoed back whole.
func TestHugeValueNotEchoed(t *testing.T) {
	e := newEnv(t)
	huge := strings.Repeat("9", 200_000) + "x"
	resp, b := e.request(http.MethodPost, "/api/configs", map[string]any{"name": "n",
		"config": map[string]any{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "SEED": huge, huge: 1}})
	if resp.StatusCode != http.StatusBadRequest || len(b) > 2000 {
		t.Fatalf("status %d, %d-byte body: %.300s", resp.StatusCode, len(b), b)
	}
	var eb ErrorBody
	if err := json.Unmarshal(b, &eb); err != nil || !hasField(eb.Errors, "SEED") {
		t.Fatalf("no SEED error in %s", b)
	}
}
