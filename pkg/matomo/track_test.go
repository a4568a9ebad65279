package matomo

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTrackReplies(t *testing.T) {
	tests := []struct {
		name         string
		answer       reply
		wantStatus   int
		wantAttempts int
		wantErr      error // nil: success
	}{
		// send_image=0 makes Matomo answer 204.
		{"204", replyNoContent, 204, 1, nil},
		// A 200 with the GIF is a success too.
		{"200 gif", replyGIF, 200, 1, nil},
		// 400 is the hit's fault: no retry.
		{"400 invalid", replyStatus(400), 400, 1, ErrInvalid},
		// 500 then success: retried once.
		{"500 then 204", sequence(replyStatus(500), replyNoContent), 204, 2, nil},
		// A persistent 503 exhausts the retries and says unavailable.
		{"503 always", replyStatus(503), 503, 4, ErrUnavailable},
		// 429 then success: retried.
		{"429 then 204", sequence(replyRetryAfter("1"), replyNoContent), 204, 2, nil},
		// A connection reset after the hit was written is retried for single hits.
		{"reset then 204", sequence(replyReset, replyNoContent), 204, 2, nil},
		// A proxy's 504 is retried for single hits.
		{"504 then 204", sequence(replyStatus(504), replyNoContent), 204, 2, nil},
		// 404 (wrong URL) is not retried.
		{"404", replyStatus(404), 404, 1, &StatusError{Code: 404}},
		// A 200 that is not Matomo's answer (an HTML page: the URL is not the tracker) is a
		// failure, not a tracked hit, and is not retried.
		{"200 html", replyStatus(200), 200, 1, ErrNotTracker},
		// A 200 without a body is not Matomo's answer either (it sends 204 or the GIF).
		{"200 empty", replyJSON(200, ""), 200, 1, ErrNotTracker},
		// A redirect is neither followed nor retried.
		{"301", replyRedirect(301, "https://elsewhere.example/matomo.php"), 301, 1, ErrRedirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			res, err := c.Track(t.Context(), &Request{VisitorID: "0123456789abcdef", URL: "https://x/"})
			checkErr(t, err, tt.wantErr)
			if res.Status != tt.wantStatus || res.Attempts != tt.wantAttempts {
				t.Errorf("Result = %+v, want status %d after %d attempts", res, tt.wantStatus, tt.wantAttempts)
			}
			if got := len(srv.requests()); got != tt.wantAttempts {
				t.Errorf("server saw %d requests, want %d", got, tt.wantAttempts)
			}
		})
	}
}

// checkErr asserts err matches want: nil, a sentinel (errors.Is) or a *StatusError code.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	var wantStatus *StatusError
	switch {
	case want == nil:
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
	case errors.As(want, &wantStatus):
		var got *StatusError
		if !errors.As(err, &got) || got.Code != wantStatus.Code {
			t.Fatalf("error %v, want HTTP %d", err, wantStatus.Code)
		}
	case !errors.Is(err, want):
		t.Fatalf("error %v, want %v", err, want)
	}
}

// TestTrackPOSTCarriesTokenInBody: the token goes in the form body, never in the URL.
func TestTrackPOSTCarriesTokenInBody(t *testing.T) {
	srv := newFake(t, replyNoContent)
	c, _ := newTestClient(t, srv, nil)
	hit := &Request{VisitorID: "0123456789abcdef", URL: "https://x/p", IP: "10.0.0.1"}
	if _, err := c.Track(t.Context(), hit); err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0]
	if got.method != http.MethodPost || got.path != "/matomo.php" || got.contentType != contentForm {
		t.Fatalf("request %s %s (%s)", got.method, got.path, got.contentType)
	}
	if strings.Contains(got.rawQuery, "token_auth") || strings.Contains(got.rawQuery, testToken) {
		t.Errorf("token in URL: %q", got.rawQuery)
	}
	form, err := url.ParseQuery(string(got.body))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"idsite": "1", "rec": "1", "cid": "0123456789abcdef", "cip": "10.0.0.1",
		"send_image": "0", "token_auth": testToken}
	for k, v := range want {
		if form.Get(k) != v {
			t.Errorf("body %s = %q, want %q", k, form.Get(k), v)
		}
	}
	if !strings.HasPrefix(got.userAgent, "Trafficinator/") {
		t.Errorf("User-Agent %q", got.userAgent)
	}
}

// TestTrackGETHasNoToken: GET puts the hit in the query and leaves the token out entirely.
func TestTrackGETHasNoToken(t *testing.T) {
	srv := newFake(t, replyNoContent)
	c, _ := newTestClient(t, srv, func(o *Options) { o.Method = TransportGET })
	hit := &Request{SiteID: 7, VisitorID: "0123456789abcdef", URL: "https://x/p", UserAgent: "Browser/1"}
	if _, err := c.Track(t.Context(), hit); err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0]
	q, _ := url.ParseQuery(got.rawQuery)
	if got.method != http.MethodGet || q.Get("idsite") != "7" || q.Get("ua") != "Browser/1" || q.Get("send_image") != "0" {
		t.Errorf("GET %q", got.rawQuery)
	}
	if strings.Contains(got.rawQuery+string(got.body), testToken) {
		t.Errorf("token sent with a GET hit")
	}
}

// TestTrackTimeoutIsRetried: a reply that never comes is retried for a single hit, and when all
// attempts time out the error says the outcome is unknown.
func TestTrackTimeoutIsRetried(t *testing.T) {
	srv := newFake(t, replyHang)
	c, _ := newTestClient(t, srv, func(o *Options) { o.Timeout = 50 * time.Millisecond; o.Retries = 1 })
	res, err := c.Track(t.Context(), &Request{URL: "https://x/"})
	checkErr(t, err, ErrUncertain)
	if res.Attempts != 2 || len(srv.requests()) != 2 {
		t.Errorf("attempts %d, server saw %d; want 2", res.Attempts, len(srv.requests()))
	}
}

// TestTrackConnectionRefused: nothing written, so retrying is safe and the error is not uncertain.
func TestTrackConnectionRefused(t *testing.T) {
	srv := newFake(t, replyNoContent)
	c, w := newTestClient(t, srv, func(o *Options) { o.Retries = 2 })
	srv.Close()
	res, err := c.Track(t.Context(), &Request{URL: "https://x/"})
	if err == nil || errors.Is(err, ErrUncertain) {
		t.Fatalf("err = %v, want a plain connection error", err)
	}
	if res.Attempts != 3 || len(w.all()) != 2 {
		t.Errorf("attempts %d with %d waits, want 3 and 2", res.Attempts, len(w.all()))
	}
}
