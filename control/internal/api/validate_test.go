package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func TestValidate(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name       string
		config     map[string]any
		valid      bool
		wantFields []string // every field that must have an error
		wantText   string   // text one of the errors must contain
	}{
		// Typed values, as the schema says.
		{"typed", map[string]any{"MATOMO_URL": "https://m.example/matomo.php", "MATOMO_SITE_ID": 3,
			"TARGET_VISITS_PER_DAY": 5000.5, "RANDOMIZE_VISITOR_COUNTRIES": false, "ECOMMERCE_SHIPPING_RATES": []any{0, 4.95}}, true, nil, ""},
		// The same as strings that parse, as an env file would give them.
		{"strings", map[string]any{"MATOMO_URL": "https://m.example/matomo.php", "MATOMO_SITE_ID": "3",
			"TARGET_VISITS_PER_DAY": "5000.5", "RANDOMIZE_VISITOR_COUNTRIES": "false", "ECOMMERCE_SHIPPING_RATES": "0,4.95"}, true, nil, ""},
		// Every problem is reported at once: placeholder URL, out of range, wrong type, bad enum.
		{"all at once", map[string]any{"MATOMO_SITE_ID": 0, "CONCURRENCY": "many", "PAGEVIEWS_MIN": 1.5,
			"TARGET_MODE": "round-robin"}, false, []string{"MATOMO_URL", "MATOMO_SITE_ID", "CONCURRENCY", "PAGEVIEWS_MIN", "TARGET_MODE"}, ""},
		// A number where a string is expected is a type error, named as such.
		{"wrong type", map[string]any{"MATOMO_URL": 42}, false, []string{"MATOMO_URL"}, "expected a string"},
		// An object where a number is expected is a type error too.
		{"object for number", map[string]any{"MATOMO_URL": "https://m.example/", "CONCURRENCY": map[string]any{"x": 1}}, false, []string{"CONCURRENCY"}, "got an object"},
		// The original's snake_case keys are unknown, with a hint at the env name.
		{"snake case", map[string]any{"MATOMO_URL": "https://m.example/", "target_visits_per_day": 10}, false,
			[]string{"target_visits_per_day"}, "did you mean TARGET_VISITS_PER_DAY?"},
		// A typo is named with a suggestion.
		{"typo", map[string]any{"MATOMO_URL": "https://m.example/", "CONCURENCY": 10}, false, []string{"CONCURENCY"}, "did you mean CONCURRENCY?"},
		// A big integer keeps its digits (decoded as json.Number, not float64).
		{"big seed", map[string]any{"MATOMO_URL": "https://m.example/", "SEED": 9007199254740993}, true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got ValidateResponse
			e.mustStatus(http.StatusOK, http.MethodPost, "/api/validate", map[string]any{"config": tt.config}, &got)
			if got.Valid != tt.valid {
				t.Fatalf("valid = %v, want %v; errors %+v", got.Valid, tt.valid, got.Errors)
			}
			for _, f := range tt.wantFields {
				if !hasField(got.Errors, f) {
					t.Errorf("no error for %s in %v", f, problemFields(got.Errors))
				}
			}
			if tt.wantText != "" && !slices.ContainsFunc(got.Errors, func(p config.Problem) bool { return strings.Contains(p.Message, tt.wantText) }) {
				t.Errorf("no error says %q: %+v", tt.wantText, got.Errors)
			}
			if got.Errors == nil || got.Warnings == nil {
				t.Error("errors and warnings must be lists, never null")
			}
		})
	}
}

// Problems about a token show the token masked.
func TestValidateMasksTokens(t *testing.T) {
	e := newEnv(t)
	body := e.mustStatus(http.StatusOK, http.MethodPost, "/api/validate", map[string]any{"config": map[string]any{
		"MATOMO_TARGETS": `[{"name":"a","url":"https://a.example/","site_id":1,"token_auth":"sekrit-token-1"}]`,
		"MATOMO_URL":     "https://legacy.example/",
	}}, nil)
	if strings.Contains(string(body), "sekrit-token-1") {
		t.Errorf("token in validation output: %s", body)
	}
}

// The request envelope is decoded strictly: every unknown key, wrong type and missing field is a 400
// that names it.
func TestValidateEnvelope(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		body   string
		fields []string
		text   string
	}{
		// Not JSON at all.
		{"malformed", `{"config": {`, nil, "malformed JSON"},
		// A syntax error says where.
		{"syntax", "{\n \"config\": {]}", nil, "line 2"},
		// An empty body.
		{"empty", ``, nil, "empty"},
		// An array instead of an object.
		{"array", `[1,2]`, nil, "expected an object"},
		// Unknown keys are named, with the allowed ones, and the missing config is reported with them.
		{"unknown key", `{"cfg": 1, "x": 2}`, []string{"cfg", "x", "config"}, "unknown field"},
		// A wrong type names the field and both types.
		{"wrong type", `{"config": "MATOMO_URL=x"}`, []string{"config"}, "expected an object, got string"},
		// config is required.
		{"missing config", `{}`, []string{"config"}, "is required"},
		// Trailing data after the object.
		{"trailing", `{"config": {}} {}`, nil, "after the JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eb ErrorBody
			e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/validate", tt.body, &eb)
			for _, f := range tt.fields {
				if !hasField(eb.Errors, f) {
					t.Errorf("no error for %q in %+v", f, eb.Errors)
				}
			}
			if !slices.ContainsFunc(eb.Errors, func(p config.Problem) bool { return strings.Contains(p.Message, tt.text) }) {
				t.Errorf("no error says %q: %+v", tt.text, eb.Errors)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	e := newEnv(t)
	var s SchemaResponse
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/schema", nil, &s)
	if s.SchemaVersion < 1 || len(s.Groups) == 0 || len(s.Presets) != 4 {
		t.Fatalf("schema %+v", s)
	}
	byName := map[string]bool{}
	for _, f := range s.Fields {
		byName[f.Name] = true
		if f.Help == "" || f.Group == "" || f.Type == "" {
			t.Errorf("field %s lacks help, group or type", f.Name)
		}
		if f.Name == "MATOMO_TOKEN_AUTH" && !f.Secret {
			t.Error("MATOMO_TOKEN_AUTH not marked secret")
		}
	}
	for _, n := range []string{"MATOMO_URL", "TARGET_VISITS_PER_DAY", "BACKFILL_START_DATE", "MATOMO_TARGETS"} {
		if !byName[n] {
			t.Errorf("schema lacks %s", n)
		}
	}
	if s.Limits.MaxBodyBytes != MaxBodyBytes || s.Limits.MaxBackfillDays == 0 {
		t.Errorf("limits %+v", s.Limits)
	}
}
