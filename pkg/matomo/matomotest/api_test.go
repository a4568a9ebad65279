package matomotest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const viewToken = "viewviewviewviewviewviewviewview"

// TestReportingAPI checks the Reporting API methods and their errors, reply by reply.
func TestReportingAPI(t *testing.T) {
	s := newTestServer(t, Options{
		Sites: []int{1, 3}, ViewTokens: []string{viewToken}, Version: "5.0.2",
		SiteInfo: map[int]Site{3: {Name: "Shop", MainURL: "https://shop.example", Timezone: "Europe/Stockholm", Currency: "EUR", NoEcommerce: true}},
	})
	noAccess := `{"message":"You can't access this resource as it requires view access for at least one website.","result":"error"}`
	tests := []struct {
		name   string // what the row shows
		method string
		params url.Values
		token  string
		status int
		want   string // exact JSON, or a substring when prefixed with "~"
	}{
		{"the version with the token in the body", "API.getMatomoVersion", nil, testToken, 200, `{"value":"5.0.2"}`},
		{"a view token may read the version", "API.getMatomoVersion", nil, viewToken, 200, `{"value":"5.0.2"}`},
		{"no token is refused", "API.getMatomoVersion", nil, "", 401, noAccess},
		{"a wrong token is refused", "API.getMatomoVersion", nil, "nope", 401, noAccess},
		{"a site with Matomo's string-typed fields", "SitesManager.getSiteFromId", url.Values{"idSite": {"3"}}, testToken, 200,
			`~"idsite":"3","name":"Shop","main_url":"https://shop.example","ts_created":"2024-01-01 00:00:00","ecommerce":"0"`},
		{"the site's timezone and currency", "SitesManager.getSiteFromId", url.Values{"idSite": {"3"}}, viewToken, 200,
			`~"timezone":"Europe/Stockholm","currency":"EUR"`},
		{"a default site is an ecommerce site in UTC and SEK", "SitesManager.getSiteFromId", url.Values{"idSite": {"1"}}, testToken, 200,
			`~"ecommerce":"1","sitesearch":"1","sitesearch_keyword_parameters":"","sitesearch_category_parameters":"","timezone":"UTC","currency":"SEK"`},
		{"an unknown site is an error", "SitesManager.getSiteFromId", url.Values{"idSite": {"9"}}, testToken, 200,
			`~"result":"error"`},
		{"an unknown site is no access for a view token", "SitesManager.getSiteFromId", url.Values{"idSite": {"9"}}, viewToken, 401,
			`~requires 'view' access for the website id = 9`},
		{"the site ids", "SitesManager.getSitesIdWithAtLeastViewAccess", nil, viewToken, 200, `[1,3]`},
		{"invalidation answers Matomo's success line", "CoreAdminHome.invalidateArchivedReports",
			url.Values{"idSites": {"1,3"}, "dates": {"2026-01-01,2026-01-02"}, "period": {"day"}}, testToken, 200,
			`["Success. The following dates were invalidated successfully: 2026-01-01, 2026-01-02"]`},
		{"invalidation needs admin access", "CoreAdminHome.invalidateArchivedReports",
			url.Values{"idSites": {"1"}, "dates": {"2026-01-01"}}, viewToken, 401, `~requires 'admin' access`},
		{"invalidation of an unknown site fails", "CoreAdminHome.invalidateArchivedReports",
			url.Values{"idSites": {"7"}, "dates": {"2026-01-01"}}, testToken, 200, `~"result":"error"`},
		{"invalidation of a bad date fails", "CoreAdminHome.invalidateArchivedReports",
			url.Values{"idSites": {"1"}, "dates": {"2026-13-01"}}, testToken, 200, `~"result":"error"`},
		{"an unknown method names itself and its module", "Contents.getContentNames", nil, testToken, 200,
			`{"message":"The method 'getContentNames' does not exist or is not available in the module '\\Piwik\\Plugins\\Contents\\API'.","result":"error"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := api(t, s, tc.method, tc.params, tc.token)
			checkReply(t, r, tc.status, tc.want)
		})
	}
}

// TestAPICallsRecorded checks that calls are recorded with their parameters and without the token,
// whether it came in the body or in the query string.
func TestAPICallsRecorded(t *testing.T) {
	s := newTestServer(t, Options{})
	api(t, s, "CoreAdminHome.invalidateArchivedReports",
		url.Values{"idSites": {"1"}, "dates": {"2026-02-01,2026-02-02"}, "period": {"day"}}, testToken)
	resp, err := http.Get(s.APIURL() + "?module=API&method=API.getMatomoVersion&format=json&token_auth=" + testToken)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	calls := s.APICalls()
	if len(calls) != 2 {
		t.Fatalf("%d calls recorded", len(calls))
	}
	inv := calls[0]
	if inv.Method != "CoreAdminHome.invalidateArchivedReports" || inv.Params.Get("dates") != "2026-02-01,2026-02-02" ||
		inv.Params.Get("idSites") != "1" || !inv.Time.Equal(testNow) {
		t.Errorf("call = %+v", inv)
	}
	for _, c := range calls {
		if c.Params.Has("token_auth") {
			t.Errorf("%s kept the token", c.Method)
		}
	}
	if len(s.Requests()) != 0 {
		t.Error("API calls were recorded as tracking requests")
	}
}

// liveVisits calls Live.getLastVisitsDetails on site 1 with extra raw query parameters.
func liveVisits(t *testing.T, s *Server, extra string) []liveVisit {
	t.Helper()
	r := liveRaw(t, s, extra, testToken)
	var out []liveVisit
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("Live reply %d %s: %v", r.status, r.body, err)
	}
	return out
}

func liveRaw(t *testing.T, s *Server, extra, token string) reply {
	t.Helper()
	u := s.APIURL() + "?module=API&method=Live.getLastVisitsDetails&format=json&idSite=1&filter_limit=-1&" + extra
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader("token_auth="+token))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

// TestLiveVisits checks Live.getLastVisitsDetails against recorded visits.
func TestLiveVisits(t *testing.T) {
	s := newTestServer(t, Options{SiteInfo: map[int]Site{1: {Timezone: "Europe/Stockholm"}}})
	const other = "fedcba9876543210"
	t1 := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	sendHits(t, s, 1,
		at{cidA, t1, ""}, at{cidA, t1.Add(time.Minute), "&e_c=c&e_a=a"}, at{cidA, t1.Add(2 * time.Minute), "&ping=1"},
		at{other, t1.Add(time.Hour), ""},
		at{cidA, t1.Add(3 * time.Hour), ""})
	seg := "segment=" + url.QueryEscape("visitorId=="+cidA+",visitorId=="+other)

	visits := liveVisits(t, s, "period=day&date=2026-03-09&"+seg)
	if len(visits) != 3 {
		t.Fatalf("%d visits, want 3", len(visits))
	}
	newest, first := visits[0], visits[2]
	if newest.VisitorID != cidA || newest.VisitCount != "2" || newest.VisitorType != "returning" || visits[1].VisitorID != other {
		t.Errorf("order or identity wrong: %+v", visits)
	}
	// The ping at +2 min extends the visit's duration but, as in a real Matomo 5, not its last
	// action time.
	if first.FirstActionTimestamp != t1.Unix() || first.LastActionTimestamp != t1.Add(time.Minute).Unix() ||
		first.VisitDuration != 120 ||
		first.Actions != "2" || first.ServerDate != "2026-03-09" || first.IDSite != "1" || first.VisitCount != "1" {
		t.Errorf("first visit = %+v", first)
	}
	if len(first.ActionDetails) != 2 || first.ActionDetails[0].Type != "action" || first.ActionDetails[1].Type != "event" ||
		first.ActionDetails[0].URL != "https://s.example/p0" || first.ActionDetails[0].PageTitle != "P0" ||
		first.ActionDetails[0].Timestamp != t1.Unix() {
		t.Errorf("actionDetails = %+v", first.ActionDetails)
	}

	tests := []struct {
		name  string // what the row shows
		extra string
		count int
	}{
		{"one visitor's segment", "segment=visitorId%3D%3D" + other, 1},
		{"a visitor without visits gives an empty list", "segment=visitorId%3D%3D1111111111111111", 0},
		{"another day has none", "period=day&date=2026-03-08&" + seg, 0},
		{"a range covering the day has all", "period=range&date=2026-03-01,2026-03-31&" + seg, 3},
		{"the month has all", "period=month&date=2026-03-20", 3},
		{"filter_limit cuts the newest", seg + "&filter_limit=1", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := liveVisits(t, s, tc.extra); len(got) != tc.count {
				t.Errorf("%d visits, want %d", len(got), tc.count)
			}
		})
	}
}

// TestLiveErrors checks Live's error replies.
func TestLiveErrors(t *testing.T) {
	s := newTestServer(t, Options{})
	tests := []struct {
		name   string // what the row shows
		extra  string
		token  string
		status int
		want   string
	}{
		{"a visitorId that is not 16 hex is Matomo's exact error", "segment=visitorId%3D%3Dzz", testToken, 200,
			`{"message":"visitorId is expected to be a 16 hex char string","result":"error"}`},
		{"one bad id in an OR list fails the call", "segment=" + url.QueryEscape("visitorId=="+cidA+",visitorId==zz"), testToken, 200,
			`{"message":"visitorId is expected to be a 16 hex char string","result":"error"}`},
		{"no token is refused", "", "", 401,
			`{"message":"You can't access this resource as it requires view access for at least one website.","result":"error"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := liveRaw(t, s, tc.extra, tc.token)
			if r.status != tc.status || r.body != tc.want {
				t.Errorf("%d %s\nwant %d %s", r.status, r.body, tc.status, tc.want)
			}
		})
	}
}

