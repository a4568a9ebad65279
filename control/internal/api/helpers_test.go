package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/store"

	"github.com/trafficinator/trafficinator/pkg/config"
)

const testKey = "test-api-key-0123456789abcdef"

// testEnv is an API server on loopback with a real SQLite store and a fake run service.
type testEnv struct {
	t     testing.TB
	srv   *Server
	hs    *httptest.Server
	store *store.Store
	runs  *fakeRuns
}

// newEnv starts a server; opts adjust its Deps (rate limit, CORS, nil runs, ...).
func newEnv(t testing.TB, opts ...func(*Deps)) *testEnv {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "control.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fr := newFakeRuns(st)
	deps := Deps{Store: st, Runs: fr, APIKey: testKey, RateLimit: -1}
	for _, o := range opts {
		o(&deps)
	}
	srv, err := New(deps)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.CloseStreams()
		hs.Close()
	})
	return &testEnv{t: t, srv: srv, hs: hs, store: st, runs: fr}
}

// reply is what a request got back besides its body (which the request read whole and closed).
type reply struct {
	StatusCode int
	Header     http.Header
}

// request sends a request with the API key; body is JSON-encoded unless it is a string or []byte.
func (e *testEnv) request(method, path string, body any, hdr ...string) (reply, []byte) {
	e.t.Helper()
	return e.requestKey(testKey, method, path, body, hdr...)
}

// requestKey is request with a given key ("" sends none); hdr holds extra header name/value pairs.
func (e *testEnv) requestKey(key, method, path string, body any, hdr ...string) (reply, []byte) {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.hs.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.hs.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{StatusCode: resp.StatusCode, Header: resp.Header}, out
}

// mustStatus sends a request and fails the test unless the status is want; it decodes the body
// into out when out is not nil.
func (e *testEnv) mustStatus(want int, method, path string, body any, out any) []byte {
	e.t.Helper()
	resp, b := e.request(method, path, body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decoding %s: %v", method, path, b, err)
		}
	}
	return b
}

// validConfig is a complete, valid config map pointing at url.
func validConfig(url string) map[string]any {
	return map[string]any{
		"MATOMO_URL":            url,
		"MATOMO_SITE_ID":        1,
		"TARGET_VISITS_PER_DAY": 1000,
		"CONCURRENCY":           10,
	}
}

// problemFields lists the fields of the problems in an ErrorBody or ValidateResponse.
func problemFields(ps config.Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Field
	}
	return out
}

// hasField reports whether a problem names field.
func hasField(ps config.Problems, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
