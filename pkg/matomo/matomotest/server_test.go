package matomotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConcurrentBulks posts bulks from many goroutines at once; run with -race. Every visitor
// belongs to one goroutine, as in the loader, so the expected visits are exact.
func TestConcurrentBulks(t *testing.T) {
	s := newTestServer(t, Options{Sites: []int{1, 2}, RecordLimit: 500})
	const workers, bulks, visitorsPerBulk, hitsPerVisitor = 16, 10, 10, 5
	start := testNow.Add(-6 * time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			client := &http.Client{}
			for b := range bulks {
				var reqs []string
				for v := range visitorsPerBulk {
					cid := fmt.Sprintf("%04x%04x%08x", w, b, v)
					for h := range hitsPerVisitor {
						reqs = append(reqs, fmt.Sprintf("?idsite=%d&rec=1&cid=%s&cdt=%d&url=u%d",
							1+w%2, cid, start.Add(time.Duration(h)*time.Minute).Unix(), h))
					}
				}
				resp, err := client.Post(s.TrackingURL(), "application/json", strings.NewReader(bulkOf(testToken, reqs...)))
				if err != nil {
					errs <- err
					return
				}
				var rep struct{ Tracked, Invalid int }
				err = json.NewDecoder(resp.Body).Decode(&rep)
				resp.Body.Close()
				if err != nil || rep.Tracked != len(reqs) {
					errs <- fmt.Errorf("reply %+v: %w", rep, err)
					return
				}
			}
		})
	}
	// Readers run alongside the writers, so -race sees Summary, Requests and Live under load.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for i := 0; i < 1000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = s.Summary()
			_ = s.Requests()
			resp, err := http.Post(s.APIURL()+"?module=API&method=Live.getLastVisitsDetails&idSite=1&format=json",
				"application/x-www-form-urlencoded", strings.NewReader("token_auth="+testToken))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
		}
	})
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	sum := s.Summary()
	visits := workers * bulks * visitorsPerBulk
	if sum.Bulks != workers*bulks || sum.Hits != visits*hitsPerVisitor || sum.Visits != visits ||
		sum.Visitors != visits || sum.Actions != sum.Hits || sum.PerSite[2].Visits != visits/2 {
		t.Errorf("bulks=%d hits=%d visits=%d visitors=%d actions=%d site2=%d",
			sum.Bulks, sum.Hits, sum.Visits, sum.Visitors, sum.Actions, sum.PerSite[2].Visits)
	}
	if sum.DuplicateHits != 0 || sum.ConcurrentVisitors != 0 || sum.RolledBack != 0 {
		t.Errorf("duplicates=%d concurrent visitors=%d rolled back=%d, want none from distinct visitors each on one worker",
			sum.DuplicateHits, sum.ConcurrentVisitors, sum.RolledBack)
	}
	if n := len(s.Requests()); n != 500 {
		t.Errorf("%d records kept, want the RecordLimit 500", n)
	}
}

// TestRecordRing checks that only the last RecordLimit requests are kept, oldest first.
func TestRecordRing(t *testing.T) {
	s := newTestServer(t, Options{RecordLimit: 3})
	for i := range 5 {
		get(t, s, fmt.Sprintf("%s&pv_id=n%d&token_auth=%s", base, i, testToken))
	}
	recs := s.Requests()
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for i, r := range recs {
		if want := fmt.Sprintf("n%d", i+2); r.Params.Get("pv_id") != want || r.Params.Has("token_auth") {
			t.Errorf("record %d = %v, want pv_id %s and no token", i, r.Params, want)
		}
	}
	none := newTestServer(t, Options{RecordLimit: -1})
	get(t, none, base)
	if len(none.Requests()) != 0 || none.Summary().Hits != 1 {
		t.Error("RecordLimit -1 should keep no records but still count")
	}
}

// TestReset checks that Reset forgets data but keeps options.
func TestReset(t *testing.T) {
	s := newTestServer(t, Options{})
	get(t, s, base+"&idgoal=0&ec_id=X")
	api(t, s, "API.getMatomoVersion", nil, testToken)
	s.Reset()
	sum := s.Summary()
	if sum.Hits != 0 || sum.Visits != 0 || sum.Requests != 0 || len(s.Requests()) != 0 || len(s.APICalls()) != 0 {
		t.Errorf("after Reset: %+v", sum)
	}
	if r := get(t, s, base+"&idgoal=0&ec_id=X"); r.status != 200 {
		t.Errorf("order ids survived Reset: %d", r.status)
	}
	if n := s.Summary().DuplicateHits; n != 0 {
		t.Errorf("a hit sent before Reset counted as a duplicate after it (%d)", n)
	}
}

// TestSummaryJSON checks the JSON shape matomo-sink serves.
func TestSummaryJSON(t *testing.T) {
	s := newTestServer(t, Options{})
	get(t, s, base)
	get(t, s, "idsite=9&rec=1")
	b, err := json.Marshal(s.Summary())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"hits":2`, `"tracked":1`, `"invalid":1`, `"invalid_by_reason":{"unknown_site":1}`,
		`"hits_by_kind":{"pageview":1}`, `"visits_by_day":{"2026-03-10":1}`, `"per_site":{"1":{`, `"days":{"2026-03-10":{`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("summary JSON lacks %s:\n%s", want, b)
		}
	}
}

// TestDetailLimit checks that action details stop being kept at the limit while counts go on.
func TestDetailLimit(t *testing.T) {
	s := newTestServer(t, Options{DetailLimit: 2})
	sendHits(t, s, 1, at{cidA, testNow.Add(-time.Hour), ""}, at{cidA, testNow.Add(-59 * time.Minute), ""},
		at{cidA, testNow.Add(-58 * time.Minute), ""})
	v := liveVisits(t, s, "")
	if len(v) != 1 || v[0].Actions != "3" || len(v[0].ActionDetails) != 2 {
		t.Errorf("visits %+v", v)
	}
}

// TestOptionsPanics checks that invalid options are refused at construction, as httptest refuses
// a server it cannot start.
func TestOptionsPanics(t *testing.T) {
	tests := []struct {
		name string // what the row shows
		opts Options
	}{
		{"an unknown timezone", Options{SiteInfo: map[int]Site{1: {Timezone: "Mars/Olympus"}}}},
		{"a site id of zero", Options{Sites: []int{0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			NewUnstartedServer(tc.opts)
		})
	}
}
