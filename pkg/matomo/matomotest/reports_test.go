package matomotest

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// hitAt builds a tracking request of a visitor at an offset from a fixed start, with extra
// parameters already encoded.
func hitAt(cid string, at time.Duration, extra string) string {
	start := testNow.Add(-72 * time.Hour)
	return "?idsite=1&rec=1&cid=" + cid + "&cdt=" + cdt(start.Add(at)) + extra
}

// landing is a url parameter for a landing page with the given raw query.
func landing(query string) string {
	return "&url=" + url.QueryEscape("https://site1.example/offers?"+query)
}

// sendBulk posts requests in one bulk with the token and fails the test on a non-200 reply.
func sendBulk(t *testing.T, s *Server, reqs ...string) {
	t.Helper()
	if r := post(t, s, "", "application/json", bulkOf(testToken, reqs...)); r.status != 200 {
		t.Fatalf("bulk answered %d: %s", r.status, r.body)
	}
}

func TestCampaignCounts(t *testing.T) {
	s := newTestServer(t, Options{})
	sendBulk(t, s,
		// mtm form with every field; the name is lower-cased as Matomo stores it.
		hitAt("a000000000000001", 0, landing("mtm_campaign=Spring_Sale&mtm_source=newsletter&mtm_medium=email&mtm_keyword=Shoes&mtm_content=hero&mtm_cid=c1")),
		// Later hits of the visit carry no campaign and do not change it.
		hitAt("a000000000000001", time.Minute, "&url=https%3A%2F%2Fsite1.example%2Fnext"),
		// The legacy pk_campaign form, and pk_cpn, which Matomo reads first.
		hitAt("a000000000000002", 0, landing("pk_campaign=spring_sale&pk_source=newsletter&pk_medium=email&pk_kwd=shoes")),
		hitAt("a000000000000003", 0, landing("mtm_campaign=ignored&pk_cpn=Black+Friday")),
		// A campaign in the fragment counts too.
		hitAt("a000000000000004", 0, "&url="+url.QueryEscape("https://site1.example/#mtm_campaign=hash_camp")),
		// A blank campaign name is no campaign; utm_source names one when nothing else does.
		hitAt("a000000000000005", 0, landing("mtm_campaign=%20")),
		hitAt("a000000000000006", 0, landing("utm_source=partner")),
		// A campaign on a later hit of a visit does not attribute the visit.
		hitAt("a000000000000007", 0, "&url=https%3A%2F%2Fsite1.example%2F"),
		hitAt("a000000000000007", time.Minute, landing("mtm_campaign=late")),
	)
	sum := s.Summary()
	want := map[string]int{"spring_sale": 2, "black friday": 1, "hash_camp": 1, "partner": 1}
	if !reflect.DeepEqual(sum.Campaigns, want) {
		t.Errorf("Campaigns = %v, want %v", sum.Campaigns, want)
	}
	if p := sum.CampaignParams; p["mtm_campaign"] != 2 || p["pk_campaign"] != 1 || p["pk_cpn"] != 1 || p["utm_source"] != 1 {
		t.Errorf("CampaignParams = %v", p)
	}
	if sum.CampaignKeywords["shoes"] != 2 || sum.CampaignSources["newsletter"] != 2 || sum.CampaignMediums["email"] != 2 {
		t.Errorf("keywords %v sources %v mediums %v", sum.CampaignKeywords, sum.CampaignSources, sum.CampaignMediums)
	}
	if f := sum.CampaignFields; f["keyword"] != 2 || f["content"] != 1 || f["cid"] != 1 {
		t.Errorf("CampaignFields = %v", f)
	}
	if d := sum.PerSite[1].Days[testNow.Add(-72*time.Hour).Format(time.DateOnly)]; d.CampaignVisits != 5 || d.Visits != 7 {
		t.Errorf("day: %d campaign visits of %d, want 5 of 7", d.CampaignVisits, d.Visits)
	}
	if got := sum.PerSite[1].Campaigns["spring_sale"]; got != 2 {
		t.Errorf("per-site spring_sale = %d", got)
	}
}

