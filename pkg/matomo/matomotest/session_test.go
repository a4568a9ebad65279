package matomotest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// at is a hit at a time for a visitor; extra holds further parameters.
type at struct {
	cid   string
	t     time.Time
	extra string
}

// sendHits posts the hits as one bulk with the token (so any cdt is allowed) and fails on invalid ones.
func sendHits(t *testing.T, s *Server, site int, hits ...at) {
	t.Helper()
	reqs := make([]string, len(hits))
	for i, h := range hits {
		reqs[i] = fmt.Sprintf("?idsite=%d&rec=1&cid=%s&cdt=%d&url=https%%3A%%2F%%2Fs.example%%2Fp%d&action_name=P%d%s",
			site, h.cid, h.t.Unix(), i, i, h.extra)
	}
	r := post(t, s, "", "application/json", bulkOf(testToken, reqs...))
	if r.status != 200 || !strings.Contains(r.body, `"invalid":0`) {
		t.Fatalf("bulk: %d %s", r.status, r.body)
	}
}

// TestSessionisation checks how hits are grouped into visits, rule by rule.
func TestSessionisation(t *testing.T) {
	const v1, v2 = "00000000000000a1", "00000000000000b2"
	// 2026-03-09 22:50 UTC is 23:50 in Stockholm (CET, UTC+1).
	late := time.Date(2026, 3, 9, 22, 50, 0, 0, time.UTC)
	day := time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string // what the row shows
		tz        string
		hits      []at
		visits    int
		actions   int
		returning int
		byDay     map[string]int
	}{
		{"hits 29m59s apart stay in one visit", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(1799 * time.Second), ""}}, 1, 2, 0, map[string]int{"2026-03-09": 1}},
		{"a hit 30 minutes after the last action starts a new visit", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(1800 * time.Second), ""}}, 2, 2, 1, map[string]int{"2026-03-09": 2}},
		{"the 30 minutes count from the last action, not the first", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(20 * time.Minute), ""}, {v1, day.Add(45 * time.Minute), ""}}, 1, 3, 0, nil},
		{"midnight in the site's timezone splits a visit", "Europe/Stockholm",
			[]at{{v1, late, ""}, {v1, late.Add(15 * time.Minute), ""}}, 2, 2, 1,
			map[string]int{"2026-03-09": 1, "2026-03-10": 1}},
		{"the same hits in UTC are one visit before midnight", "UTC",
			[]at{{v1, late, ""}, {v1, late.Add(5 * time.Minute), ""}}, 1, 2, 0, map[string]int{"2026-03-09": 1}},
		{"new_visit=1 forces a new visit", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(time.Minute), "&new_visit=1"}}, 2, 2, 1, nil},
		// Observed in Matomo 5.0.2: a ping lengthens the visit but does not move its last action
		// time, so a page view 50 minutes after the last one is a new visit, ping or not.
		{"a ping is no action and does not keep the visit open", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(25 * time.Minute), "&ping=1"}, {v1, day.Add(50 * time.Minute), ""}}, 2, 2, 1, nil},
		// Observed: of pings every 29 minutes after one page view, the second (58 minutes after the
		// page) is dropped; the visit lasts 29 minutes.
		{"a second ping 58 minutes after the last action is dropped", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(29 * time.Minute), "&ping=1"}, {v1, day.Add(58 * time.Minute), "&ping=1"}}, 1, 1, 0, nil},
		{"a ping after the visit ended is dropped, not a new visit", "UTC",
			[]at{{v1, day, ""}, {v1, day.Add(40 * time.Minute), "&ping=1"}}, 1, 1, 0, nil},
		{"different visitors never share a visit", "UTC",
			[]at{{v1, day, ""}, {v2, day.Add(time.Second), ""}}, 2, 2, 0, map[string]int{"2026-03-09": 2}},
		{"an out-of-order hit inside the window joins the visit", "UTC",
			[]at{{v1, day.Add(10 * time.Minute), ""}, {v1, day, ""}}, 1, 2, 0, nil},
		{"events, searches and outlinks are actions; goals are not", "UTC",
			[]at{{v1, day, "&e_c=a&e_a=b"}, {v1, day.Add(time.Minute), "&search=shoes"},
				{v1, day.Add(2 * time.Minute), "&link=https%3A%2F%2Fo.example"}, {v1, day.Add(3 * time.Minute), "&idgoal=1"}},
			1, 3, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{
				SiteInfo: map[int]Site{1: {Timezone: tc.tz}}, Goals: map[int][]int{1: {1}},
			})
			sendHits(t, s, 1, tc.hits...)
			sum := s.Summary()
			if sum.Visits != tc.visits || sum.Actions != tc.actions || sum.ReturningVisitors != tc.returning {
				t.Errorf("visits=%d actions=%d returning=%d, want %d %d %d",
					sum.Visits, sum.Actions, sum.ReturningVisitors, tc.visits, tc.actions, tc.returning)
			}
			if tc.byDay != nil && !maps.Equal(sum.VisitsByDay, tc.byDay) {
				t.Errorf("VisitsByDay = %v, want %v", sum.VisitsByDay, tc.byDay)
			}
			if ps := sum.PerSite[1]; ps.Visits != sum.Visits || ps.Hits != len(tc.hits) {
				t.Errorf("per site visits=%d hits=%d", ps.Visits, ps.Hits)
			}
		})
	}
}

