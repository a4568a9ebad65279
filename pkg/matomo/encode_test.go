package matomo

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestAppendQueryParams(t *testing.T) {
	stockholm := time.FixedZone("CET", 3600)
	cdt := time.Date(2026, 1, 2, 15, 4, 5, 0, stockholm) // 14:04:05 UTC
	tests := []struct {
		name string
		req  Request
		want url.Values // every parameter expected, nothing else
	}{
		{
			// The minimum: site, rec and apiv only.
			name: "bare hit",
			req:  Request{SiteID: 3},
			want: url.Values{"idsite": {"3"}, "rec": {"1"}, "apiv": {"1"}},
		},
		{
			// A page view with everything a visitor's browser sends; cdt goes out in UTC.
			name: "full page view",
			req: Request{SiteID: 1, VisitorID: "0123456789abcdef", URL: "https://shop.example/a b?utm_campaign=x&q=1",
				ActionName: "Shop / Shoes & Boots", Referrer: "https://www.google.com/", Time: cdt,
				UserAgent: "Mozilla/5.0 (X11)", Lang: "sv-SE,sv;q=0.9", Resolution: "1920x1080",
				LocalTime: time.Date(2026, 1, 2, 9, 8, 7, 0, time.UTC), IP: "10.1.2.3", NewVisit: true,
				PageViewID: "aB3dE6", Dimensions: []Dimension{{ID: 2, Value: "gold"}}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "cid": {"0123456789abcdef"},
				"url": {"https://shop.example/a b?utm_campaign=x&q=1"}, "action_name": {"Shop / Shoes & Boots"},
				"urlref": {"https://www.google.com/"}, "cdt": {"2026-01-02 14:04:05"}, "ua": {"Mozilla/5.0 (X11)"},
				"lang": {"sv-SE,sv;q=0.9"}, "res": {"1920x1080"}, "h": {"9"}, "m": {"8"}, "s": {"7"},
				"cip": {"10.1.2.3"}, "new_visit": {"1"}, "pv_id": {"aB3dE6"}, "dimension2": {"gold"}},
		},
		{
			// Page timings go out as whole milliseconds; a 0 ms network time is sent too.
			name: "page timings",
			req:  Request{Timings: Timings{Network: 0, Server: 120, Transfer: 35, DOMProcessing: 410, DOMCompletion: 380, OnLoad: 12, Set: true}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}, "pf_net": {"0"}, "pf_srv": {"120"}, "pf_tfr": {"35"},
				"pf_dm1": {"410"}, "pf_dm2": {"380"}, "pf_onl": {"12"}},
		},
		{
			// Timings not set are not sent (Matomo's default is -1, "unknown").
			name: "no page timings",
			req:  Request{Timings: Timings{Server: 120}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}},
		},
		{
			// A content impression, then the same block clicked.
			name: "content impression",
			req:  Request{URL: "https://x.example/", Content: &Content{Name: "Hero banner", Piece: "/media/hero.jpg", Target: "https://x.example/pricing"}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}, "url": {"https://x.example/"}, "c_n": {"Hero banner"},
				"c_p": {"/media/hero.jpg"}, "c_t": {"https://x.example/pricing"}},
		},
		{
			name: "content interaction",
			req:  Request{Content: &Content{Name: "Hero banner", Piece: "Sale", Interaction: "click"}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}, "c_n": {"Hero banner"}, "c_p": {"Sale"}, "c_i": {"click"}},
		},
		{
			// Cookie counts are unix seconds counted back from cdt.
			name: "returning visitor's cookie",
			req:  Request{Time: cdt, Cookie: Cookie{Count: 3, FirstAgo: 86400, LastAgo: 3600, RefAgo: 86400}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}, "cdt": {"2026-01-02 14:04:05"}, "_idvc": {"3"},
				"_idts": {"1767276245"}, "_viewts": {"1767359045"}, "_refts": {"1767276245"}},
		},
		{
			// Without cdt there is no time to count back from, so no cookie counts.
			name: "cookie without time",
			req:  Request{Cookie: Cookie{Count: 3, FirstAgo: 86400, LastAgo: 3600}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}},
		},
		{
			// uid, _ref and visit-scope dimensions ride with the visitor's encoded parameters.
			name: "visitor params with more",
			req: Request{Visitor: NewVisitorParams("0123456789abcdef", "UA", "", "").WithUserID("user-42").
				With("_ref", "https://www.google.com/?q=a b").With("empty", "").WithDimension(3, "gold")},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}, "cid": {"0123456789abcdef"}, "ua": {"UA"}, "uid": {"user-42"},
				"_ref": {"https://www.google.com/?q=a b"}, "dimension3": {"gold"}},
		},
		{
			// An event with a value of zero still sends e_v, because HasValue says so.
			name: "event with zero value",
			req:  Request{Event: Event{Category: "Video", Action: "Play", Name: "Intro", HasValue: true}},
			want: url.Values{"rec": {"1"}, "apiv": {"1"}, "e_c": {"Video"}, "e_a": {"Play"}, "e_n": {"Intro"}, "e_v": {"0"}},
		},
		{
			// An event without an action is not an event for Matomo, so nothing of it is sent.
			name: "incomplete event",
			req:  Request{SiteID: 1, Event: Event{Category: "Video"}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}},
		},
		{
			// Site search with "no results" sends search_count=0.
			name: "search without results",
			req:  Request{SiteID: 1, Search: Search{Keyword: "red shoes", Category: "Shoes", HasCount: true}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "search": {"red shoes"},
				"search_cat": {"Shoes"}, "search_count": {"0"}},
		},
		{
			// Site search with an unknown count omits search_count.
			name: "search count omitted",
			req:  Request{SiteID: 1, Search: Search{Keyword: "boots", Count: 12}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "search": {"boots"}},
		},
		{
			// A goal with revenue, amounts with two decimals.
			name: "goal",
			req:  Request{SiteID: 1, Goal: Goal{ID: 4, Revenue: 12.5}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "idgoal": {"4"}, "revenue": {"12.50"}},
		},
		{
			// An order wins over a goal: only one idgoal can go out.
			name: "order with items",
			req: Request{SiteID: 1, Goal: Goal{ID: 4}, Order: Order{ID: "o-1", Revenue: 110, Subtotal: 100, Tax: 25,
				Shipping: 10, Discount: 25, Items: []Item{{SKU: "S1", Name: `The "Best" Shoe`, Category: "Shoes/Boots", Price: 50, Quantity: 2}}}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "idgoal": {"0"}, "ec_id": {"o-1"},
				"ec_items": {`[["S1","The \"Best\" Shoe","Shoes/Boots",50.00,2]]`}, "revenue": {"110.00"},
				"ec_st": {"100.00"}, "ec_tx": {"25.00"}, "ec_sh": {"10.00"}, "ec_dt": {"25.00"}},
		},
		{
			// Outlink, download and ping travel as flags/URLs; extras come last, escaped.
			name: "flags and extras",
			req: Request{SiteID: 1, Ping: true, Link: "https://out.example/", Download: "https://x/f.pdf",
				Extra: []Param{{Key: "bots", Value: "1"}, {Key: "c n", Value: "a&b"}}},
			want: url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "ping": {"1"}, "link": {"https://out.example/"},
				"download": {"https://x/f.pdf"}, "bots": {"1"}, "c n": {"a&b"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := string(tt.req.AppendQuery(nil))
			got, err := url.ParseQuery(q)
			if err != nil {
				t.Fatalf("query %q does not parse: %v", q, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("query %q\n got %v\nwant %v", q, got, tt.want)
			}
			if !strings.HasPrefix(strings.TrimPrefix(q, "idsite="+tt.want.Get("idsite")+"&"), "rec=1&apiv=1") {
				t.Errorf("query %q does not start with idsite, rec, apiv", q)
			}
		})
	}
}

