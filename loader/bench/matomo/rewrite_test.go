package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRewriteRequest(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		// The loader's shape: idsite first, after the '?'.
		{"loader shape", "?idsite=1&rec=1&apiv=1&cid=0123456789abcdef", "?idsite=42&rec=1&apiv=1&cid=0123456789abcdef"},
		// idsite=1 must not match inside another parameter or value.
		{"lookalikes", "?rec=1&xidsite=1&url=https%3A%2F%2Fe.test%2F%3Fidsite%3D1&idsite=1", "?rec=1&xidsite=1&url=https%3A%2F%2Fe.test%2F%3Fidsite%3D1&idsite=42"},
		// Whatever the old site was.
		{"other site", "?idsite=17&rec=1", "?idsite=42&rec=1"},
		// No idsite: one is added first.
		{"missing", "?rec=1&apiv=1", "?idsite=42&rec=1&apiv=1"},
		// Without the leading '?' (Matomo accepts both).
		{"no question mark", "idsite=1&rec=1", "idsite=42&rec=1"},
		// A token inside a request string is replaced too (the loader never writes one).
		{"inner token", "?idsite=1&token_auth=capture&rec=1", "?idsite=42&token_auth=real%2Btoken&rec=1"},
		// An empty string becomes just the site.
		{"empty", "?", "?idsite=42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rewriteRequest(tt.in, 42, "real+token"); got != tt.want {
				t.Errorf("rewriteRequest(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRewriteBody(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     string
		wantHits int
		ok       bool
	}{
		// A loader bulk: sites and token replaced, '&' kept as it is (no \u0026).
		{"bulk", `{"requests":["?idsite=1&rec=1&url=a","?idsite=1&rec=1&ping=1"],"token_auth":"capturetoken"}`,
			`{"requests":["?idsite=9&rec=1&url=a","?idsite=9&rec=1&ping=1"],"token_auth":"T"}`, 2, true},
		// A body without a token gets one.
		{"no token", `{"requests":["?idsite=1&rec=1"]}`, `{"requests":["?idsite=9&rec=1"],"token_auth":"T"}`, 1, true},
		// The empty probe is not traffic.
		{"empty probe", `{"requests":[]}`, "", 0, false},
		// Not JSON.
		{"garbage", `idsite=1&rec=1`, "", 0, false},
		// Requests as objects are not what the loader sends.
		{"objects", `{"requests":[{"idsite":1}]}`, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := rewriteBody([]byte(tt.in), 9, "T")
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if string(got) != tt.want || n != tt.wantHits {
				t.Errorf("rewriteBody = %s (%d hits), want %s (%d)", got, n, tt.want, tt.wantHits)
			}
		})
	}
}

// TestRewriteBodyEscapes: characters that need JSON escaping survive a round trip.
func TestRewriteBodyEscapes(t *testing.T) {
	in := `{"requests":["?idsite=1&action_name=a\"b\\c<d>\u2028"],"token_auth":"x"}`
	got, _, err := rewriteBody([]byte(in), 3, `to"k`)
	if err != nil {
		t.Fatal(err)
	}
	var b bulkBody
	if err := json.Unmarshal(got, &b); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if b.Requests[0] != "?idsite=3&action_name=a\"b\\c<d>\u2028" || b.Token != `to"k` || strings.Contains(string(got), `\u0026`) {
		t.Errorf("round trip: %s", got)
	}
}