// TestPingOutcomes checks the counters of a dropped ping: tracked and excluded, no data.
func TestPingOutcomes(t *testing.T) {
	s := newTestServer(t, Options{})
	day := testNow.Add(-2 * time.Hour)
	sendHits(t, s, 1, at{cidA, day, ""}, at{cidA, day.Add(10 * time.Minute), "&ping=1"},
		at{cidA, day.Add(time.Hour), "&ping=1"})
	sum := s.Summary()
	if sum.Tracked != 3 || sum.Excluded != 1 || sum.ExcludedByReason[ExcludedPingWithoutVisit] != 1 {
		t.Errorf("tracked=%d excluded=%v", sum.Tracked, sum.ExcludedByReason)
	}
	if sum.HitsByKind[KindPing] != 1 || sum.HitsByKind[KindPageview] != 1 {
		t.Errorf("HitsByKind = %v", sum.HitsByKind)
	}
	d := sum.PerSite[1].Days["2026-03-10"]
	if d.FirstAction != day.Unix() || d.LastAction != day.Add(10*time.Minute).Unix() || d.Hits != 2 {
		t.Errorf("day = %+v", d)
	}
}

// TestVisitorIdentity checks which parameter names the visitor.
func TestVisitorIdentity(t *testing.T) {
	sum := sha1.Sum([]byte("user@example.com"))
	uidVisitor := hex.EncodeToString(sum[:8])
	tests := []struct {
		name  string // what the row shows
		query string
		want  string
	}{
		{"cid is the visitor id, lowercased", "cid=ABCDEF0123456789", "abcdef0123456789"},
		{"a User ID wins over cid", "cid=abcdef0123456789&uid=user%40example.com", uidVisitor},
		{"_id is used when there is no cid", "_id=1111222233334444ffff", "1111222233334444"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			if r := get(t, s, "idsite=1&rec=1&"+tc.query); r.status != 200 {
				t.Fatalf("status %d", r.status)
			}
			visits := liveVisits(t, s, "segment=visitorId%3D%3D"+tc.want)
			if len(visits) != 1 || visits[0].VisitorID != tc.want {
				t.Errorf("visits %+v, want visitor %s", visits, tc.want)
			}
		})
	}
}

// TestSummaryPerDay checks the per-site, per-day figures a backfill test compares with.
func TestSummaryPerDay(t *testing.T) {
	s := newTestServer(t, Options{Sites: []int{1, 2}})
	d1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	d2 := d1.AddDate(0, 0, 1)
	sendHits(t, s, 1, at{cidA, d1, ""}, at{cidA, d1.Add(time.Minute), "&idgoal=0&ec_id=o1&revenue=12.5"},
		at{cidA, d2, ""}, at{"00000000000000ff", d2, ""})
	sendHits(t, s, 2, at{cidA, d1, ""})
	sum := s.Summary()
	days := sum.PerSite[1].Days
	if got := slices.Sorted(maps.Keys(days)); !slices.Equal(got, []string{"2026-03-01", "2026-03-02"}) {
		t.Fatalf("days %v", got)
	}
	if d := days["2026-03-01"]; d.Visits != 1 || d.Visitors != 1 || d.Pageviews != 1 || d.Orders != 1 || d.Revenue != 12.5 {
		t.Errorf("day 1 = %+v", d)
	}
	if d := days["2026-03-02"]; d.Visits != 2 || d.Visitors != 2 || d.Actions != 2 {
		t.Errorf("day 2 = %+v", d)
	}
	if sum.Visitors != 3 || sum.PerSite[1].Visitors != 2 || sum.PerSite[1].ReturningVisitors != 1 || sum.PerSite[2].Visits != 1 {
		t.Errorf("visitors=%d site1=%d returning=%d site2 visits=%d", sum.Visitors,
			sum.PerSite[1].Visitors, sum.PerSite[1].ReturningVisitors, sum.PerSite[2].Visits)
	}
}