// TestAppendQueryItemsJSON checks ec_items is real JSON, whatever the names hold.
func TestAppendQueryItemsJSON(t *testing.T) {
	items := []Item{
		{SKU: "A", Name: "plain", Category: "C", Price: 1.005, Quantity: 1},
		{SKU: `q"uo\te`, Name: "tab\there\nnew", Category: "åäö €", Price: 1999.99, Quantity: 3},
	}
	r := Request{Order: Order{ID: "x", Items: items}}
	v, err := url.ParseQuery(string(r.AppendQuery(nil)))
	if err != nil {
		t.Fatal(err)
	}
	var got [][]any
	if err := json.Unmarshal([]byte(v.Get("ec_items")), &got); err != nil {
		t.Fatalf("ec_items %q is not JSON: %v", v.Get("ec_items"), err)
	}
	for i, it := range items {
		want := []any{it.SKU, it.Name, it.Category, got[i][3], float64(it.Quantity)}
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("item %d = %v, want %v", i, got[i], want)
		}
	}
	if !strings.Contains(v.Get("ec_items"), "1999.99") {
		t.Errorf("price not with two decimals: %s", v.Get("ec_items"))
	}
}

// TestAppendQueryNeverToken: the token is a property of the target, never of the hit.
func TestAppendQueryNeverToken(t *testing.T) {
	r := Request{SiteID: 1, IP: "1.2.3.4"}
	if q := string(r.AppendQuery(nil)); strings.Contains(q, "token_auth") || strings.Contains(q, "send_image") {
		t.Errorf("query %q has transport parameters", q)
	}
}

