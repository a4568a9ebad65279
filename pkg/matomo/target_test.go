package matomo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestTargetEndpoints(t *testing.T) {
	tests := []struct {
		name, url, tracking, api string
	}{
		// A full tracking URL is used as it is; the API sits beside it.
		{"matomo.php", "https://m.example/matomo.php", "https://m.example/matomo.php", "https://m.example/index.php"},
		// The legacy name works the same way.
		{"piwik.php in a path", "http://h:8080/stats/piwik.php", "http://h:8080/stats/piwik.php", "http://h:8080/stats/index.php"},
		// A bare host gets /matomo.php appended.
		{"bare host", "https://m.example", "https://m.example/matomo.php", "https://m.example/index.php"},
		// A directory with a trailing slash does not get a double slash.
		{"directory", "https://m.example/analytics/", "https://m.example/analytics/matomo.php", "https://m.example/analytics/index.php"},
		// A query on the tracking URL is kept there but not given to the API.
		{"query kept", "https://m.example/matomo.php?x=1", "https://m.example/matomo.php?x=1", "https://m.example/index.php"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := Target{URL: tt.url}
			tracking, err := tg.TrackingURL()
			if err != nil || tracking != tt.tracking {
				t.Errorf("TrackingURL() = %q, %v; want %q", tracking, err, tt.tracking)
			}
			api, err := tg.APIURL()
			if err != nil || api != tt.api {
				t.Errorf("APIURL() = %q, %v; want %q", api, err, tt.api)
			}
		})
	}
}

func TestTargetValidate(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		ok     bool
	}{
		// http and https with a host are fine.
		{"https", Target{URL: "https://m.example/matomo.php", SiteID: 1}, true},
		// Site 0 is allowed: hits may carry their own site.
		{"no default site", Target{URL: "http://127.0.0.1:8080"}, true},
		// Other schemes cannot reach Matomo.
		{"ftp", Target{URL: "ftp://m.example/"}, false},
		// A URL without a host is a typo.
		{"no host", Target{URL: "https:///matomo.php"}, false},
		// A relative URL is a typo too.
		{"relative", Target{URL: "matomo.php"}, false},
		// Unparsable.
		{"bad escape", Target{URL: "http://h/%zz"}, false},
		// Negative site ids do not exist.
		{"negative site", Target{URL: "https://m.example", SiteID: -1}, false},
	}
	for _, tt := range tests {
		err := tt.target.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if _, cerr := NewClient(tt.target, Options{}); (cerr == nil) != tt.ok {
			t.Errorf("%s: NewClient() = %v, want ok=%v", tt.name, cerr, tt.ok)
		}
	}
}

// TestTargetNeverShowsToken prints a target every way Go offers.
func TestTargetNeverShowsToken(t *testing.T) {
	tg := Target{Name: "prod", URL: "https://user:pw-secret@m.example/matomo.php", SiteID: 2, Token: testToken}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("target", "t", tg)
	js, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", tg), "%+v": fmt.Sprintf("%+v", tg), "%#v": fmt.Sprintf("%#v", tg),
		"%s":         fmt.Sprintf("%s", tg), //nolint:staticcheck // S1025: the test is of fmt's %s verb, not of String
		"pointer %v": fmt.Sprintf("%v", &tg),
		"nested %+v": fmt.Sprintf("%+v", struct{ T Target }{tg}), "slog": logged.String(), "json": string(js),
	}
	for how, out := range outputs {
		if strings.Contains(out, testToken) || strings.Contains(out, "pw-secret") {
			t.Errorf("%s shows a secret: %s", how, out)
		}
		if !strings.Contains(out, "prod") {
			t.Errorf("%s lost the name: %s", how, out)
		}
	}
	if !strings.Contains(logged.String(), `"token_set":true`) {
		t.Errorf("slog output does not say a token is set: %s", logged.String())
	}
}
