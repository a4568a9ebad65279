package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Every request limit is the one GET /api/schema serves: a value at the limit is accepted (names
// count characters, so two-byte ones fill it), one beyond it is refused with the field, the value
// and the limit in words.
func TestLimitsAreTheSchemas(t *testing.T) {
	e := newEnv(t)
	e.runs.maxActive = 100
	var s SchemaResponse
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/schema", nil, &s)
	lim := s.Limits
	if lim.NameMaxChars == 0 || lim.DescriptionMax == 0 || lim.MaxLoaders == 0 || lim.DefaultLoaders == 0 {
		t.Fatalf("limits %+v", lim)
	}
	for i, tc := range limitCases(lim, e.saveConfig("base", nil)) {
		t.Run(tc.name, func(t *testing.T) {
			at, beyond := any(tc.limit), any(tc.limit+1)
			if !tc.number {
				c := string(rune('à' + i)) // two bytes; another letter per row keeps names unique
				at, beyond = strings.Repeat(c, tc.limit), strings.Repeat(c, tc.limit+1)
			}
			if resp, body := e.request(http.MethodPost, tc.path, tc.body(at)); resp.StatusCode >= 300 {
				t.Fatalf("at the limit (%d): %d %s", tc.limit, resp.StatusCode, body)
			}
			var eb ErrorBody
			e.mustStatus(http.StatusBadRequest, http.MethodPost, tc.path, tc.body(beyond), &eb)
			want := fmt.Sprintf("must be at most %d", tc.limit)
			if len(eb.Errors) != 1 || eb.Errors[0].Field != tc.field || !strings.HasPrefix(eb.Errors[0].Message, want) || eb.Errors[0].Value == "" {
				t.Errorf("beyond the limit: %+v; want one error about %s that says %q", eb.Errors, tc.field, want)
			}
		})
	}
}

// limitCase is a request field with a limit: where it is sent, and the body that carries a value.
type limitCase struct {
	name, path, field string
	limit             int
	body              func(v any) map[string]any
	number            bool // the value is a number, not a text of limit characters
}

// limitCases are the request fields whose limits the schema serves.
func limitCases(lim SchemaLimits, cfgID int64) []limitCase {
	cfg := validConfig("https://m.example/matomo.php")
	preset := map[string]any{"CONCURRENCY": 5}
	return []limitCase{
		{"config name", "/api/configs", "name", lim.NameMaxChars,
			func(v any) map[string]any { return map[string]any{"name": v, "config": cfg} }, false},
		{"config description", "/api/configs", "description", lim.DescriptionMax,
			func(v any) map[string]any {
				return map[string]any{"name": "described config", "description": v, "config": cfg}
			}, false},
		{"preset name", "/api/presets", "name", lim.NameMaxChars,
			func(v any) map[string]any { return map[string]any{"name": v, "config": preset} }, false},
		{"preset description", "/api/presets", "description", lim.DescriptionMax,
			func(v any) map[string]any {
				return map[string]any{"name": "described preset", "description": v, "config": preset}
			}, false},
		{"URL set name", "/api/url-sets", "name", lim.NameMaxChars,
			func(v any) map[string]any { return map[string]any{"name": v, "content": urlList} }, false},
		{"event set name", "/api/event-sets", "name", lim.NameMaxChars,
			func(v any) map[string]any {
				return map[string]any{"name": v, "content": map[string]any{"click_events": []any{}}}
			}, false},
		{"run name", "/api/runs", "name", lim.NameMaxChars,
			func(v any) map[string]any { return map[string]any{"name": v, "config_id": cfgID, "mode": "live"} }, false},
		{"run loaders", "/api/runs", "loaders", lim.MaxLoaders,
			func(v any) map[string]any { return map[string]any{"loaders": v, "config_id": cfgID, "mode": "live"} }, true},
	}
}

// The upload form of a URL set names the set in the query: the same limit, in characters.
func TestUploadNameLimit(t *testing.T) {
	e := newEnv(t)
	var s SchemaResponse
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/schema", nil, &s)
	name := strings.Repeat("ö", s.Limits.NameMaxChars)
	if resp, body := e.request(http.MethodPost, "/api/url-sets/upload?name="+url.QueryEscape(name), urlList); resp.StatusCode != http.StatusCreated {
		t.Errorf("upload named with %d characters (%d bytes): %d %s", utf8.RuneCountInString(name), len(name), resp.StatusCode, body)
	}
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/url-sets/upload?name="+url.QueryEscape(name+"ö"), urlList, &eb)
	if !hasField(eb.Errors, "name") {
		t.Errorf("upload with a long name: %+v", eb.Errors)
	}
}

// The target sub-schema is served whole, and the names' limit is the config package's.
func TestSchemaServesTargetFields(t *testing.T) {
	e := newEnv(t)
	var s SchemaResponse
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/schema", nil, &s)
	byName := map[string]config.FieldInfo{}
	for _, f := range s.TargetFields {
		byName[f.Name] = f
	}
	w, n := byName["weight"], byName["name"]
	if len(s.TargetFields) != 6 || w.Min == nil || w.Max == nil || *w.Min != config.MinTargetWeight ||
		*w.Max != config.MaxTargetWeight || w.Default != fmt.Sprint(config.DefaultTargetWeight) ||
		n.MaxLength != config.MaxNameChars || !byName["token_auth"].Secret || byName["enabled"].Default != "true" {
		t.Errorf("target fields %+v", s.TargetFields)
	}
	if s.Limits.NameMaxChars != config.MaxNameChars {
		t.Errorf("name limit %d, config's %d", s.Limits.NameMaxChars, config.MaxNameChars)
	}
	for _, f := range s.Fields {
		if f.Name == "BACKFILL_DAYS_BACK" && (f.Suggested == "" || f.Default != "") {
			t.Errorf("BACKFILL_DAYS_BACK: suggested %q, default %q; want a suggestion and no default", f.Suggested, f.Default)
		}
	}
}
