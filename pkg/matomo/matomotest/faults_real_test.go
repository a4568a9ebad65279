package matomotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// distinctVisits returns n request strings, each the first pageview of its own visitor.
func distinctVisits(n int) []string {
	reqs := make([]string, n)
	for i := range reqs {
		reqs[i] = fmt.Sprintf("?idsite=1&rec=1&cid=%016x&url=https%%3A%%2F%%2Fsite1.example%%2Fp%d", i+1, i)
	}
	return reqs
}

// TestDeadlock checks a deadlocked bulk: a 500, the head lost, the tail recorded as usual, and a
// whole-bulk retry duplicating exactly the tail.
func TestDeadlock(t *testing.T) {
	tests := []struct {
		name string // what the row shows
		n    int
		seed int64
	}{
		{"a bulk of 10 loses a head of 1..9 (seed 1)", 10, 1},
		{"a bulk of 10 loses a head of 1..9 (seed 2)", 10, 2},
		{"a bulk of 10 loses a head of 1..9 (seed 3)", 10, 3},
		{"a bulk of 2 loses its first hit", 2, 4},
		{"a bulk of 1 loses its only hit", 1, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{Faults: Faults{DeadlockRate: 1, Seed: tc.seed}})
			reqs := distinctVisits(tc.n)
			r := post(t, s, "", "application/json", bulkOf(testToken, reqs...))
			sum := s.Summary()
			k := sum.RolledBack
			if lo, hi := 1, max(tc.n-1, 1); k < lo || k > hi {
				t.Fatalf("RolledBack = %d, want within [%d,%d]", k, lo, hi)
			}
			var rep struct {
				Status           string
				Tracked, Invalid int
			}
			if err := json.Unmarshal([]byte(r.body), &rep); err != nil || r.status != 500 ||
				rep.Status != "error" || rep.Tracked != tc.n-k || rep.Invalid != 0 {
				t.Errorf("reply %d %s (%v), want a 500 error counting %d tracked", r.status, r.body, err, tc.n-k)
			}
			if sum.Visits != tc.n-k || sum.Hits != tc.n-k || sum.Tracked != tc.n-k || sum.Faults != 1 || sum.Bulks != 1 {
				t.Errorf("visits=%d hits=%d tracked=%d faults=%d bulks=%d, want the tail of %d",
					sum.Visits, sum.Hits, sum.Tracked, sum.Faults, sum.Bulks, tc.n-k)
			}
			var cids []string
			for _, rec := range s.Requests() {
				cids = append(cids, rec.Params.Get("cid"))
			}
			var want []string
			for _, q := range reqs[k:] {
				v, _ := url.ParseQuery(q[1:])
				want = append(want, v.Get("cid"))
			}
			if !slices.Equal(cids, want) {
				t.Errorf("recorded visitors %v, want the tail %v", cids, want)
			}

			s.SetFaults(Faults{})
			if r := post(t, s, "", "application/json", bulkOf(testToken, reqs...)); r.status != 200 {
				t.Fatalf("retry: %d %s", r.status, r.body)
			}
			sum = s.Summary()
			if sum.DuplicateHits != tc.n-k || sum.PerSite[1].DuplicateHits != tc.n-k || sum.Visits != tc.n || sum.RolledBack != k {
				t.Errorf("after the retry: duplicates=%d (site 1: %d) visits=%d rolled back=%d, want %d %d %d %d",
					sum.DuplicateHits, sum.PerSite[1].DuplicateHits, sum.Visits, sum.RolledBack, tc.n-k, tc.n-k, tc.n, k)
			}
		})
	}
}

// TestDeadlockCut checks that the lost head is drawn from the seed: reproducible, and not the
// same for every seed.
func TestDeadlockCut(t *testing.T) {
	lost := func(seed int64) int {
		s := newTestServer(t, Options{Faults: Faults{DeadlockRate: 1, Seed: seed}})
		post(t, s, "", "application/json", bulkOf(testToken, distinctVisits(10)...))
		return s.Summary().RolledBack
	}
	seen := map[int]bool{}
	for seed := range int64(12) {
		k := lost(seed)
		if again := lost(seed); again != k {
			t.Errorf("seed %d: %d then %d hits lost", seed, k, again)
		}
		seen[k] = true
	}
	if len(seen) < 3 {
		t.Errorf("12 seeds lost only %v hits: the cut is not drawn", seen)
	}
}

