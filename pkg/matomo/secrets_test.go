package matomo

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestErrorsNeverShowToken drives every error path with a token set and checks no error text
// contains it, even when the server echoes it back.
func TestErrorsNeverShowToken(t *testing.T) {
	echo := replyJSON(200, `{"result":"error","message":"token `+testToken+` is not valid"}`)
	type op func(ctx context.Context, c *Client) error
	track := func(ctx context.Context, c *Client) error {
		_, err := c.Track(ctx, &Request{URL: "https://x/"})
		return err
	}
	bulk := func(ctx context.Context, c *Client) error { _, err := c.TrackBulk(ctx, threeHits()); return err }
	probe := func(ctx context.Context, c *Client) error { _, err := c.ProbeBulk(ctx); return err }
	version := func(ctx context.Context, c *Client) error { _, err := c.Version(ctx); return err }
	site := func(ctx context.Context, c *Client) error { _, err := c.Site(ctx, 1); return err }
	live := func(ctx context.Context, c *Client) error {
		_, err := c.LastVisits(ctx, 1, "2026-01-01", []string{"0123456789abcdef"})
		return err
	}
	invalidate := func(ctx context.Context, c *Client) error {
		_, err := c.InvalidateArchivedReports(ctx, []int{1}, []string{"2026-01-01"})
		return err
	}
	replies := map[string]reply{
		"400": replyStatus(400), "401": replyStatus(401), "404": replyStatus(404), "429": replyRetryAfter("1"),
		"500": replyStatus(500), "503": replyStatus(503), "504": replyStatus(504), "reset": replyReset,
		"hang": replyHang, "html 200": replyStatus(200), "echo": echo, "bulk error": replyJSON(500, `{"status":"error","tracked":1,"invalid":0}`),
	}
	ops := map[string]op{"track": track, "bulk": bulk, "probe": probe, "version": version, "site": site,
		"live": live, "invalidate": invalidate}
	for rname, answer := range replies {
		for oname, run := range ops {
			for _, method := range []Transport{TransportPOST, TransportGET} {
				srv := newFake(t, answer)
				c, _ := newTestClient(t, srv, func(o *Options) {
					o.Method, o.Retries, o.Timeout = method, 1, 50*time.Millisecond
				})
				err := run(t.Context(), c)
				if err != nil && strings.Contains(err.Error(), testToken) {
					t.Errorf("%s on %s (%v): token in error: %v", oname, rname, method, err)
				}
			}
		}
	}
	// Errors with no server at all, and a cancelled context.
	srv := newFake(t, replyNoContent)
	c, _ := newTestClient(t, srv, nil)
	srv.Close()
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for oname, run := range ops {
		for _, ctx := range []context.Context{t.Context(), cancelled} {
			if err := run(ctx, c); err == nil || strings.Contains(err.Error(), testToken) {
				t.Errorf("%s without server: %v", oname, err)
			}
		}
	}
}

// TestTargetErrorsNeverShowToken: a token or password misplaced into the URL is not echoed.
func TestTargetErrorsNeverShowToken(t *testing.T) {
	for _, u := range []string{
		"https://m.example/matomo.php?token_auth=" + testToken,
		"ftp://user:" + testToken + "@m.example/",
		"http://m.example/%zz" + testToken,
		"https://user:" + testToken + "@/matomo.php",
	} {
		_, err := NewClient(Target{Name: "t", URL: u, Token: testToken}, Options{})
		if err == nil {
			t.Errorf("URL %q accepted", u)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error shows token: %v", err)
		}
	}
}

// TestAPIErrorRedactsEchoedToken: Matomo's message is kept, the token in it is not.
func TestAPIErrorRedactsEchoedToken(t *testing.T) {
	srv := newFake(t, replyJSON(200, `{"result":"error","message":"token `+testToken+` is not valid"}`))
	c, _ := newTestClient(t, srv, nil)
	_, err := c.Version(t.Context())
	if err == nil || !strings.Contains(err.Error(), "is not valid") || !strings.Contains(err.Error(), redactedToken) {
		t.Errorf("err = %v, want Matomo's message with the token redacted", err)
	}
}
