package matomo

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// threeHits is a batch of three page views of one visitor.
func threeHits() []Request {
	base := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	reqs := make([]Request, 3)
	for i := range reqs {
		reqs[i] = Request{VisitorID: "00000000000000aa", URL: "https://x/p" + string(rune('0'+i)), Time: base.Add(time.Duration(i) * time.Minute)}
	}
	return reqs
}

func TestTrackBulkReplies(t *testing.T) {
	tests := []struct {
		name         string
		answer       reply
		want         BulkResult // Attempts and counts; Latency ignored
		wantRequests int        // what the server saw
		wantErr      error
	}{
		// All tracked, as Matomo says with a super-user token.
		{"all tracked", replyJSON(200, `{"status":"success","tracked":3,"invalid":0,"invalid_indices":[]}`),
			BulkResult{Sent: 3, Tracked: 3, InvalidIndices: []int{}, Attempts: 1}, 1, nil},
		// One invalid, with its index.
		{"one invalid", replyJSON(200, `{"status":"success","tracked":2,"invalid":1,"invalid_indices":[1]}`),
			BulkResult{Sent: 3, Tracked: 2, Invalid: 1, InvalidIndices: []int{1}, Attempts: 1}, 1, nil},
		// Without a super-user token there are no indices.
		{"no indices", replyJSON(200, `{"status":"success","tracked":2,"invalid":1}`),
			BulkResult{Sent: 3, Tracked: 2, Invalid: 1, Attempts: 1}, 1, nil},
		// A hit skipped silently (lock wait timeout) shows up as dropped.
		{"dropped", replyJSON(200, `{"status":"success","tracked":1,"invalid":1}`),
			BulkResult{Sent: 3, Tracked: 1, Invalid: 1, Dropped: 1, Attempts: 1}, 1, nil},
		// Counts above what was sent never make dropped negative.
		{"overcount", replyJSON(200, `{"status":"success","tracked":5,"invalid":0}`),
			BulkResult{Sent: 3, Tracked: 5, Attempts: 1}, 1, nil},
		// QueuedTracking answers with the GIF: all counted as tracked, flagged.
		{"queued gif", replyGIF, BulkResult{Sent: 3, Tracked: 3, Queued: true, Attempts: 1}, 1, nil},
		// QueuedTracking with send_image=0 answers 204.
		{"queued 204", replyNoContent, BulkResult{Sent: 3, Tracked: 3, Queued: true, Attempts: 1}, 1, nil},
		// A bulk 500 may be partly recorded (a deadlock loses the head, the tail is committed):
		// uncertain, not re-sent.
		{"500", sequence(replyJSON(500, `{"status":"error","tracked":2,"invalid":0}`),
			replyJSON(200, `{"status":"success","tracked":3,"invalid":0}`)),
			BulkResult{Sent: 3, Attempts: 1}, 1, ErrUncertain},
		// A 502 from a proxy: Matomo behind it may have recorded the batch.
		{"502", replyStatus(502), BulkResult{Sent: 3, Attempts: 1}, 1, ErrUncertain},
		// Matomo in maintenance answers 503 before processing anything: retried.
		{"503 then success", sequence(replyStatus(503), replyJSON(200, `{"status":"success","tracked":3,"invalid":0}`)),
			BulkResult{Sent: 3, Tracked: 3, Attempts: 2}, 2, nil},
		// 429 with Retry-After, then success.
		{"429 then success", sequence(replyRetryAfter("2"), replyJSON(200, `{"status":"success","tracked":3,"invalid":0}`)),
			BulkResult{Sent: 3, Tracked: 3, Attempts: 2}, 2, nil},
		// A 400 (no "requests" understood) is not retried.
		{"400", replyStatus(400), BulkResult{Sent: 3, Attempts: 1}, 1, ErrInvalid},
		// A 200 HTML page is not Matomo's bulk reply: outcome unknown, not re-sent.
		{"html 200", replyStatus(200), BulkResult{Sent: 3, Attempts: 1}, 1, ErrUncertain},
		// A 200 with status error is not a success either.
		{"status error 200", replyJSON(200, `{"status":"error","tracked":0,"invalid":0}`), BulkResult{Sent: 3, Attempts: 1}, 1, ErrUncertain},
		// A persistent 503 exhausts retries.
		{"503 always", replyStatus(503), BulkResult{Sent: 3, Attempts: 4}, 4, ErrUnavailable},
		// A proxy's 504 means Matomo may still commit the batch: uncertain, not re-sent.
		{"504", replyStatus(504), BulkResult{Sent: 3, Attempts: 1}, 1, ErrUncertain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			res, err := c.TrackBulk(t.Context(), threeHits())
			checkErr(t, err, tt.wantErr)
			res.Latency = 0
			if !reflect.DeepEqual(res, tt.want) {
				t.Errorf("result %+v, want %+v", res, tt.want)
			}
			if got := len(srv.requests()); got != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

// TestTrackBulkBody checks the JSON Matomo receives: requests as "?query" strings in order,
// token at the top level, nothing in the URL.
func TestTrackBulkBody(t *testing.T) {
	srv := newFake(t, replyJSON(200, `{"status":"success","tracked":3,"invalid":0}`))
	c, _ := newTestClient(t, srv, func(o *Options) { o.QueuedTrackingBypass = true })
	hits := threeHits()
	hits[2].SiteID = 9
	hits[1].ActionName = `Quote " and \ backslash`
	if _, err := c.TrackBulk(t.Context(), hits); err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0]
	if got.rawQuery != "queuedtracking=0" {
		t.Errorf("bulk URL query %q, want queuedtracking=0 only", got.rawQuery)
	}
	var body struct {
		Requests  []string `json:"requests"`
		TokenAuth string   `json:"token_auth"`
	}
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, got.body)
	}
	if body.TokenAuth != testToken || len(body.Requests) != 3 {
		t.Fatalf("body has %d requests, token ok=%v", len(body.Requests), body.TokenAuth == testToken)
	}
	for i, r := range body.Requests {
		if !strings.HasPrefix(r, "?") || strings.Contains(r, "token_auth") {
			t.Errorf("request %d = %q", i, r)
		}
		q, _ := url.ParseQuery(r[1:])
		wantSite := map[int]string{0: "1", 1: "1", 2: "9"}[i]
		if q.Get("idsite") != wantSite || q.Get("url") != hits[i].URL || q.Get("cdt") != hits[i].Time.Format(time.DateTime) {
			t.Errorf("request %d = %q", i, r)
		}
	}
	q1, _ := url.ParseQuery(body.Requests[1][1:])
	if q1.Get("action_name") != hits[1].ActionName {
		t.Errorf("action_name %q", q1.Get("action_name"))
	}
}

