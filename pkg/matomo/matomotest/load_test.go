package matomotest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeClock is a server clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// The load model: below capacity the base latency, past it a latency growing with the overload,
// past the error rate a share of refusals; the rate is counted on the server's clock.
func TestLoadModel(t *testing.T) {
	tests := []struct {
		name        string
		load        Load
		perSecond   int // hits arriving each second, for three seconds
		wantLatency time.Duration
		refusedMin  float64 // share of the last second's arrivals refused, at least
		refusedMax  float64
	}{
		// At capacity: the base latency, nothing refused.
		{"at capacity", Load{Capacity: 100, BaseLatency: 10 * time.Millisecond}, 100, 10 * time.Millisecond, 0, 0},
		// 50 % over: 10 ms × (1 + 100 × 0.5).
		{"50% over", Load{Capacity: 100, BaseLatency: 10 * time.Millisecond}, 150, 510 * time.Millisecond, 0, 0},
		// Way over: capped.
		{"capped", Load{Capacity: 100, BaseLatency: 10 * time.Millisecond, MaxLatency: time.Second}, 1000, time.Second, 0, 0},
		// Past the error rate, the excess share is refused: 1 − 200/400 = half, give or take the draw.
		{"errors", Load{Capacity: 100, BaseLatency: time.Millisecond, Growth: 1, ErrorsAbove: 200}, 400, 4 * time.Millisecond, 0.35, 0.65},
		// Off.
		{"off", Load{}, 1000, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: testNow}
			m := newLoadMeter(tt.load, clock.now, 7)
			var lat time.Duration
			refused := 0
			for sec := range 3 {
				for range tt.perSecond {
					clock.add(time.Second / time.Duration(tt.perSecond))
					var fail bool
					lat, fail = m.arrive(1)
					if fail && sec == 2 {
						refused++
					}
				}
			}
			// The last arrival saw the steady rate (one slot of rounding either way).
			if d := lat - tt.wantLatency; d < -tt.wantLatency/5-time.Millisecond || d > tt.wantLatency/5+time.Millisecond {
				t.Errorf("latency %v, want about %v", lat, tt.wantLatency)
			}
			share := float64(refused) / float64(tt.perSecond)
			if share < tt.refusedMin || share > tt.refusedMax {
				t.Errorf("refused %.2f of a second's arrivals, want %.2f–%.2f", share, tt.refusedMin, tt.refusedMax)
			}
			// Once quiet for a window, the rate is back to nothing.
			clock.add(2 * time.Second)
			if r := m.rate(); r != 0 {
				t.Errorf("rate after a quiet window = %v", r)
			}
		})
	}
}

// Over HTTP, a server past its capacity answers slowly and past ErrorsAbove with 503s; the
// latency is virtual time in a synctest bubble, so nothing here waits for real.
func TestLoadOverHTTP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &fakeClock{t: testNow}
		s := NewUnstartedServer(Options{Token: testToken, Now: clock.now,
			Load: Load{Capacity: 10, BaseLatency: 20 * time.Millisecond, ErrorsAbove: 20}})
		defer s.Close()
		h := s.Handler()
		hit := "idsite=1&rec=1&url=https%3A%2F%2Fsite1.example%2F&_id=0123456789abcdef&apiv=1"
		serve := func() (int, time.Duration) {
			start := time.Now()
			rec := serveOnce(h, "GET", "/matomo.php?"+hit, "")
			return rec.Code, time.Since(start)
		}
		// Five hits within a second: under capacity.
		for range 5 {
			if code, d := serve(); code != 200 || d != 20*time.Millisecond {
				t.Fatalf("under capacity: %d in %v", code, d)
			}
		}
		// Thirty more in the same second: the last ones are slow, and some refused.
		var slowest time.Duration
		refused := 0
		for range 30 {
			code, d := serve()
			slowest = max(slowest, d)
			if code == 503 {
				refused++
			}
		}
		if slowest < time.Second || refused == 0 {
			t.Fatalf("past capacity: slowest %v, %d refused", slowest, refused)
		}
		if got := s.Summary().Visits; got == 0 {
			t.Fatal("nothing recorded")
		}
	})
}

