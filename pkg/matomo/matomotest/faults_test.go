package matomotest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFaultsAtFullRate checks each fault at rate 1: what the client sees and whether the hits
// were processed.
func TestFaultsAtFullRate(t *testing.T) {
	tests := []struct {
		name      string // what the row shows
		faults    Faults
		status    int // 0: the connection is closed without a reply
		processed bool
	}{
		{"ErrorRate 1 answers 500 and processes nothing", Faults{ErrorRate: 1}, 500, false},
		{"RateLimitRate 1 answers 429 with Retry-After", Faults{RateLimitRate: 1}, 429, false},
		{"UnavailableRate 1 answers 503", Faults{UnavailableRate: 1}, 503, false},
		{"DropReplyRate 1 processes the bulk and loses the reply", Faults{DropReplyRate: 1}, 0, true},
		{"all rates 0 change nothing", Faults{Seed: 7}, 200, true},
		{"a small latency still answers", Faults{Latency: time.Millisecond}, 200, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{Faults: tc.faults})
			req, err := http.NewRequest(http.MethodPost, s.TrackingURL(),
				strings.NewReader(bulkOf(testToken, "?"+base, "?"+base)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if tc.status == 0 {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got a reply (%d), want a closed connection", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("status = %d, want %d", resp.StatusCode, tc.status)
				}
				if tc.status == 429 && resp.Header.Get("Retry-After") != "1" {
					t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
				}
			}
			sum := s.Summary()
			if got := sum.Hits == 2; got != tc.processed {
				t.Errorf("hits = %d, processed want %v", sum.Hits, tc.processed)
			}
			if sum.Requests < 1 {
				t.Errorf("Requests = %d", sum.Requests)
			}
		})
	}
}

// TestFaultsReproducible checks that the same seed gives the same sequence of faults, that
// SetFaults restarts it, and that a mixed rate produces both outcomes.
func TestFaultsReproducible(t *testing.T) {
	f := Faults{ErrorRate: 0.3, UnavailableRate: 0.2, Seed: 42}
	run := func(s *Server) []int {
		var codes []int
		for range 40 {
			codes = append(codes, get(t, s, base+"&send_image=0").status)
		}
		return codes
	}
	a := run(newTestServer(t, Options{Faults: f}))
	b := run(newTestServer(t, Options{Faults: f}))
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different faults:\n%v\n%v", a, b)
	}
	for _, want := range []int{204, 500, 503} {
		if !slices.Contains(a, want) {
			t.Errorf("no %d among %v", want, a)
		}
	}
	s := newTestServer(t, Options{})
	s.SetFaults(f)
	if c := run(s); !slices.Equal(a, c) {
		t.Errorf("SetFaults did not restart the sequence:\n%v\n%v", a, c)
	}
	s.SetFaults(Faults{})
	if r := get(t, s, base); r.status != 200 {
		t.Errorf("after clearing faults: %d", r.status)
	}
	if sum := s.Summary(); sum.Faults == 0 || sum.Requests != 41 {
		t.Errorf("faults=%d requests=%d", sum.Faults, sum.Requests)
	}
}