func TestGoalConversions(t *testing.T) {
	s := newTestServer(t, Options{
		Goals:    map[int][]int{1: {3}},
		GoalDefs: map[int][]Goal{1: {{ID: 1, Name: "Signup", Revenue: 5}, {ID: 2, Name: "Download", AllowMultiple: true}}},
	})
	page := "&url=https%3A%2F%2Fsite1.example%2F"
	sendBulk(t, s,
		hitAt("b000000000000001", 0, page),
		// The goal's default revenue applies without a revenue parameter; a second conversion of a
		// once-per-visit goal in the same visit is ignored.
		hitAt("b000000000000001", time.Second, "&idgoal=1"),
		hitAt("b000000000000001", 2*time.Second, "&idgoal=1&revenue=9"),
		// A goal that allows several conversions counts each; the request's revenue wins.
		hitAt("b000000000000001", 3*time.Second, "&idgoal=2&revenue=1.5"),
		hitAt("b000000000000001", 4*time.Second, "&idgoal=2&revenue=1.5"),
		// A goal given by id only exists too.
		hitAt("b000000000000002", 0, page+"&idgoal=3"),
		// A new visit of the same visitor may convert goal 1 again.
		hitAt("b000000000000001", 2*time.Hour, page),
		hitAt("b000000000000001", 2*time.Hour+time.Second, "&idgoal=1&revenue=7"),
	)
	// An unknown goal is a 400, as in Matomo ("idGoal 9 does not exist").
	if r := get(t, s, "idsite=1&rec=1&cid=b000000000000003&idgoal=9"); r.status != 400 || lastRecord(t, s).Reason != ReasonUnknownGoal {
		t.Errorf("unknown goal: status %d reason %q", r.status, lastRecord(t, s).Reason)
	}
	sum := s.Summary()
	if want := map[int]int{1: 2, 2: 2, 3: 1}; !reflect.DeepEqual(sum.GoalConversions, want) {
		t.Errorf("GoalConversions = %v, want %v", sum.GoalConversions, want)
	}
	if want := map[int]float64{1: 12, 2: 3, 3: 0}; !reflect.DeepEqual(sum.GoalRevenue, want) {
		t.Errorf("GoalRevenue = %v, want %v", sum.GoalRevenue, want)
	}
	if sum.InvalidByReason[ReasonUnknownGoal] != 1 {
		t.Errorf("InvalidByReason = %v", sum.InvalidByReason)
	}
	// Goals.get counts them too: all goals, or one.
	day := testNow.Add(-72 * time.Hour).Format(time.DateOnly)
	for goal, want := range map[string]string{"": `"nb_conversions":5`, "1": `"nb_conversions":2`, "2": `"revenue":3`} {
		r := api(t, s, "Goals.get", url.Values{"idSite": {"1"}, "period": {"day"}, "date": {day}, "idGoal": {goal}}, testToken)
		if !strings.Contains(r.body, want) {
			t.Errorf("Goals.get idGoal=%q: %s, want %s", goal, r.body, want)
		}
	}
}

func TestContentAndPerformanceCounts(t *testing.T) {
	s := newTestServer(t, Options{})
	page := "&url=https%3A%2F%2Fsite1.example%2F"
	sendBulk(t, s,
		hitAt("c000000000000001", 0, page+"&pf_net=20&pf_srv=150&pf_tfr=30&pf_dm1=400&pf_dm2=300&pf_onl=20"),
		hitAt("c000000000000001", time.Second, page+"&pf_net=40&pf_srv=-1"),
		// Absurd values are dropped without an error; timings on non-pageviews are not stored.
		hitAt("c000000000000001", 2*time.Second, page+"&pf_onl=99999999"),
		hitAt("c000000000000001", 3*time.Second, page+"&e_c=ui&e_a=click&pf_net=10"),
		hitAt("c000000000000001", 4*time.Second, page+"&c_n=Hero+Banner&c_p=spring.jpg&c_t=https%3A%2F%2Fsite1.example%2Fsale"),
		hitAt("c000000000000001", 5*time.Second, page+"&c_n=Hero+Banner&c_p=spring.jpg&c_i=click"),
		hitAt("c000000000000001", 6*time.Second, page+"&c_n=Sidebar"),
	)
	// A negative timing other than -1 is rejected, as Matomo's PagePerformance does.
	if r := get(t, s, "idsite=1&rec=1&cid=c000000000000002&pf_srv=-5"); r.status != 400 || lastRecord(t, s).Reason != ReasonBadPerformance {
		t.Errorf("negative timing: status %d reason %q", r.status, lastRecord(t, s).Reason)
	}
	sum := s.Summary()
	if sum.PerformancePageviews != 2 || sum.PerformanceIgnored != 2 {
		t.Errorf("pageviews with timings %d, ignored %d; want 2 and 2", sum.PerformancePageviews, sum.PerformanceIgnored)
	}
	if net := sum.Performance["pf_net"]; net != (PerfStats{Count: 2, Min: 20, Max: 40, Sum: 60}) || net.Mean() != 30 {
		t.Errorf("pf_net = %+v", net)
	}
	if srv := sum.Performance["pf_srv"]; srv.Count != 1 || sum.Performance["pf_onl"].Count != 1 {
		t.Errorf("pf_srv %+v pf_onl %+v", srv, sum.Performance["pf_onl"])
	}
	if sum.ContentImpressions != 2 || sum.ContentInteractions != 1 || sum.ContentPieces != 2 || sum.ContentTargets != 1 {
		t.Errorf("content: %d impressions %d interactions %d pieces %d targets", sum.ContentImpressions,
			sum.ContentInteractions, sum.ContentPieces, sum.ContentTargets)
	}
	want := map[string]ContentCount{"Hero Banner": {Impressions: 1, Interactions: 1}, "Sidebar": {Impressions: 1}}
	if !reflect.DeepEqual(sum.Contents, want) {
		t.Errorf("Contents = %v, want %v", sum.Contents, want)
	}
}

