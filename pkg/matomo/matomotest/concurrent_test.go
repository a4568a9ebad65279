package matomotest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// visitorHits renders one pageview per visitor, each visitor written "site/cid-suffix".
func visitorHits(visitors ...string) []string {
	reqs := make([]string, len(visitors))
	for i, v := range visitors {
		site, id, _ := strings.Cut(v, "/")
		reqs[i] = fmt.Sprintf("?idsite=%s&rec=1&cid=%s%s&url=u%d", site, strings.Repeat("0", 16-len(id)), id, i)
	}
	return reqs
}

// inFlight is how many (bulk, visitor) pairs the server holds as in flight.
func inFlight(s *Server) int {
	f := &s.state().flight
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.count {
		n += int(c)
	}
	return n
}

// TestConcurrentVisitors checks which visitors count as being in two bulks at once. Bulks sent
// together wait out an hour of latency, so they surely overlap; once the server holds all of
// them, Close ends the wait.
func TestConcurrentVisitors(t *testing.T) {
	tests := []struct {
		name     string // what the row shows
		bulks    [][]string
		together bool
		want     int
	}{
		{"a visitor shared by two bulks at once", [][]string{{"1/a", "1/b"}, {"1/b", "1/c"}}, true, 1},
		{"two bulks with disjoint visitors", [][]string{{"1/a", "1/b"}, {"1/c", "1/d"}}, true, 0},
		{"the same visitors in sequential bulks", [][]string{{"1/a", "1/b"}, {"1/a", "1/b"}}, false, 0},
		{"a visitor twice in one bulk", [][]string{{"1/a", "1/a", "1/b"}}, true, 0},
		{"one cid on two sites is two visitors", [][]string{{"1/a"}, {"2/a"}}, true, 0},
		{"three bulks share one visitor, two share another", [][]string{{"1/a", "1/b"}, {"1/a", "1/c"}, {"1/a", "1/b"}}, true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Sites: []int{1, 2}}
			if tc.together {
				opts.Faults.Latency = time.Hour
			}
			s := newTestServer(t, opts)
			if !tc.together {
				for _, b := range tc.bulks {
					if r := post(t, s, "", "application/json", bulkOf(testToken, visitorHits(b...)...)); r.status != 200 {
						t.Fatalf("bulk: %d %s", r.status, r.body)
					}
				}
			} else {
				postTogether(t, s, tc.bulks)
			}
			if got := s.Summary().ConcurrentVisitors; got != tc.want {
				t.Errorf("ConcurrentVisitors = %d, want %d", got, tc.want)
			}
		})
	}
}

// postTogether sends the bulks at once and closes the server once all of them are in flight.
func postTogether(t *testing.T, s *Server, bulks [][]string) {
	t.Helper()
	want := 0
	var wg sync.WaitGroup
	for _, b := range bulks {
		distinct := map[string]bool{}
		for _, v := range b {
			distinct[v] = true
		}
		want += len(distinct)
		body := bulkOf(testToken, visitorHits(b...)...)
		wg.Go(func() {
			// The reply is lost when Close cuts the connection; only the overlap matters here.
			if resp, err := http.Post(s.TrackingURL(), "application/json", strings.NewReader(body)); err == nil {
				resp.Body.Close()
			}
		})
	}
	waitFor(t, "every bulk in flight", func() bool { return inFlight(s) == want })
	s.Close()
	wg.Wait()
	waitFor(t, "every bulk to leave", func() bool { return inFlight(s) == 0 })
}

// TestDuplicateHits checks which re-sent hits count as duplicates, in total and per site.
func TestDuplicateHits(t *testing.T) {
	hit := base + "&cdt=" + cdt(testNow.Add(-time.Hour))
	type send struct {
		bulk bool
		reqs []string // queries without '?'
	}
	tests := []struct {
		name  string // what the row shows
		sends []send
		total int
		site2 int
	}{
		{"distinct hits are no duplicates", []send{{true, []string{hit, hit + "&pv_id=2"}}, {false, []string{hit + "&pv_id=3"}}}, 0, 0},
		{"the same single request twice", []send{{false, []string{hit}}, {false, []string{hit}}}, 1, 0},
		{"the same hit three times is two duplicates", []send{{false, []string{hit}}, {true, []string{hit, hit}}}, 2, 0},
		{"a bulk hit sent again as a single request", []send{{true, []string{hit}}, {false, []string{hit}}}, 1, 0},
		{"token_auth does not make a request different", []send{{false, []string{hit}}, {false, []string{hit + "&token_auth=" + testToken}}}, 1, 0},
		{"the same query on two sites is no duplicate", []send{{false, []string{hit}}, {false, []string{strings.Replace(hit, "idsite=1", "idsite=2", 1)}}}, 0, 0},
		{"duplicates are counted per site", []send{{true, []string{strings.Replace(hit, "idsite=1", "idsite=2", 1)}}, {false, []string{strings.Replace(hit, "idsite=1", "idsite=2", 1)}}}, 1, 1},
		{"a rejected hit is not recorded, so not duplicated", []send{{false, []string{hit + "&cip=10.0.0.1"}}, {false, []string{hit + "&cip=10.0.0.1"}}}, 0, 0},
		{"an excluded hit (no rec) is not recorded either", []send{{false, []string{"idsite=1&cid=" + cidA}}, {false, []string{"idsite=1&cid=" + cidA}}}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{Sites: []int{1, 2}})
			for _, snd := range tc.sends {
				if !snd.bulk {
					get(t, s, snd.reqs[0])
					continue
				}
				reqs := make([]string, len(snd.reqs))
				for i, q := range snd.reqs {
					reqs[i] = "?" + q
				}
				post(t, s, "", "application/json", bulkOf(testToken, reqs...))
			}
			sum := s.Summary()
			if sum.DuplicateHits != tc.total || sum.PerSite[2].DuplicateHits != tc.site2 ||
				sum.PerSite[1].DuplicateHits+sum.PerSite[2].DuplicateHits != tc.total {
				t.Errorf("duplicates %d (site 1: %d, site 2: %d), want %d (site 2: %d)", sum.DuplicateHits,
					sum.PerSite[1].DuplicateHits, sum.PerSite[2].DuplicateHits, tc.total, tc.site2)
			}
		})
	}
}
