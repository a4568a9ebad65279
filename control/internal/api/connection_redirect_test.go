package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// A target that redirects fails the test with the setting to change and the URL to use, and
// nothing reaches the Matomo it points to (the loader would not follow the redirect either).
// A redirect of the Reporting API alone is reported as such, the tracker being fine.
func TestConnectionRedirect(t *testing.T) {
	tests := []struct {
		name string
		// front serves in front of m: a redirect of every path, or of index.php only.
		front   func(m *matomotest.Server) http.Handler
		targets bool   // the config uses MATOMO_TARGETS
		code    int    // status_code reported
		error   string // the first error, with {M} to be replaced by m's URL
		tracker bool   // tracker_ok
	}{
		// http→https style: the whole host moved.
		{"host 301", func(m *matomotest.Server) http.Handler { return matomotest.Redirect(301, m.URL) }, false, 301,
			"MATOMO_URL redirects to {M}/matomo.php: use that URL", false},
		// A proxy's redirect to another host, for a target of MATOMO_TARGETS.
		{"targets 302", func(m *matomotest.Server) http.Handler { return matomotest.Redirect(302, m.URL) }, true, 302,
			"MATOMO_TARGETS[0].url redirects to {M}/matomo.php: use that URL", false},
		// Only the Reporting API redirects (a login page, say): the tracker answers.
		{"api only", func(m *matomotest.Server) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/index.php", matomotest.Redirect(302, m.URL))
			mux.Handle("/matomo.php", m.Handler())
			return mux
		}, false, 302, "the Reporting API (index.php) redirects (HTTP 302) to {M}/index.php: the token and the site could not be checked", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMatomo(t, matomotest.Options{Token: secretToken})
			front := httptest.NewServer(tt.front(m))
			defer front.Close()
			cfg := validConfig(front.URL + "/matomo.php")
			cfg["MATOMO_TOKEN_AUTH"] = secretToken
			if tt.targets {
				cfg = map[string]any{"MATOMO_TARGETS": []any{map[string]any{"name": "a", "url": front.URL + "/matomo.php",
					"site_id": 1, "token_auth": secretToken}}}
			}
			var resp TestConnectionResponse
			body := newEnv(t).mustStatus(http.StatusOK, http.MethodPost, "/api/test-connection", map[string]any{"config": cfg}, &resp)
			assertNoToken(t, "test-connection", body)
			chk := resp.Targets[0]
			want := strings.ReplaceAll(tt.error, "{M}", m.URL)
			if resp.Success || chk.OK || !chk.Reachable || chk.TrackerOK != tt.tracker || chk.StatusCode != tt.code ||
				len(chk.Errors) != 1 || chk.Errors[0] != want || !strings.HasSuffix(resp.Error, want) {
				t.Fatalf("check %+v\nerror %q\nwant %q", chk, resp.Error, want)
			}
			if m.Summary().Requests != 0 && !tt.tracker {
				t.Errorf("the redirect was followed: %d tracking requests", m.Summary().Requests)
			}
			if len(m.APICalls()) != 0 {
				t.Errorf("the redirect was followed: %d API calls", len(m.APICalls()))
			}
		})
	}
}
