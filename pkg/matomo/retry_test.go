package matomo

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestBackoffBounded: every wait lies in [0, min(max, base·2ⁿ⁻¹)], over many draws.
func TestBackoffBounded(t *testing.T) {
	c := &Client{opts: Options{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}.withDefaults()}
	for attempt := 1; attempt <= 70; attempt++ {
		ceil := min(time.Second, 100*time.Millisecond<<min(attempt-1, 20))
		for range 50 {
			if d := c.backoff(attempt, 0); d < 0 || d > ceil {
				t.Fatalf("attempt %d: wait %v outside [0, %v]", attempt, d, ceil)
			}
		}
	}
	// Retry-After wins when longer, and is itself capped.
	if d := c.backoff(1, 7*time.Second); d != 7*time.Second {
		t.Errorf("Retry-After 7s gave %v", d)
	}
	if d := c.backoff(1, time.Hour); d != maxRetryAfter {
		t.Errorf("Retry-After 1h gave %v, want cap %v", d, maxRetryAfter)
	}
}

// TestRetryWaitsThroughClient: the waits a failing call asks for are bounded by BackoffMax and
// honour Retry-After; there is one wait between each two attempts.
func TestRetryWaitsThroughClient(t *testing.T) {
	tests := []struct {
		name    string
		answer  reply
		minWait time.Duration // every wait at least this
	}{
		// Plain 5xx: jittered waits, possibly zero.
		{"503", replyStatus(503), 0},
		// 429 with Retry-After: 3 s, every time.
		{"429 retry-after", replyRetryAfter("3"), 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, w := newTestClient(t, srv, func(o *Options) {
				o.Retries, o.BackoffBase, o.BackoffMax = 5, 100*time.Millisecond, 300*time.Millisecond
			})
			res, err := c.Track(t.Context(), &Request{URL: "https://x/"})
			if err == nil || res.Attempts != 6 {
				t.Fatalf("err %v after %d attempts, want failure after 6", err, res.Attempts)
			}
			waits := w.all()
			if len(waits) != 5 {
				t.Fatalf("%d waits, want 5", len(waits))
			}
			for i, d := range waits {
				if d < tt.minWait || (tt.minWait == 0 && d > 300*time.Millisecond) {
					t.Errorf("wait %d = %v", i, d)
				}
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},                              // no header, no hint
		{"5", 5 * time.Second},               // delay-seconds
		{"-3", 0},                            // nonsense is no hint
		{"soon", 0},                          // nor is text
		{"99999", maxRetryAfter},             // capped
		{"Mon, 02 Jan 2006 15:04:05 GMT", 0}, // a date in the past means now
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if d := parseRetryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); d < 50*time.Minute {
		t.Errorf("date an hour ahead gave %v", d)
	}
}

// TestCancelStopsBackoff: with an hour of backoff ahead, cancelling ctx while the client waits
// ends the call with ctx's error. The real timer-based wait is used; the hook only cancels.
func TestCancelStopsBackoff(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		ctx, cancel := context.WithCancel(t.Context())
		srv := newFake(t, replyStatus(503))
		c, _ := newTestClient(t, srv, func(o *Options) {
			o.BackoffBase, o.BackoffMax = time.Hour, time.Hour
			o.Wait = func(ctx context.Context, d time.Duration) error {
				go cancel() // cancel while the wait is under way
				return waitTimer(ctx, d)
			}
		})
		var err error
		if bulk {
			_, err = c.TrackBulk(ctx, threeHits())
		} else {
			_, err = c.Track(ctx, &Request{URL: "https://x/"})
		}
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUncertain) {
			t.Errorf("bulk=%v: err = %v, want context.Canceled (and certain: Matomo answered 503)", bulk, err)
		}
		if n := len(srv.requests()); n != 1 {
			t.Errorf("bulk=%v: %d requests after cancel, want 1", bulk, n)
		}
	}
}

// TestCancelInFlight: cancelling while Matomo holds the request stops at once; for a bulk the
// batch may have landed, so the error says uncertain as well.
func TestCancelInFlight(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		ctx, cancel := context.WithCancel(t.Context())
		srv := newFake(t, func(w http.ResponseWriter, r *http.Request, n int) {
			cancel()
			replyHang(w, r, n)
		})
		c, _ := newTestClient(t, srv, nil)
		var err error
		if bulk {
			_, err = c.TrackBulk(ctx, threeHits())
		} else {
			_, err = c.Track(ctx, &Request{URL: "https://x/"})
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("bulk=%v: err = %v, want context.Canceled", bulk, err)
		}
		if bulk && !errors.Is(err, ErrUncertain) {
			t.Errorf("bulk: err = %v, want ErrUncertain too", err)
		}
	}
}

// TestNoResendAfterSuccess: one accepted hit is one request, also when the reply is slow to
// drain or the connection is reused many times.
func TestNoResendAfterSuccess(t *testing.T) {
	srv := newFake(t, replyGIF)
	c, _ := newTestClient(t, srv, nil)
	for i := range 20 {
		if _, err := c.Track(t.Context(), &Request{URL: "https://x/"}); err != nil {
			t.Fatalf("hit %d: %v", i, err)
		}
	}
	if _, err := c.TrackBulk(t.Context(), threeHits()); err != nil {
		t.Fatalf("bulk on a GIF reply: %v", err)
	}
	if n := len(srv.requests()); n != 21 {
		t.Errorf("server saw %d requests for 21 sends", n)
	}
}