func TestAppendEscapedMatchesQueryEscape(t *testing.T) {
	inputs := []string{"", "abcXYZ019-_.~", "a b+c&d=e/f?g#h%i", "åäö€😀", "\x00\x1f\x7f\xff", "https://x.y/p?q=1&r=2"}
	for _, s := range inputs {
		if got, want := string(appendEscaped(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("appendEscaped(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzAppendEscaped(f *testing.F) {
	f.Add("a b&c")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendEscaped(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("appendEscaped(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestKind(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want Kind
	}{
		// A plain hit is a page view.
		{"pageview", Request{URL: "https://x/"}, KindPageview},
		// An event needs both category and action.
		{"event", Request{Event: Event{Category: "c", Action: "a"}}, KindEvent},
		// Category alone is still a page view.
		{"half event", Request{Event: Event{Category: "c"}}, KindPageview},
		// A keyword makes a site search.
		{"search", Request{Search: Search{Keyword: "k"}}, KindSearch},
		// Outlink beats event, as in Matomo.
		{"outlink", Request{Link: "https://o/", Event: Event{Category: "c", Action: "a"}}, KindOutlink},
		// Download beats outlink, as in Matomo.
		{"download", Request{Download: "https://d/", Link: "https://o/"}, KindDownload},
		// A goal conversion records no action.
		{"goal", Request{Goal: Goal{ID: 2}, URL: "https://x/"}, KindGoal},
		// An order beats a goal.
		{"order", Request{Order: Order{ID: "1"}, Goal: Goal{ID: 2}}, KindEcommerce},
		// A cart update is ecommerce too.
		{"cart", Request{Order: Order{Items: []Item{{SKU: "s"}}}}, KindEcommerce},
		// A ping only extends the visit.
		{"ping", Request{Ping: true, URL: "https://x/"}, KindPing},
		// Content beats site search, and an event beats content, as in Matomo.
		{"content", Request{Content: &Content{Name: "n"}, Search: Search{Keyword: "k"}}, KindContent},
		{"event over content", Request{Content: &Content{Name: "n"}, Event: Event{Category: "c", Action: "a"}}, KindEvent},
	}
	for _, tt := range tests {
		if got := tt.req.Kind(); got != tt.want {
			t.Errorf("%s: Kind() = %v, want %v", tt.name, got, tt.want)
		}
	}
	if KindPing.String() != "ping" || KindContent.String() != "content" || Kind(99).String() != "unknown" {
		t.Errorf("Kind names: %q %q %q", KindPing, KindContent, Kind(99))
	}
}

// typicalRequest is a realistic page view with a few extras, for benchmarks and alloc checks.
func typicalRequest() *Request {
	return &Request{
		SiteID: 1, VisitorID: "0123456789abcdef", URL: "https://shop.example.com/category/shoes?utm_source=newsletter&utm_campaign=spring",
		ActionName: "Shoes / Spring collection", Referrer: "https://www.google.com/search?q=spring+shoes",
		Time: time.Date(2026, 3, 1, 12, 30, 45, 0, time.UTC), UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
		Lang: "sv-SE,sv;q=0.9,en;q=0.8", Resolution: "1920x1080", LocalTime: time.Date(2026, 3, 1, 13, 30, 45, 0, time.UTC),
		PageViewID: "a1B2c3", Dimensions: []Dimension{{ID: 1, Value: "member"}},
	}
}

func TestAppendQueryDoesNotAllocate(t *testing.T) {
	r := typicalRequest()
	r.Order = Order{ID: "o1", Revenue: 10, Items: []Item{{SKU: "s", Name: "n", Category: "c", Price: 10, Quantity: 1}}}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = r.AppendQuery(buf[:0]) }); n != 0 {
		t.Errorf("AppendQuery allocates %v times per call with a big enough buffer", n)
	}
}

// richRequest is a page view as the visit model now sends it to a returning member: timings,
// cookie counts, uid and _ref.
func richRequest() *Request {
	r := typicalRequest()
	r.Visitor = NewVisitorParams(r.VisitorID, r.UserAgent, r.Lang, r.Resolution).WithUserID("user-4f1c2a9b7d").
		With("_ref", "https://www.google.com/")
	r.VisitorID, r.UserAgent, r.Lang, r.Resolution = "", "", "", ""
	r.Timings = Timings{Network: 18, Server: 140, Transfer: 31, DOMProcessing: 320, DOMCompletion: 410, OnLoad: 14, Set: true}
	r.Cookie = Cookie{Count: 3, FirstAgo: 864000, LastAgo: 86400, RefAgo: 864000}
	return r
}

func TestAppendQueryRichDoesNotAllocate(t *testing.T) {
	r := richRequest()
	r.Content = &Content{Name: "Hero banner", Piece: "/media/hero.jpg", Target: "https://x.example/", Interaction: "click"}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = r.AppendQuery(buf[:0]) }); n != 0 {
		t.Errorf("AppendQuery allocates %v times per call with a big enough buffer", n)
	}
}

// BenchmarkAppendQueryRich encodes richRequest.
func BenchmarkAppendQueryRich(b *testing.B) {
	r := richRequest()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.AppendQuery(buf[:0])
	}
}