// As a real Matomo 5 shows: a visit whose tail was recorded first and whose head came later (a
// deadlock lost the head, a client re-sent it) keeps the first processed hit as its first action,
// lists every action with its time, and leaves cart updates out of actionDetails.
func TestLiveOutOfOrderHead(t *testing.T) {
	s := newTestServer(t, Options{})
	t1 := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	sendHits(t, s, 1, at{cidA, t1.Add(2 * time.Minute), ""}, at{cidA, t1.Add(3 * time.Minute), "&idgoal=0&ec_items=%5B%5D&revenue=5"})
	sendHits(t, s, 1, at{cidA, t1, ""}, at{cidA, t1.Add(time.Minute), ""})
	visits := liveVisits(t, s, "period=day&date=2026-03-09")
	if len(visits) != 1 {
		t.Fatalf("%d visits, want the head joined to the tail's visit: %+v", len(visits), visits)
	}
	v := visits[0]
	var times []int64
	for _, a := range v.ActionDetails {
		times = append(times, a.Timestamp)
	}
	want := []int64{t1.Unix(), t1.Add(time.Minute).Unix(), t1.Add(2 * time.Minute).Unix()}
	if v.FirstActionTimestamp != t1.Add(2*time.Minute).Unix() || !slices.Equal(times, want) {
		t.Errorf("first action %d, action times %v; want %d and %v", v.FirstActionTimestamp, times, t1.Add(2*time.Minute).Unix(), want)
	}
}
