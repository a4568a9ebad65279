package matomo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// A target that redirects (http→https, a proxy) gets nothing sent on: every call fails with the
// redirect and where it points, and the Matomo behind it, on the same host or another one, sees
// no request at all. Followed, a POST came back as a bodiless GET that matomo.php answered 200,
// and was counted as tracked.
func TestRedirectNeverFollowed(t *testing.T) {
	hit := visit("00000000000000a1", time.Now().Add(-time.Hour), 2)
	calls := []struct {
		name   string
		method matomo.Transport
		call   func(ctx context.Context, c *matomo.Client) error
	}{
		// A single hit by POST (the default transport).
		{"track post", matomo.TransportPOST, func(ctx context.Context, c *matomo.Client) error {
			_, err := c.Track(ctx, &hit[0])
			return err
		}},
		// A single hit by GET: its query, tracking data, must not appear in the error.
		{"track get", matomo.TransportGET, func(ctx context.Context, c *matomo.Client) error {
			_, err := c.Track(ctx, &hit[0])
			return err
		}},
		// A bulk batch.
		{"bulk", matomo.TransportBulk, func(ctx context.Context, c *matomo.Client) error {
			_, err := c.TrackBulk(ctx, hit)
			return err
		}},
		// The empty bulk that probes the tracker.
		{"probe", matomo.TransportBulk, func(ctx context.Context, c *matomo.Client) error {
			_, err := c.ProbeBulk(ctx)
			return err
		}},
		// A Reporting API call, token in the body.
		{"api", matomo.TransportPOST, func(ctx context.Context, c *matomo.Client) error {
			_, err := c.Version(ctx)
			return err
		}},
	}
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, tt := range calls {
			t.Run(http.StatusText(code)+"/"+tt.name, func(t *testing.T) { checkNotFollowed(t, code, tt.method, tt.call) })
		}
	}
}

// checkNotFollowed makes call through a client of a target that answers code, pointing to a
// Matomo on another port, and checks the redirect is reported and not followed.
func checkNotFollowed(t *testing.T, code int, method matomo.Transport, call func(context.Context, *matomo.Client) error) {
	srv := matomotest.NewServer(matomotest.Options{Token: superToken})
	defer srv.Close()
	front := httptest.NewServer(matomotest.Redirect(code, srv.URL)) // another host:port
	defer front.Close()
	c, err := matomo.NewClient(matomo.Target{Name: "front", URL: front.URL + "/matomo.php", SiteID: 1, Token: superToken},
		matomo.Options{Method: method, Wait: noWait, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	err = call(t.Context(), c)
	var re *matomo.RedirectError
	if !errors.Is(err, matomo.ErrRedirect) || !errors.As(err, &re) || re.Code != code {
		t.Fatalf("error %v, want a %d redirect", err, code)
	}
	if !strings.HasPrefix(re.Location, srv.URL+"/") || strings.ContainsAny(re.Location, "?#") {
		t.Errorf("location %q, want %s/… without query", re.Location, srv.URL)
	}
	if msg := err.Error(); strings.Contains(msg, superToken) || strings.Contains(msg, "idsite") {
		t.Errorf("error echoes the request: %s", msg)
	}
	if s := srv.Summary(); s.Requests != 0 || len(srv.APICalls()) != 0 {
		t.Errorf("the redirect was followed: %d tracking requests, %d API calls", s.Requests, len(srv.APICalls()))
	}
}

// Advice names the setting and the URL to use.
func TestRedirectAdvice(t *testing.T) {
	tests := []struct {
		err   *matomo.RedirectError
		field string
		want  string
	}{
		// The usual case: where to go instead.
		{&matomo.RedirectError{Code: 301, Location: "https://m.example/matomo.php"}, "MATOMO_URL",
			"MATOMO_URL redirects to https://m.example/matomo.php: use that URL"},
		// A redirect without a Location still says what is wrong.
		{&matomo.RedirectError{Code: 302}, "MATOMO_TARGETS[1].url",
			"MATOMO_TARGETS[1].url answers with a redirect (HTTP 302) that names no URL: use the URL it should go to"},
	}
	for _, tt := range tests {
		if got := tt.err.Advice(tt.field); got != tt.want {
			t.Errorf("Advice = %q, want %q", got, tt.want)
		}
	}
}