// TestRollbackCount checks where the cut falls for the extremes of the draw.
func TestRollbackCount(t *testing.T) {
	tests := []struct {
		name string // what the row shows
		n    int
		cut  float64
		want int
	}{
		{"an empty bulk loses nothing", 0, 0.5, 0},
		{"a bulk of one loses its hit", 1, 0.99, 1},
		{"the lowest draw loses one hit", 10, 0, 1},
		{"the highest draw keeps one hit", 10, 0.9999, 9},
		{"a middle draw loses half", 10, 0.5, 5},
		{"a bulk of two always loses exactly one", 2, 0.9999, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := rollbackCount(tc.n, tc.cut); got != tc.want {
				t.Errorf("rollbackCount(%d, %v) = %d, want %d", tc.n, tc.cut, got, tc.want)
			}
		})
	}
}

// TestDeadlockReplies checks the deadlock on requests other than a plain bulk.
func TestDeadlockReplies(t *testing.T) {
	tests := []struct {
		name   string // what the row shows
		opts   Options
		query  string // a single GET when body is empty
		body   string
		hits   int
		status int
	}{
		{"a single request is a plain 500, not processed", Options{}, base, "", 0, 500},
		{"send_image=0 does not turn the error into 204", Options{},
			"", `{"requests":["?` + base + `","?` + base + `&url=x"],"send_image":0}`, 1, 500},
		{"QueuedTracking does not hide it", Options{QueuedTracking: true},
			"", bulkOf(testToken, distinctVisits(2)...), 1, 500},
		{"an empty bulk loses nothing and still fails", Options{}, "", `{"requests":[]}`, 0, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Faults = Faults{DeadlockRate: 1}
			s := newTestServer(t, tc.opts)
			var r reply
			if tc.body == "" {
				r = get(t, s, tc.query)
			} else {
				r = post(t, s, "", "application/json", tc.body)
			}
			sum := s.Summary()
			if r.status != tc.status || sum.Hits != tc.hits || sum.Faults != 1 {
				t.Errorf("status %d hits %d faults %d, want %d %d 1", r.status, sum.Hits, sum.Faults, tc.status, tc.hits)
			}
		})
	}
}

// TestLateProcessing checks that a late request is recorded even when its client gave up first.
// The client's 50 ms timeout against the 200 ms delay is what the rows are about.
func TestLateProcessing(t *testing.T) {
	tests := []struct {
		name    string // what the row shows
		bulk    bool
		timeout time.Duration
		gaveUp  bool
	}{
		{"a single GET lands after its client gave up", false, 50 * time.Millisecond, true},
		{"a bulk lands after its client gave up", true, 50 * time.Millisecond, true},
		{"a patient client gets the reply", true, 5 * time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, Options{Faults: Faults{LateRate: 1, LateDelay: 200 * time.Millisecond}})
			req, hits := lateRequest(t, s, tc.bulk)
			resp, err := (&http.Client{Timeout: tc.timeout}).Do(req)
			if tc.gaveUp {
				var ue *url.Error
				if err == nil {
					resp.Body.Close()
					t.Fatalf("got a reply (%d) before the delay was over", resp.StatusCode)
				}
				if !errors.As(err, &ue) || !ue.Timeout() {
					t.Fatalf("error %v, want a client timeout", err)
				}
				if n := s.Summary().Hits; n != 0 {
					t.Fatalf("%d hits recorded when the client gave up, want none yet", n)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
			}
			// the fault is counted after the hits are stored: wait for both
			waitFor(t, "the late hits", func() bool { sum := s.Summary(); return sum.Hits == hits && sum.Faults == 1 })
			if sum := s.Summary(); sum.Visits != hits || sum.Tracked != hits || sum.Faults != 1 {
				t.Errorf("visits=%d tracked=%d faults=%d, want %d %d 1", sum.Visits, sum.Tracked, sum.Faults, hits, hits)
			}
		})
	}
}