// TestTrackBulkUncertain: a batch written but unanswered is handed back as ErrUncertain, unless
// the caller accepts re-sending it.
func TestTrackBulkUncertain(t *testing.T) {
	ok := replyJSON(200, `{"status":"success","tracked":3,"invalid":0}`)
	tests := []struct {
		name           string
		answer         reply
		retryUncertain bool
		wantRequests   int
		wantErr        error
	}{
		// Reset after the write, default: not re-sent, caller decides.
		{"reset, no retry", sequence(replyReset, ok), false, 1, ErrUncertain},
		// Reset after the write, RetryUncertain: re-sent and tracked.
		{"reset, retry", sequence(replyReset, ok), true, 2, nil},
		// No reply within the timeout, default: not re-sent.
		{"timeout, no retry", sequence(replyHang, ok), false, 1, ErrUncertain},
		// No reply within the timeout, RetryUncertain: re-sent.
		{"timeout, retry", sequence(replyHang, ok), true, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, func(o *Options) {
				o.RetryUncertain = tt.retryUncertain
				o.Timeout = 200 * time.Millisecond
			})
			res, err := c.TrackBulk(t.Context(), threeHits())
			checkErr(t, err, tt.wantErr)
			if got := len(srv.requests()); got != tt.wantRequests || res.Attempts != tt.wantRequests {
				t.Errorf("server saw %d requests in %d attempts, want %d", got, res.Attempts, tt.wantRequests)
			}
			if tt.wantErr == nil && res.Tracked != 3 {
				t.Errorf("tracked %d, want 3", res.Tracked)
			}
		})
	}
}

// TestTrackBulkRetryUncertainExhausted: when re-sending uncertain batches, running out of
// attempts still says some attempt may have landed.
func TestTrackBulkRetryUncertainExhausted(t *testing.T) {
	srv := newFake(t, sequence(replyReset, replyStatus(500)))
	c, _ := newTestClient(t, srv, func(o *Options) { o.RetryUncertain = true; o.Retries = 2 })
	_, err := c.TrackBulk(t.Context(), threeHits())
	if !errors.Is(err, ErrUncertain) {
		t.Fatalf("err = %v, want ErrUncertain", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Code != 500 {
		t.Errorf("err = %v, want the last HTTP 500 inside", err)
	}
}

func TestTrackBulkEmptySendsNothing(t *testing.T) {
	srv := newFake(t, replyNoContent)
	c, _ := newTestClient(t, srv, nil)
	if res, err := c.TrackBulk(t.Context(), nil); err != nil || res.Sent != 0 || len(srv.requests()) != 0 {
		t.Errorf("empty batch: %+v, %v, %d requests", res, err, len(srv.requests()))
	}
}

func TestProbeBulk(t *testing.T) {
	tests := []struct {
		name       string
		answer     reply
		wantQueued bool
		wantErr    error
	}{
		// Matomo's BulkTracking answers the empty batch with zero counts.
		{"bulk tracking", replyJSON(200, `{"status":"success","tracked":0,"invalid":0}`), false, nil},
		// QueuedTracking answers with a GIF.
		{"queued", replyGIF, true, nil},
		// A timeout on the probe is simply retried: it writes nothing.
		{"reset then ok", sequence(replyReset, replyJSON(200, `{"status":"success","tracked":0,"invalid":0}`)), false, nil},
		// Maintenance mode.
		{"503", replyStatus(503), false, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			res, err := c.ProbeBulk(t.Context())
			checkErr(t, err, tt.wantErr)
			if res.Queued != tt.wantQueued || res.Sent != 0 || res.Tracked != 0 {
				t.Errorf("probe result %+v", res)
			}
			if got := string(srv.requests()[0].body); !strings.HasPrefix(got, `{"requests":[]`) {
				t.Errorf("probe body %q", got)
			}
		})
	}
}
