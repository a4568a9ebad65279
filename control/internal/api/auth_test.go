package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		path   string
		key    string
		header []string
		want   int
	}{
		// No key at all: 401, as the original did.
		{"no key", "/api/configs", "", nil, http.StatusUnauthorized},
		// A wrong key: 403.
		{"wrong key", "/api/configs", "not-the-key", nil, http.StatusForbidden},
		// The right key in X-API-Key.
		{"x-api-key", "/api/configs", testKey, nil, http.StatusOK},
		// The right key as a bearer token.
		{"bearer", "/api/configs", "", []string{"Authorization", "Bearer " + testKey}, http.StatusOK},
		// A wrong bearer token is a wrong key.
		{"wrong bearer", "/api/configs", "", []string{"Authorization", "Bearer nope"}, http.StatusForbidden},
		// Another scheme is no key.
		{"basic auth", "/api/configs", "", []string{"Authorization", "Basic dXNlcjpwYXNz"}, http.StatusUnauthorized},
		// /health needs no key.
		{"health open", "/health", "", nil, http.StatusOK},
		// The OpenAPI document is not public (the original's was).
		{"openapi protected", "/api/openapi.json", "", nil, http.StatusUnauthorized},
		// An unknown path still asks for the key first, so routes cannot be probed.
		{"unknown path", "/api/nope", "", nil, http.StatusUnauthorized},
		// ... and is a 404 with it.
		{"unknown path with key", "/api/nope", testKey, nil, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.requestKey(tt.key, http.MethodGet, tt.path, nil, tt.header...)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tt.want, body)
			}
			if tt.want == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if resp.StatusCode >= 400 {
				var eb ErrorBody
				if err := json.Unmarshal(body, &eb); err != nil || eb.Error == "" {
					t.Errorf("error body %s is not {error: ...}", body)
				}
			}
		})
	}
}

func TestHealthHasNoSecrets(t *testing.T) {
	e := newEnv(t)
	resp, body := e.requestKey("", http.MethodGet, "/health", nil)
	var h HealthResponse
	if err := json.Unmarshal(body, &h); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("health %d %s", resp.StatusCode, body)
	}
	if h.Status != "ok" || h.Docker != "ok" || !h.AuthEnabled || h.Runtime != "containers" {
		t.Errorf("health %+v", h)
	}
	if strings.Contains(string(body), testKey) {
		t.Error("health shows the API key")
	}
	// With Docker down the control still answers, and says so.
	e.runs.setUnavailable(true)
	_, body = e.requestKey("", http.MethodGet, "/health", nil)
	if err := json.Unmarshal(body, &h); err != nil || h.Docker != "unavailable" || h.Status != "degraded" {
		t.Errorf("health without docker: %s", body)
	}
}

// The API key must not come back in any response, whatever the request.
func TestAPIKeyNeverEchoed(t *testing.T) {
	e := newEnv(t)
	reqs := []struct{ method, path string }{
		{http.MethodGet, "/health"}, {http.MethodGet, "/"}, {http.MethodGet, "/api/schema"},
		{http.MethodGet, "/api/openapi.json"}, {http.MethodGet, "/api/configs"}, {http.MethodGet, "/api/presets"},
		{http.MethodGet, "/api/status"}, {http.MethodGet, "/api/runs"}, {http.MethodGet, "/api/nope"},
		{http.MethodPost, "/api/validate"},
	}
	for _, r := range reqs {
		for _, key := range []string{testKey, testKey + "x", ""} {
			resp, body := e.requestKey(key, r.method, r.path, `{"config":{"MATOMO_URL":5}}`)
			if strings.Contains(string(body), testKey) {
				t.Errorf("%s %s with key %q: body contains the API key: %s", r.method, r.path, key, body)
			}
			for name, vals := range resp.Header {
				if strings.Contains(strings.Join(vals, ","), testKey) {
					t.Errorf("%s %s: header %s contains the API key", r.method, r.path, name)
				}
			}
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	resp, _ := e.request(http.MethodGet, "/api/schema", nil, "Origin", "https://evil.example")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	}
	for h, v := range want {
		if got := resp.Header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
	// CORS is off unless configured.
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS header without CORS_ORIGINS")
	}
}

func TestCORSWhenConfigured(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.CORSOrigins = []string{"https://ui.example"} })
	// A preflight carries no key and must still be answered.
	resp, _ := e.requestKey("", http.MethodOptions, "/api/configs", nil,
		"Origin", "https://ui.example", "Access-Control-Request-Method", "POST")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://ui.example" {
		t.Errorf("preflight: status %d, allow-origin %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, _ = e.request(http.MethodGet, "/api/configs", nil, "Origin", "https://other.example")
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("another origin allowed: %q", got)
	}
}

func TestRateLimit(t *testing.T) {
	const limit = 5
	e := newEnv(t, func(d *Deps) { d.RateLimit = limit })
	for i := range limit {
		if resp, body := e.request(http.MethodGet, "/api/schema", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, resp.StatusCode, body)
		}
	}
	resp, body := e.request(http.MethodGet, "/api/schema", nil)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("request %d: %d, want 429 (%s)", limit+1, resp.StatusCode, body)
	}
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	// Guessing keys is limited by the same client bucket as anonymous requests, ...
	for range limit + 1 {
		resp, _ = e.requestKey("guess", http.MethodGet, "/api/schema", nil)
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("key guessing not rate limited: %d", resp.StatusCode)
	}
	// ... and /health is exempt.
	if resp, _ := e.requestKey("", http.MethodGet, "/health", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("health rate limited: %d", resp.StatusCode)
	}
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	big := `{"config":{"MATOMO_URL":"` + strings.Repeat("a", MaxBodyBytes) + `"}}`
	resp, body := e.request(http.MethodPost, "/api/validate", big)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413 (%.200s)", resp.StatusCode, body)
	}
	// URL lists may be bigger than JSON bodies, up to their own limit.
	urls := strings.Repeat("https://example.test/page\n", (MaxBodyBytes/26)+1000)
	resp, body = e.request(http.MethodPost, "/api/url-sets/validate", map[string]any{"content": urls})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("URL list over the JSON limit: %d (%.200s)", resp.StatusCode, body)
	}
	resp, _ = e.request(http.MethodPost, "/api/url-sets/validate", `{"content":"`+strings.Repeat("a", MaxUploadBytes)+`"}`)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("URL list over its limit: %d, want 413", resp.StatusCode)
	}
}

// A method a path does not have is a 405 that lists the ones it has.
func TestMethodNotAllowed(t *testing.T) {
	e := newEnv(t)
	resp, body := e.request(http.MethodPatch, "/api/configs", `{}`)
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(resp.Header.Get("Allow"), "POST") {
		t.Errorf("PATCH: %d, Allow %q, %s", resp.StatusCode, resp.Header.Get("Allow"), body)
	}
}
