package api

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

func newMatomo(t *testing.T, o matomotest.Options) *matomotest.Server {
	t.Helper()
	srv := matomotest.NewServer(o)
	t.Cleanup(srv.Close)
	return srv
}

func TestConnectionAgainstMatomotest(t *testing.T) {
	site := matomotest.Site{Name: "Shop", Timezone: "Europe/Stockholm", Currency: "EUR"}
	tests := []struct {
		name    string
		opts    matomotest.Options
		token   string
		siteID  int
		ok      bool
		valid   *bool // token_valid
		exists  *bool // site_exists
		queued  bool
		warning string // text one warning must contain
	}{
		// The happy path: version, site details, tracker answers with JSON.
		{"valid token", matomotest.Options{Token: secretToken, Version: "5.1.0", SiteInfo: map[int]matomotest.Site{1: site}},
			secretToken, 1, true, boolPtr(true), boolPtr(true), false, "currency is EUR"},
		// A wrong token is reported as such.
		{"wrong token", matomotest.Options{Token: secretToken}, secretToken2, 1, false, boolPtr(false), nil, false, ""},
		// No token: reachable, but nothing can be read; a warning says why.
		{"no token", matomotest.Options{Token: secretToken}, "", 1, true, nil, nil, false, "no token"},
		// A site that does not exist.
		{"unknown site", matomotest.Options{Token: secretToken}, secretToken, 42, false, boolPtr(true), boolPtr(false), false, ""},
		// QueuedTracking answers the empty bulk without JSON, which is how it is detected.
		{"queued tracking", matomotest.Options{Token: secretToken, QueuedTracking: true}, secretToken, 1, true,
			boolPtr(true), boolPtr(true), true, "QueuedTracking"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatomo(t, tt.opts)
			e := newEnv(t)
			cfg := validConfig(m.TrackingURL())
			cfg["MATOMO_SITE_ID"] = tt.siteID
			cfg["MATOMO_TOKEN_AUTH"] = tt.token
			var resp TestConnectionResponse
			body := e.mustStatus(http.StatusOK, http.MethodPost, "/api/test-connection", map[string]any{"config": cfg}, &resp)
			assertNoToken(t, "test-connection", body)
			if len(resp.Targets) != 1 {
				t.Fatalf("targets %+v", resp.Targets)
			}
			chk := resp.Targets[0]
			if chk.OK != tt.ok || resp.Success != tt.ok || !chk.Reachable || !chk.TrackerOK {
				t.Errorf("ok %v reachable %v tracker %v; errors %v", chk.OK, chk.Reachable, chk.TrackerOK, chk.Errors)
			}
			if !eqBoolPtr(chk.TokenValid, tt.valid) || !eqBoolPtr(chk.SiteExists, tt.exists) {
				t.Errorf("token_valid %v site_exists %v", fmtBool(chk.TokenValid), fmtBool(chk.SiteExists))
			}
			if chk.QueuedTracking == nil || *chk.QueuedTracking != tt.queued {
				t.Errorf("queued_tracking %v, want %v", fmtBool(chk.QueuedTracking), tt.queued)
			}
			if tt.warning != "" && !strings.Contains(strings.Join(chk.Warnings, "|"), tt.warning) {
				t.Errorf("no warning about %q: %v", tt.warning, chk.Warnings)
			}
			if tt.name == "valid token" {
				if chk.MatomoVersion != "5.1.0" || chk.Site == nil || chk.Site.Timezone != "Europe/Stockholm" ||
					chk.Site.Currency != "EUR" || !chk.Site.Ecommerce || chk.Site.Name != "Shop" {
					t.Errorf("site details %+v version %q", chk.Site, chk.MatomoVersion)
				}
			}
			// Nothing was tracked: the test uses the Reporting API and an empty bulk only.
			if sum := m.Summary(); sum.Hits != 0 || sum.Visits != 0 {
				t.Errorf("the connection test recorded %d hits", sum.Hits)
			}
		})
	}
}

// The original request shape (matomo_url, site_id, token_auth) still works, and a saved config's
// token is used when the form leaves it blank.
func TestConnectionShapes(t *testing.T) {
	m := newMatomo(t, matomotest.Options{Token: secretToken})
	e := newEnv(t)
	var resp TestConnectionResponse
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/test-connection",
		map[string]any{"matomo_url": m.URL, "site_id": 1, "token_auth": secretToken, "timeout": 5}, &resp)
	if !resp.Success || !resp.Reachable || resp.Targets[0].TokenValid == nil || !*resp.Targets[0].TokenValid {
		t.Errorf("legacy shape %+v", resp)
	}
	cfg := validConfig(m.TrackingURL())
	cfg["MATOMO_TOKEN_AUTH"] = secretToken
	var v ConfigView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/configs", map[string]any{"name": "c", "config": cfg}, &v)
	cfg["MATOMO_TOKEN_AUTH"] = ""
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/test-connection", map[string]any{"config": cfg, "config_id": v.ID}, &resp)
	if !resp.Success || !*resp.Targets[0].TokenValid {
		t.Errorf("stored token not used: %+v", resp.Targets[0])
	}
	tests := []struct {
		name string
		body map[string]any
	}{
		// Both shapes at once.
		{"both", map[string]any{"config": cfg, "matomo_url": m.URL}},
		// Neither.
		{"neither", map[string]any{"timeout": 5}},
		// Timeout out of range.
		{"timeout", map[string]any{"matomo_url": m.URL, "timeout": 61}},
		// An unknown field.
		{"unknown", map[string]any{"matomo_url": m.URL, "url": "x"}},
	}
	for _, tt := range tests {
		e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/test-connection", tt.body, nil)
	}
}

// Targets that cannot be reached are reported, and the placeholder URL is never contacted.
func TestConnectionUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/matomo.php"
	l.Close() // nothing listens there any more
	e := newEnv(t)
	cfg := map[string]any{"MATOMO_TARGETS": []any{
		map[string]any{"name": "gone", "url": closed, "site_id": 1},
		map[string]any{"name": "placeholder", "url": "https://matomo.example.com/matomo.php", "site_id": 1},
	}}
	var resp TestConnectionResponse
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/test-connection", map[string]any{"config": cfg, "timeout": 2}, &resp)
	if resp.Success || resp.Reachable || len(resp.Targets) != 2 {
		t.Fatalf("resp %+v", resp)
	}
	if resp.Targets[0].Reachable || !strings.Contains(strings.Join(resp.Targets[0].Errors, " "), "refused") {
		t.Errorf("closed port: %+v", resp.Targets[0])
	}
	if !strings.Contains(strings.Join(resp.Targets[1].Errors, " "), "placeholder") {
		t.Errorf("placeholder: %+v", resp.Targets[1])
	}
}

func eqBoolPtr(a, b *bool) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func fmtBool(b *bool) string {
	if b == nil {
		return "null"
	}
	if *b {
		return "true"
	}
	return "false"
}
