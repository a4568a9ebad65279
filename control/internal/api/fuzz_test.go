package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// offlineTester answers connection tests without any network, so that fuzzed URLs go nowhere.
type offlineTester struct{}

func (offlineTester) TestTarget(_ context.Context, t config.Target, _ TestOptions) TargetCheck {
	return TargetCheck{Name: t.Name, URL: redactURLText(t.URL), Errors: []string{}, Warnings: []string{}}
}

// fuzzEndpoints are the endpoints that read a JSON body.
var fuzzEndpoints = []struct{ method, path string }{
	{http.MethodPost, "/api/validate"},
	{http.MethodPost, "/api/configs"},
	{http.MethodPut, "/api/configs/1"},
	{http.MethodPost, "/api/presets"},
	{http.MethodPost, "/api/presets/import"},
	{http.MethodPost, "/api/funnels"},
	{http.MethodPost, "/api/funnels/validate"},
	{http.MethodPost, "/api/funnels/import"},
	{http.MethodPost, "/api/url-sets"},
	{http.MethodPost, "/api/url-sets/validate"},
	{http.MethodPost, "/api/event-sets"},
	{http.MethodPost, "/api/event-sets/validate"},
	{http.MethodPost, "/api/runs"},
	{http.MethodPost, "/api/test-connection"},
	{http.MethodPost, "/api/start"},
	{http.MethodPost, "/api/config/apply"},
}

// FuzzJSONEndpoints sends arbitrary bodies to every JSON endpoint: whatever a client sends, the
// answer is never a server error, and every error is the JSON error body. The seed corpus runs as
// an ordinary test.
func FuzzJSONEndpoints(f *testing.F) {
	seeds := []string{
		``, `{}`, `[]`, `null`, `"x"`, `{"config":{}}`, `{"config":null}`, `{"config":[]}`,
		`{"name":"a","config":{"MATOMO_URL":"https://m.example/","MATOMO_SITE_ID":"1"}}`,
		`{"name":"a","config":{"MATOMO_TARGETS":[{"name":"x","url":"https://m.example/","site_id":1,"token_auth":"t"}]}}`,
		`{"name":"a","config":{"MATOMO_TARGETS":"[{\"name\":1}]","SEED":1e400,"CONCURRENCY":-0}}`,
		`{"name":"a","config":{"HTTP_TIMEOUT":{"a":1},"ECOMMERCE_SHIPPING_RATES":[[1]],"TIMEZONE":"Mars/Base"}}`,
		`{"name":"a","config":{"BACKFILL_ENABLED":true,"BACKFILL_START_DATE":"2020-02-30","BACKFILL_END_DATE":"x"}}`,
		`{"config":{},"clear_tokens":["target:","MATOMO_TOKEN_AUTH",5]}`,
		`{"presets":[{"name":"p","config":{"target_visits_per_day":"9"}}],"schema_version":0}`,
		`{"presets":[{"name":"p","config":{}}],"schema_version":99}`,
		`{"name":"f","probability":0.5,"steps":[{"type":"pageview","url":"https://x.example/","delay_seconds_max":-3}]}`,
		`[{"name":"f","probability":"x","steps":[{}]},{"steps":null}]`,
		`{"name":"u","content":"https://x.example/\n\u0000\n"}`, `{"content":{"click_events":[{"category":1}]}}`,
		`{"content":"{\"click_events\":[]}"}`,
		`{"config_id":1,"mode":"backfill","loaders":-1}`, `{"config":{"MATOMO_URL":"https://m.example/"},"mode":"live"}`,
		`{"resume_of":"` + strings.Repeat("a", 70) + `"}`,
		`{"matomo_url":"https://m.example/","site_id":0,"timeout":0.5}`, `{"config_id":123456789012}`,
		`{"restart_if_running":"yes"}`, `{"config":{"matomo_url":"http://m.example","concurrency":"x"}}`,
		`{"a":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`,
		"{\"config\":{\"MATOMO_URL\":\"\xff\xfe\"}}", `{"config":{}} trailing`, `{"config":{"A":1,"A":2}}`,
	}
	for _, s := range seeds {
		for i := range fuzzEndpoints {
			f.Add(uint8(i), []byte(s))
		}
	}
	e := newEnv(f, func(d *Deps) { d.Tester = offlineTester{} })
	e.runs.maxActive = 1 << 30
	h := e.srv.Handler()
	// A saved config for the PUT and config_id cases.
	seed := httptest.NewRequest(http.MethodPost, "/api/configs",
		strings.NewReader(`{"name":"seed","config":{"MATOMO_URL":"https://m.example/matomo.php"}}`))
	seed.Header.Set("X-API-Key", testKey)
	h.ServeHTTP(httptest.NewRecorder(), seed)

	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		ep := fuzzEndpoints[int(which)%len(fuzzEndpoints)]
		req := httptest.NewRequest(ep.method, ep.path, strings.NewReader(string(body)))
		req.Header.Set("X-API-Key", testKey)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: status %d %s", ep.method, ep.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var eb ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &eb); err != nil || eb.Error == "" {
				t.Fatalf("%s %s: error body %q is not {error: ...}", ep.method, ep.path, rec.Body)
			}
		}
	})
}