func TestUserIDCounts(t *testing.T) {
	s := newTestServer(t, Options{})
	phone := "&ua=" + url.QueryEscape("Mozilla/5.0 (iPhone)") + "&res=390x844"
	desk := "&ua=" + url.QueryEscape("Mozilla/5.0 (Windows NT 10.0)") + "&res=1920x1080"
	sendBulk(t, s,
		hitAt("d000000000000001", 0, "&uid=alice"+desk),
		hitAt("d000000000000002", 3*time.Hour, "&uid=alice"+phone),
		hitAt("d000000000000003", 0, "&uid=bob"+desk),
		hitAt("d000000000000003", 3*time.Hour, "&uid=bob"+desk),
		hitAt("d000000000000004", 0, desk),
	)
	sum := s.Summary()
	if sum.UserIDs != 2 || sum.VisitsWithUserID != 4 || sum.CrossDeviceUserIDs != 1 {
		t.Errorf("user ids %d, visits with uid %d, cross-device %d; want 2, 4, 1", sum.UserIDs, sum.VisitsWithUserID, sum.CrossDeviceUserIDs)
	}
	// The uid is the visitor id, so alice's second device is her returning visit.
	if sum.Visitors != 3 || sum.ReturningVisits != 2 {
		t.Errorf("visitors %d returning visits %d; want 3 and 2", sum.Visitors, sum.ReturningVisits)
	}
}

func TestDimensionCounts(t *testing.T) {
	s := newTestServer(t, Options{Dimensions: map[int][]Dimension{1: {
		{ID: 1, Scope: ScopeVisit}, {ID: 2, Scope: ScopeAction}, {ID: 3, Scope: ScopeVisit, Inactive: true},
	}}})
	page := "&url=https%3A%2F%2Fsite1.example%2F"
	sendBulk(t, s,
		// Visit scope: the last value a hit of the visit sets is the visit's.
		hitAt("e000000000000001", 0, page+"&dimension1=free&dimension2=blog"),
		hitAt("e000000000000001", time.Second, page+"&dimension1=pro&dimension2=docs"),
		hitAt("e000000000000001", 2*time.Second, page+"&dimension2=docs&dimension3=x&dimension7=y"),
		hitAt("e000000000000002", 0, page+"&dimension1=free"),
		// Values are trimmed; an empty value is not counted; goals carry no action dimension.
		hitAt("e000000000000003", 0, page+"&dimension1=%20free%20&dimension2="),
		hitAt("e000000000000004", 0, page+"&dimension1="),
		hitAt("e000000000000004", time.Second, "&ping=1&dimension2=docs"),
	)
	sum := s.Summary()
	want := map[int]map[string]int{1: {"pro": 1, "free": 2}, 2: {"blog": 1, "docs": 2}}
	if !reflect.DeepEqual(sum.Dimensions, want) {
		t.Errorf("Dimensions = %v, want %v", sum.Dimensions, want)
	}
	if want := map[int]int{3: 1, 7: 1}; !reflect.DeepEqual(sum.IgnoredDimensions, want) {
		t.Errorf("IgnoredDimensions = %v, want %v", sum.IgnoredDimensions, want)
	}
}

