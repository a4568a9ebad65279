package matomotest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const testToken = "0123456789abcdef0123456789abcdef"

// testNow is the fixed server clock of most tests: a Tuesday noon in UTC.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// newTestServer starts a server with a fixed clock and the test token, closed at test end.
func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	if opts.Token == "" {
		opts.Token = testToken
	}
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

// reply is what a test request got back.
type reply struct {
	status int
	header http.Header
	body   string
}

func do(t testing.TB, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// get sends a single tracking request as a GET with the given query.
func get(t testing.TB, s *Server, query string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.TrackingURL()+"?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// post sends a body with a content type to the tracking endpoint (plus an optional query).
func post(t testing.TB, s *Server, query, ctype, body string) reply {
	t.Helper()
	u := s.TrackingURL()
	if query != "" {
		u += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return do(t, req)
}

// api calls the Reporting API with the token in the POST body, as the project's client does.
func api(t testing.TB, s *Server, method string, params url.Values, token string) reply {
	t.Helper()
	q := url.Values{"module": {"API"}, "method": {method}, "format": {"json"}}
	for k, v := range params {
		q[k] = v
	}
	form := url.Values{}
	if token != "" {
		form.Set("token_auth", token)
	}
	req, err := http.NewRequest(http.MethodPost, s.APIURL()+"?"+q.Encode(), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

// lastRecord is the most recent recorded tracking request.
func lastRecord(t testing.TB, s *Server) Recorded {
	t.Helper()
	recs := s.Requests()
	if len(recs) == 0 {
		t.Fatal("no request recorded")
	}
	return recs[len(recs)-1]
}

// cdt formats a time as Matomo's cdt parameter, URL-encoded.
func cdt(tm time.Time) string {
	return url.QueryEscape(tm.UTC().Format(time.DateTime))
}

// waitFor polls cond until it holds, failing the test after a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkReply checks an API reply's status and body: want is the whole body, or with a leading "~"
// a part of it.
func checkReply(t *testing.T, r reply, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d", r.status, status)
	}
	if sub, ok := strings.CutPrefix(want, "~"); ok {
		if !strings.Contains(r.body, sub) {
			t.Errorf("reply %s\ndoes not contain %s", r.body, sub)
		}
	} else if r.body != want {
		t.Errorf("reply %s\nwant  %s", r.body, want)
	}
}
