package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// A target that redirects is refused before any traffic, whatever the mode, with the setting to
// change and where it points; the Matomo it points to, on another host, gets nothing. Followed,
// the redirect turned every POST into a bodiless GET, answered 200 by matomo.php, and the run
// counted every hit tracked and exited 0.
func TestRedirectingTargetRefused(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name  string
		code  int
		env   map[string]string
		field string // the setting the message names
	}{
		// http→https style: a permanent redirect of a live run by POST.
		{"live post 301", http.StatusMovedPermanently, map[string]string{}, "MATOMO_URL"},
		// A proxy's temporary redirect, live by GET.
		{"live get 302", http.StatusFound, map[string]string{"TRACKING_TRANSPORT": "get"}, "MATOMO_URL"},
		// A 307 keeps the method and the body: it would have carried the token to the other host.
		{"live bulk 307", http.StatusTemporaryRedirect, map[string]string{"TRACKING_TRANSPORT": "bulk"}, "MATOMO_URL"},
		// Backfill: refused before the first batch.
		{"backfill 301", http.StatusMovedPermanently, map[string]string{"BACKFILL_ENABLED": "true",
			"BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "1", "BACKFILL_MAX_VISITS_PER_DAY": "20"}, "MATOMO_URL"},
		// A target of MATOMO_TARGETS is named by its entry.
		{"targets 302", http.StatusFound, map[string]string{"MATOMO_TARGETS": `[{"name":"a","url":"FRONT","site_id":1,"token_auth":"` + token + `"}]`},
			"MATOMO_TARGETS[0].url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := matomotest.NewServer(matomotest.Options{Token: token})
			defer srv.Close()
			front := httptest.NewServer(matomotest.Redirect(tt.code, srv.URL))
			defer front.Close()
			env := map[string]string{"MATOMO_URL": front.URL + "/matomo.php", "MATOMO_TOKEN_AUTH": token,
				"TARGET_VISITS_PER_DAY": "50000000", "PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0",
				"MAX_TOTAL_VISITS": "6", "TIMEZONE": "UTC", "BACKFILL_STATE_FILE": filepath.Join(t.TempDir(), "state.json")}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "FRONT", front.URL+"/matomo.php")
			}
			if _, ok := env["MATOMO_TARGETS"]; ok {
				delete(env, "MATOMO_URL")
				delete(env, "MATOMO_TOKEN_AUTH")
			}
			code, out, errs := runCLI(t, env)
			want := tt.field + " redirects to " + srv.URL + "/matomo.php: use that URL"
			if code != exitFailure || !strings.Contains(errs, want) {
				t.Fatalf("exit %d, want %d and %q on stderr:\n%s", code, exitFailure, want, errs)
			}
			if !strings.Contains(out, `"type":"error"`) || !strings.Contains(out, jsonText(want)) || !strings.Contains(out, `"fatal":true`) {
				t.Fatalf("no fatal error record with the advice:\n%s", out)
			}
			if s := srv.Summary(); s.Requests != 0 || len(srv.APICalls()) != 0 {
				t.Fatalf("the redirect was followed: %d tracking requests, %d API calls", s.Requests, len(srv.APICalls()))
			}
			if strings.Contains(out+errs, token) {
				t.Fatal("token printed")
			}
		})
	}
}

// A target that answers 200 with a page that is not Matomo's tracking answer (a web server, not
// the tracker) tracks nothing: the hits count as failed and the run fails. They counted as tracked.
func TestNonTrackerAnswerIsFailure(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<html><body>Welcome</body></html>")
	}))
	defer page.Close()
	env := map[string]string{"MATOMO_URL": page.URL + "/matomo.php", "TARGET_VISITS_PER_DAY": "50000000",
		"PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0", "MAX_TOTAL_VISITS": "3",
		"RANDOMIZE_VISITOR_COUNTRIES": "false", "HTTP_RETRIES": "0"}
	code, out, errs := runCLI(t, env)
	if code != exitFailure || !strings.Contains(errs, "no hit reached Matomo") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if !strings.Contains(out, `"hits_tracked":0,`) || strings.Contains(out, `"hits_failed":0,`) {
		t.Fatalf("hits counted as tracked:\n%s", out)
	}
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