func TestEngagementCounts(t *testing.T) {
	s := newTestServer(t, Options{Goals: map[int][]int{1: {2}}})
	page := "&url=https%3A%2F%2Fsite1.example%2F"
	var reqs []string
	// One visit per duration; a visit of d seconds has hits at 0, about d/2 and d-1 (never 30
	// minutes apart, which would end the visit), so visit_total_time = d.
	durations := []int{0, 10, 11, 30, 31, 60, 61, 120, 121, 240, 241, 420, 421, 600, 601, 900, 901, 1800, 1801, 1790}
	for i, d := range durations {
		cid := fmt.Sprintf("f%015x", i)
		reqs = append(reqs, hitAt(cid, 0, page))
		if d > 0 {
			reqs = append(reqs, hitAt(cid, time.Duration((d-1)/2)*time.Second, page), hitAt(cid, time.Duration(d-1)*time.Second, page))
		}
	}
	// A bounce with a ping: one action, 40 seconds.
	reqs = append(reqs, hitAt("f100000000000000", 0, page), hitAt("f100000000000000", 39*time.Second, "&ping=1"))
	// A visit ending with a conversion of goal 2 is idgoal + 2 seconds longer, as in Matomo 5.0.2
	// (observed: hits at 0 and 40 s made 45 s); here hits at 0 and 8 s make 13 s, not 9 s. A content
	// impression is no action.
	reqs = append(reqs, hitAt("f200000000000000", 0, page), hitAt("f200000000000000", 5*time.Second, page+"&c_n=Hero"),
		hitAt("f200000000000000", 8*time.Second, "&idgoal=2"))
	sendBulk(t, s, reqs...)
	sum := s.Summary()
	want := map[string]int{
		"0-10s": 2, "11-30s": 3, "31-60s": 3, "1-2min": 3, "2-4min": 3, "4-7min": 3, "7-10min": 3,
		"10-15min": 3, "15-30min": 4, "30+min": 1,
	}
	if !reflect.DeepEqual(sum.VisitLength, want) {
		t.Errorf("VisitLength = %v\nwant %v", sum.VisitLength, want)
	}
	day := sum.PerSite[1].Days[testNow.Add(-72*time.Hour).Format(time.DateOnly)]
	if !reflect.DeepEqual(day.VisitLength, want) || day.Bounces != 3 {
		t.Errorf("day: visit length %v, bounces %d", day.VisitLength, day.Bounces)
	}
	if sum.Bounces != 3 {
		t.Errorf("Bounces = %d, want 3 (the one-hit visit, the visit with a ping, the one page view with content and a goal)", sum.Bounces)
	}
}

func TestReturningCounts(t *testing.T) {
	s := newTestServer(t, Options{})
	page := "&url=https%3A%2F%2Fsite1.example%2F"
	day := 24 * time.Hour
	sendBulk(t, s,
		// A first visit, then returns after 1 hour (days since last 0) and 2 days (days since the
		// previous visit's start: 1).
		hitAt("0a00000000000001", 0, page),
		hitAt("0a00000000000001", time.Hour, page),
		hitAt("0a00000000000001", 2*day, page),
		// The browser's cookie counters do not make a visit returning: Matomo 5 reads its own
		// log_visit only.
		hitAt("0a00000000000002", 0, page+"&_idvc=5&_idts=1600000000&_viewts=1700000000"),
		// An order makes the buyer's next visit a returning customer's.
		hitAt("0a00000000000003", 0, page+"&idgoal=0&ec_id=o1&revenue=10"),
		hitAt("0a00000000000003", day, page),
	)
	sum := s.Summary()
	if sum.Visits != 6 || sum.ReturningVisits != 4 || sum.ReturningCustomerVisits != 2 {
		t.Errorf("visits %d returning %d returning customers %d; want 6, 4, 2 (an order makes its own visit a returning customer's too)",
			sum.Visits, sum.ReturningVisits, sum.ReturningCustomerVisits)
	}
	days := 0
	for _, d := range sum.PerSite[1].Days {
		days += d.ReturningVisits
	}
	if days != 4 {
		t.Errorf("returning visits over the days = %d, want 4", days)
	}
	if want := map[string]int{"0": 1, "1": 1}; !reflect.DeepEqual(sum.DaysSinceLastVisit, want) {
		t.Errorf("DaysSinceLastVisit = %v, want %v", sum.DaysSinceLastVisit, want)
	}
	// Live reports the visitor type the same way.
	for _, v := range liveVisits(t, s, "&filter_limit=-1") {
		if v.VisitorID == "0a00000000000002" && v.VisitorType != "new" {
			t.Errorf("cookie counters made visit %s %s", v.IDVisit, v.VisitorType)
		}
	}
}

