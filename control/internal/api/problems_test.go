package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Names with control or bidi-override characters are refused with a field error, for every kind of
// thing that has a name, and nothing is stored.
func TestHostileNamesRefused(t *testing.T) {
	hostile := []struct{ name, value, rule string }{
		{"nul", "a\x00b", "control characters"},
		{"terminal escape", "\x1b[2Jwiped", "control characters"},
		{"right-to-left override", "report\u202Efdp.exe", "bidirectional override characters"},
	}
	kinds := []struct {
		kind, path, list, field string
		body                    func(name string) any
	}{
		{"config", "/api/configs", "/api/configs", "name",
			func(n string) any {
				return map[string]any{"name": n, "config": validConfig("http://127.0.0.1:9/matomo.php")}
			}},
		{"preset", "/api/presets", "/api/presets", "name",
			func(n string) any { return map[string]any{"name": n, "config": map[string]any{"CONCURRENCY": 5}} }},
		{"presets import", "/api/presets/import", "/api/presets", "presets[0].name",
			func(n string) any {
				return map[string]any{"presets": []any{map[string]any{"name": n, "config": map[string]any{}}}}
			}},
		{"url set", "/api/url-sets", "/api/url-sets", "name",
			func(n string) any { return map[string]any{"name": n, "content": "https://example.test/\n"} }},
		{"url set upload", "/api/url-sets/upload?name=", "/api/url-sets", "name", nil},
		{"event set", "/api/event-sets", "/api/event-sets", "name",
			func(n string) any { return map[string]any{"name": n, "content": json.RawMessage(content1Event)} }},
		{"funnel", "/api/funnels", "/api/funnels", "name",
			func(n string) any { return funnelWithName(n) }},
		{"funnels import", "/api/funnels/import", "/api/funnels", "[0].name",
			func(n string) any { return []any{funnelWithName(n)} }},
		{"run", "/api/runs", "/api/runs", "name",
			func(n string) any {
				return map[string]any{"name": n, "config": validConfig("http://127.0.0.1:9/matomo.php")}
			}},
	}
	e := newEnv(t)
	for _, k := range kinds {
		for _, h := range hostile {
			t.Run(k.kind+"/"+h.name, func(t *testing.T) {
				var resp reply
				var b []byte
				if k.body == nil {
					resp, b = e.request(http.MethodPost, k.path+url.QueryEscape(h.value), "https://example.test/\n",
						"Content-Type", "text/plain")
				} else {
					resp, b = e.request(http.MethodPost, k.path, k.body(h.value))
				}
				var eb ErrorBody
				if err := json.Unmarshal(b, &eb); err != nil || resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, body %s", resp.StatusCode, b)
				}
				if !hasProblem(eb.Errors, k.field, h.rule) {
					t.Errorf("no error at %s saying %q: %s", k.field, h.rule, b)
				}
				if strings.ContainsAny(string(b), "\x00\x1b\u202E") {
					t.Errorf("the response carries the raw character: %q", b)
				}
				var list []map[string]any
				e.mustStatus(http.StatusOK, http.MethodGet, k.list, nil, &list)
				for _, item := range list {
					if item["builtin"] != true && item["name"] != "built-in" && !isBuiltinPreset(item) {
						t.Errorf("something was stored: %v", item)
					}
				}
			})
		}
	}
}

const content1Event = `{"click_events":[{"category":"CTA","action":"Click","name":"Buy"}],"random_events":[]}`

func funnelWithName(name string) map[string]any {
	return map[string]any{"name": name, "probability": 0.5,
		"steps": []any{map[string]any{"type": "pageview", "url": "https://example.test/"}}}
}

// isBuiltinPreset tells the built-in presets, which every list of presets holds.
func isBuiltinPreset(item map[string]any) bool {
	_, ok := builtinPreset(item["name"].(string))
	return ok
}

// hasProblem reports whether a problem at field states rule.
func hasProblem(ps config.Problems, field, rule string) bool {
	for _, p := range ps {
		if p.Field == field && strings.Contains(p.Message, rule) {
			return true
		}
	}
	return false
}

// The API checks a config as the loader does (config.Check): the same type words, no rule about a
// value that did not parse, mirror twins refused, huge values cut, and every problem's severity.
func TestValidateLikeTheLoader(t *testing.T) {
	const u = "http://127.0.0.1:9/matomo.php"
	twins := `[{"name":"a","url":"http://127.0.0.1:9/matomo.php","site_id":3},{"name":"b","url":"HTTP://127.0.0.1:9/matomo.php","site_id":3}]`
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
		// Mirror mode to the same site twice would count every visit twice.
		{"mirror twins", map[string]any{"TARGET_MODE": "mirror", "MATOMO_TARGETS": twins}, []string{"MATOMO_TARGETS[1].site_id"}, "twice to site 3"},
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