func BenchmarkAppendQuery(b *testing.B) {
	r := typicalRequest()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.AppendQuery(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkURLValues is the url.Values way, for comparison with BenchmarkAppendQuery.
func BenchmarkURLValues(b *testing.B) {
	r := typicalRequest()
	b.ReportAllocs()
	for b.Loop() {
		v := url.Values{"idsite": {"1"}, "rec": {"1"}, "apiv": {"1"}, "cid": {r.VisitorID}, "url": {r.URL},
			"action_name": {r.ActionName}, "urlref": {r.Referrer}, "cdt": {r.Time.UTC().Format(time.DateTime)},
			"ua": {r.UserAgent}, "lang": {r.Lang}, "res": {r.Resolution}, "pv_id": {r.PageViewID}, "dimension1": {"member"}}
		_ = v.Encode()
	}
}

// VisitorParams encode exactly what the separate fields would.
func TestVisitorParams(t *testing.T) {
	ua := `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36`
	a := Request{SiteID: 1, VisitorID: "0123456789abcdef", UserAgent: ua, Lang: "sv-se,sv;q=0.9", Resolution: "1920x1080", URL: "https://example.test/"}
	b := Request{SiteID: 1, Visitor: NewVisitorParams("0123456789abcdef", ua, "sv-se,sv;q=0.9", "1920x1080"), URL: "https://example.test/"}
	qa, err := url.ParseQuery(string(a.AppendQuery(nil)))
	if err != nil {
		t.Fatal(err)
	}
	qb, err := url.ParseQuery(string(b.AppendQuery(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(qa, qb) {
		t.Fatalf("fields %v\nparams %v", qa, qb)
	}
	if (VisitorParams{}).IsZero() != true || b.Visitor.IsZero() {
		t.Fatal("IsZero")
	}
}