func TestGoalsAndDimensionsAPI(t *testing.T) {
	s := newTestServer(t, Options{
		Sites: []int{1, 2}, ViewTokens: []string{viewToken},
		GoalDefs:   map[int][]Goal{1: {{ID: 2, Name: "Trial", Revenue: 12.5, AllowMultiple: true}}},
		Goals:      map[int][]int{1: {1}},
		Dimensions: map[int][]Dimension{1: {{ID: 4, Scope: ScopeAction, Name: "Author"}, {ID: 1, Scope: ScopeVisit, Inactive: true}}},
	})
	tests := []struct {
		name, method, site, token string
		status                    int
		want                      string
	}{
		{"goals in id order, with numbers as Matomo 5.0.2 renders them", "Goals.getGoals", "1", viewToken, 200,
			`[{"idsite":1,"idgoal":1,"name":"Goal 1","description":"","match_attribute":"manually","allow_multiple":0,"revenue":0,"deleted":0,"event_value_as_revenue":0},` +
				`{"idsite":1,"idgoal":2,"name":"Trial","description":"","match_attribute":"manually","allow_multiple":1,"revenue":12.5,"deleted":0,"event_value_as_revenue":0}]`},
		{"a site without goals answers []", "Goals.getGoals", "2", testToken, 200, `[]`},
		{"goals need a token", "Goals.getGoals", "1", "", 401, "~requires view access"},
		{"goals of an unknown site", "Goals.getGoals", "9", testToken, 200, `~"result":"error"`},
		{"dimensions in id order, inactive ones included", "CustomDimensions.getConfiguredCustomDimensions", "1", viewToken, 200,
			`[{"idcustomdimension":"1","idsite":"1","name":"Dimension 1","index":"1","scope":"visit","active":false,"extractions":[],"case_sensitive":true},` +
				`{"idcustomdimension":"4","idsite":"1","name":"Author","index":"1","scope":"action","active":true,"extractions":[],"case_sensitive":true}]`},
		{"a site without dimensions answers []", "CustomDimensions.getConfiguredCustomDimensions", "2", testToken, 200, `[]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := api(t, s, tc.method, url.Values{"idSite": {tc.site}}, tc.token)
			checkReply(t, r, tc.status, tc.want)
		})
	}
}

func TestOptionsRejectBadGoalsAndDimensions(t *testing.T) {
	for _, o := range []Options{
		{GoalDefs: map[int][]Goal{1: {{ID: 0}}}},
		{Goals: map[int][]int{1: {-1}}},
		{Dimensions: map[int][]Dimension{1: {{ID: 1, Scope: "page"}}}},
		{Dimensions: map[int][]Dimension{1: {{ID: 1, Scope: ScopeVisit}, {ID: 1, Scope: ScopeAction}}}},
	} {
		if _, err := resolveSites(o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

func TestBotsExcluded(t *testing.T) {
	tests := []struct {
		ua  string
		bot bool
	}{
		{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", true},
		{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", true},
		{"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)", true},
		{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true},
		{"Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)", true},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", false},
		{"Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", false},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", false},
	}
	for _, tt := range tests {
		if IsBot(tt.ua) != tt.bot {
			t.Errorf("IsBot(%q) = %v, want %v", tt.ua, !tt.bot, tt.bot)
		}
	}
	s := newTestServer(t, Options{})
	bot := "&ua=" + url.QueryEscape(tests[0].ua)
	sendBulk(t, s,
		hitAt("0b00000000000001", 0, "&url=https%3A%2F%2Fsite1.example%2F"+bot),
		// bots=1 asks Matomo to track a bot anyway.
		hitAt("0b00000000000002", 0, "&url=https%3A%2F%2Fsite1.example%2F&bots=1"+bot),
	)
	sum := s.Summary()
	if sum.Visits != 1 || sum.Tracked != 2 || sum.ExcludedByReason[ExcludedBot] != 1 {
		t.Errorf("visits %d tracked %d excluded %v; want the bot excluded but tracked", sum.Visits, sum.Tracked, sum.ExcludedByReason)
	}
}