// The report methods answer from the recorded visits, and their answers wait out APILatency,
// longer when the tracking load is past capacity.
func TestReportsAndAPILatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &fakeClock{t: testNow}
		s := NewUnstartedServer(Options{Token: testToken, Now: clock.now, Load: Load{Capacity: 1},
			APILatency: map[string]time.Duration{"VisitsSummary.get": 3 * time.Second, "*": 100 * time.Millisecond}})
		defer s.Close()
		h := s.Handler()
		for _, id := range []string{"0123456789abcdef", "fedcba9876543210"} {
			for _, page := range []string{"/a", "/b"} {
				serveOnce(h, "GET", "/matomo.php?idsite=1&rec=1&apiv=1&_id="+id+"&url=https%3A%2F%2Fsite1.example"+url.QueryEscape(page), "")
			}
		}
		call := func(method, period, date string) (map[string]any, []map[string]any, time.Duration) {
			start := time.Now()
			form := url.Values{"module": {"API"}, "method": {method}, "format": {"json"}, "idSite": {"1"},
				"period": {period}, "date": {date}, "token_auth": {testToken}}
			rec := serveOnce(h, "POST", "/index.php", form.Encode())
			d := time.Since(start)
			var obj map[string]any
			var rows []map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &obj) != nil {
				if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
					t.Fatalf("%s: %s", method, rec.Body)
				}
			}
			return obj, rows, d
		}
		// Four hits within a second at a capacity of 1 hit/s: reports take 4× their latency.
		sum, _, d := call("VisitsSummary.get", "day", "today")
		if sum["nb_visits"] != 2.0 || sum["nb_actions"] != 4.0 || sum["nb_uniq_visitors"] != 2.0 || sum["bounce_rate"] != "0%" || d != 12*time.Second {
			t.Fatalf("VisitsSummary.get = %v in %v", sum, d)
		}
		clock.add(time.Minute) // the load is over
		_, rows, d := call("Actions.getPageUrls", "range", "last7")
		if len(rows) != 2 || rows[0]["nb_hits"] != 2.0 || d != 100*time.Millisecond {
			t.Fatalf("Actions.getPageUrls = %v in %v", rows, d)
		}
		_, rows, _ = call("Referrers.getReferrerType", "day", "today")
		if len(rows) != 1 || rows[0]["nb_visits"] != 2.0 {
			t.Fatalf("Referrers.getReferrerType = %v", rows)
		}
		goals, _, _ := call("Goals.get", "range", "previous7")
		if goals["nb_conversions"] != 0.0 {
			t.Fatalf("Goals.get = %v", goals)
		}
		if sum, _, _ := call("VisitsSummary.get", "range", "previous7"); sum["nb_visits"] != 0.0 || sum["nb_uniq_visitors"] != nil {
			t.Fatalf("previous7 leaves today out, and a range has no unique visitors (as in Matomo 5): %v", sum)
		}
	})
}

// serveOnce runs one request through h in process (no sockets, so virtual time applies).
func serveOnce(h http.Handler, method, target, form string) *httptest.ResponseRecorder {
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req := httptest.NewRequest(method, target, body)
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The in-process client reaches the server without a socket and sees its faults: a dropped
// reply is an error, a refused request its status.
func TestInProcessClient(t *testing.T) {
	s := NewUnstartedServer(Options{Token: testToken, Now: func() time.Time { return testNow }})
	defer s.Close()
	c := s.InProcessClient()
	resp, err := c.Get("http://anywhere.invalid/matomo.php?idsite=1&rec=1&url=u&_id=0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || s.Summary().Visits != 1 {
		t.Fatalf("status %d, %d visits", resp.StatusCode, s.Summary().Visits)
	}
	s.SetFaults(Faults{DropReplyRate: 1})
	if resp, err := c.Post("http://x/matomo.php", "application/x-www-form-urlencoded",
		strings.NewReader("idsite=1&rec=1&url=u&_id=0123456789abcdef")); err == nil {
		resp.Body.Close()
		t.Fatal("a dropped reply came back")
	}
	s.SetFaults(Faults{UnavailableRate: 1})
	resp, err = c.Get("http://x/matomo.php?idsite=1&rec=1&url=u")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}