// lateRequest builds a tracking request and says how many hits it carries.
func lateRequest(t *testing.T, s *Server, bulk bool) (*http.Request, int) {
	t.Helper()
	if !bulk {
		req, err := http.NewRequest(http.MethodGet, s.TrackingURL()+"?"+base, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req, 1
	}
	req, err := http.NewRequest(http.MethodPost, s.TrackingURL(), strings.NewReader(bulkOf(testToken, distinctVisits(3)...)))
	if err != nil {
		t.Fatal(err)
	}
	return req, 3
}

// TestCloseEndsLateWait checks that closing the server does not wait for an hour-long late
// delay: the request goes on at once and is recorded.
func TestCloseEndsLateWait(t *testing.T) {
	s := newTestServer(t, Options{Faults: Faults{LateRate: 1, LateDelay: time.Hour}})
	req, _ := lateRequest(t, s, false)
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, "the request to reach the handler", func() bool { return s.Summary().Requests == 1 })
	s.Close()
	waitFor(t, "the hit after Close", func() bool { return s.Summary().Hits == 1 })
	<-done
}

// TestTailLatency checks the Pareto latency for chosen uniform draws.
func TestTailLatency(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name  string // what the row shows
		limit time.Duration
		alpha float64
		u     float64
		want  time.Duration
	}{
		{"u=1 is the base latency", 0, 1.5, 1, 10 * ms},
		{"alpha 1 and u=1/2 double it", 0, 1, 0.5, 20 * ms},
		{"alpha 2 and u=1/4 double it", time.Second, 2, 0.25, 20 * ms},
		{"a tiny u is capped at 10x the base by default", 0, 1.5, 1e-9, 100 * ms},
		{"a tiny u is capped at LatencyMax", 50 * ms, 1.5, 1e-9, 50 * ms},
		{"a LatencyMax below the base is raised to it", 5 * ms, 1.5, 0.01, 10 * ms},
		{"u=0 is the cap", 0, 1.5, 0, 100 * ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tailLatency(10*ms, tc.limit, tc.alpha, tc.u); got != tc.want {
				t.Errorf("tailLatency = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestLatencyDraws checks the latencies drawn for requests: within [Latency, cap], spread when
// the tail is on, constant when it is off, reproducible, and without effect on which requests
// fault.
func TestLatencyDraws(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name     string // what the row shows
		f        Faults
		cap      time.Duration
		distinct bool
	}{
		{"alpha 1.5 stays within Latency and LatencyMax", Faults{Latency: 10 * ms, LatencyTailAlpha: 1.5, LatencyMax: 200 * ms}, 200 * ms, true},
		{"without LatencyMax the cap is 10x Latency", Faults{Latency: 10 * ms, LatencyTailAlpha: 1.5}, 100 * ms, true},
		{"alpha 0 keeps the constant latency", Faults{Latency: 10 * ms, LatencyMax: 200 * ms}, 10 * ms, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.ErrorRate, tc.f.Seed = 0.3, 9
			draws := func(f Faults) ([]time.Duration, []fault) {
				var b faultBox
				b.set(f)
				var lat []time.Duration
				var kinds []fault
				for range 2000 {
					d := b.draw()
					lat, kinds = append(lat, d.latency), append(kinds, d.kind)
				}
				return lat, kinds
			}
			lat, kinds := draws(tc.f)
			if lo, hi := slices.Min(lat), slices.Max(lat); lo < tc.f.Latency || hi > tc.cap {
				t.Errorf("latencies in [%v,%v], want within [%v,%v]", lo, hi, tc.f.Latency, tc.cap)
			}
			if d := len(slices.Compact(slices.Sorted(slices.Values(lat)))); (d > 1) != tc.distinct {
				t.Errorf("%d distinct latencies", d)
			}
			if again, _ := draws(tc.f); !slices.Equal(lat, again) {
				t.Error("the same seed drew other latencies")
			}
			flat := tc.f
			flat.LatencyTailAlpha = 0
			if _, want := draws(flat); !slices.Equal(kinds, want) {
				t.Error("the tail changed which requests fault")
			}
		})
	}
}
