package matomotest

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	cidA = "0123456789abcdef"
	base = "idsite=1&rec=1&cid=" + cidA + "&url=https%3A%2F%2Fsite1.example%2F&action_name=Home"
)

// TestSingleGETValidation checks every validation rule on a single GET: the status Matomo answers
// with and the reason the server records.
func TestSingleGETValidation(t *testing.T) {
	tok := "&token_auth=" + testToken
	old := cdt(testNow.Add(-72 * time.Hour))
	tests := []struct {
		name   string // what the row shows
		query  string
		status int
		reason string
		valid  bool
	}{
		{"a plain pageview is answered with the GIF", base, 200, "", true},
		{"send_image=0 turns the GIF into 204", base + "&send_image=0", 204, "", true},
		{"missing idsite is an unknown site", "rec=1&cid=" + cidA, 400, ReasonUnknownSite, false},
		{"non-numeric idsite is an unknown site", "idsite=abc&rec=1", 400, ReasonUnknownSite, false},
		{"a site that does not exist is rejected", "idsite=999&rec=1", 400, ReasonUnknownSite, false},
		{"send_image=0 does not mask an error", "idsite=999&rec=1&send_image=0", 400, ReasonUnknownSite, false},
		{"without rec the request is excluded but tracked", "idsite=1&cid=" + cidA, 200, ExcludedNoRec, true},
		{"rec=0 is excluded too", "idsite=1&rec=0", 200, ExcludedNoRec, true},
		{"a short cid is rejected", "idsite=1&rec=1&cid=abc", 400, ReasonBadCID, false},
		{"a 16-char cid that is not hex is rejected", "idsite=1&rec=1&cid=zzzzzzzzzzzzzzzz", 400, ReasonBadCID, false},
		{"an uppercase hex cid is fine", "idsite=1&rec=1&cid=0123456789ABCDEF", 200, "", true},
		{"a junk _id is not rejected", "idsite=1&rec=1&_id=zzzz&send_image=0", 204, "", true},
		{"cip without token is rejected", base + "&cip=10.0.0.1", 400, ReasonCIPWithoutToken, false},
		{"cip with a wrong token is rejected", base + "&cip=10.0.0.1&token_auth=nope", 400, ReasonCIPWithoutToken, false},
		{"cip with the token is accepted", base + "&cip=10.0.0.1" + tok, 200, "", true},
		{"cdt 3 days old without token is rejected", base + "&cdt=" + old, 400, ReasonOldCDTWithoutToken, false},
		{"old cdt with send_image=0 is still rejected", base + "&send_image=0&cdt=" + old, 400, ReasonOldCDTWithoutToken, false},
		{"cdt 3 days old with the token is accepted", base + "&cdt=" + old + tok, 200, "", true},
		{"cdt as unix seconds needs the token as well", base + "&cdt=" + strconv.FormatInt(testNow.Add(-72*time.Hour).Unix(), 10), 400, ReasonOldCDTWithoutToken, false},
		{"cdt exactly 24 hours old needs the token", base + "&cdt=" + cdt(testNow.Add(-24*time.Hour)), 400, ReasonOldCDTWithoutToken, false},
		{"cdt one hour old needs no token", base + "&cdt=" + cdt(testNow.Add(-time.Hour)), 200, "", true},
		{"cdt in the future is ignored", base + "&cdt=" + cdt(testNow.Add(48*time.Hour)), 200, "", true},
		{"cdt over 20 years old is ignored", base + "&cdt=" + cdt(testNow.AddDate(-21, 0, 0)), 200, "", true},
		{"cdo of 3 days needs the token", base + "&cdo=259200", 400, ReasonOldCDTWithoutToken, false},
		{"a geo override without token is rejected", base + "&country=se", 400, ReasonGeoWithoutToken, false},
		{"a geo override with the token is accepted", base + "&lat=59.3&long=18.0" + tok, 200, "", true},
		{"an event needs a category", base + "&e_a=click", 400, ReasonBadEvent, false},
		{"an event needs an action", base + "&e_c=video", 400, ReasonBadEvent, false},
		{"a blank event action does not count", base + "&e_c=video&e_a=%20", 400, ReasonBadEvent, false},
		{"an event name alone is not an event", base + "&e_n=intro", 400, ReasonBadEvent, false},
		{"category and action make an event", base + "&e_c=video&e_a=play&e_n=intro&e_v=3", 200, "", true},
		{"an undefined goal is rejected", base + "&idgoal=5", 400, ReasonUnknownGoal, false},
		{"a defined goal is accepted", base + "&idgoal=1&revenue=10", 200, "", true},
		{"a non-numeric idgoal means no goal", base + "&idgoal=x", 200, "", true},
		{"ecommerce is unknown on a site without it", "idsite=2&rec=1&idgoal=0&ec_id=A1&revenue=5", 400, ReasonUnknownGoal, false},
		{"an order on an ecommerce site is accepted", base + "&idgoal=0&ec_id=A1&revenue=5", 200, "", true},
		{"ec_items must be JSON", base + "&idgoal=0&ec_items=nope", 400, ReasonBadECItems, false},
		{"ec_items must be a list of lists", base + "&idgoal=0&ec_items=" + urlq(`{"sku":"a"}`), 400, ReasonBadECItems, false},
		{"an item needs a sku", base + "&idgoal=0&ec_items=" + urlq(`[["","Name","Cat",1,1]]`), 400, ReasonBadECItems, false},
		{"an item price must be a number", base + "&idgoal=0&ec_items=" + urlq(`[["S1","Name","Cat","cheap",1]]`), 400, ReasonBadECItems, false},
		{"a crawler's user agent is excluded but tracked", base + "&ua=" + urlq("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), 200, ExcludedBot, true},
		{"bots=1 records a crawler", base + "&bots=1&ua=" + urlq("Mozilla/5.0 (compatible; bingbot/2.0)"), 200, "", true},
		{"a browser is no crawler", base + "&ua=" + urlq("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0"), 200, "", true},
		{"well-formed items are accepted", base + "&idgoal=0&ec_id=B2&revenue=30&ec_items=" + urlq(`[["S1","Name",["A","B"],10,2],["S2","Other","C","10.5","1"]]`), 200, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{
				Sites: []int{1, 2}, Goals: map[int][]int{1: {1, 2}},
				SiteInfo: map[int]Site{2: {NoEcommerce: true}},
			})
			r := get(t, s, tc.query)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d", r.status, tc.status)
			}
			if r.status == 200 && tc.reason != ExcludedNoRec && r.body != string(transparentGIF) {
				t.Errorf("body is not the 43-byte GIF: %q", r.body)
			}
			if r.status == 400 && strings.Contains(r.body, tc.reason) {
				t.Errorf("400 body gives the reason away: %q", r.body)
			}
			rec := lastRecord(t, s)
			if rec.Valid != tc.valid || rec.Reason != tc.reason {
				t.Errorf("recorded valid=%v reason=%q, want %v %q", rec.Valid, rec.Reason, tc.valid, tc.reason)
			}
			if _, leaked := rec.Params["token_auth"]; leaked {
				t.Error("token_auth kept in the recorded params")
			}
			sum := s.Summary()
			if !tc.valid && sum.InvalidByReason[tc.reason] != 1 {
				t.Errorf("InvalidByReason = %v, want %s:1", sum.InvalidByReason, tc.reason)
			}
		})
	}
}

// TestSingleReplies checks the replies that do not depend on validation.
func TestSingleReplies(t *testing.T) {
	s := newTestServer(t, Options{})
	t.Run("the GIF is 43 bytes of image/gif", func(t *testing.T) {
		r := get(t, s, base)
		if len(r.body) != 43 || r.header.Get("Content-Type") != "image/gif" {
			t.Errorf("got %d bytes of %q", len(r.body), r.header.Get("Content-Type"))
		}
	})
	t.Run("a bare matomo.php is the HTML notice", func(t *testing.T) {
		resp, err := http.Get(s.TrackingURL())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(b.String(), "This resource is part of Matomo") {
			t.Errorf("status %d body %q", resp.StatusCode, b.String())
		}
	})
	t.Run("piwik.php is the same endpoint", func(t *testing.T) {
		resp, err := http.Get(s.URL + "/piwik.php?" + base + "&send_image=0")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("a path prefix is fine", func(t *testing.T) {
		resp, err := http.Get(s.URL + "/analytics/matomo.php?" + base + "&send_image=0")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("other paths are 404", func(t *testing.T) {
		resp, err := http.Get(s.URL + "/nothing")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

// TestSinglePOST checks form-encoded single requests, whose token travels in the body.
func TestSinglePOST(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	old := cdt(testNow.Add(-72 * time.Hour))
	tests := []struct {
		name   string // what the row shows
		query  string
		ctype  string
		body   string
		status int
	}{
		{"a form body is a tracking request", "", form, base, 200},
		{"the token in the body authorises an old cdt", "", form, base + "&send_image=0&cdt=" + old + "&token_auth=" + testToken, 204},
		{"without the token the old cdt is rejected", "", form, base + "&cdt=" + old, 400},
		{"query and body parameters are merged", "send_image=0", form, base, 204},
		{"an empty POST is the notice with 400", "", form, "", 400},
		{"JSON without requests is not a bulk and has no parameters", "", "application/json", `{"foo":1}`, 400},
		{"a body that is not a form is not read as parameters", "", "text/plain", base, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			r := post(t, s, tc.query, tc.ctype, tc.body)
			if r.status != tc.status {
				t.Errorf("status = %d, want %d (body %q)", r.status, tc.status, r.body)
			}
		})
	}
}

// TestDuplicateOrder checks that an ec_id can be used once per site.
func TestDuplicateOrder(t *testing.T) {
	s := newTestServer(t, Options{Sites: []int{1, 2}})
	order := "&idgoal=0&ec_id=ORDER-1&revenue=99.5"
	steps := []struct {
		name   string // what the step shows
		query  string
		status int
	}{
		{"the first order is recorded", base + order, 200},
		{"the same ec_id again on the same site is rejected", base + order, 400},
		{"the same ec_id on another site is a different order", strings.Replace(base, "idsite=1", "idsite=2", 1) + order, 200},
		{"a cart update without ec_id is not an order", base + "&idgoal=0&revenue=5", 200},
	}
	for _, st := range steps {
		if r := get(t, s, st.query); r.status != st.status {
			t.Errorf("%s: status %d, want %d", st.name, r.status, st.status)
		}
	}
	sum := s.Summary()
	if sum.Orders != 2 || sum.Revenue != 199 || sum.InvalidByReason[ReasonDuplicateOrder] != 1 {
		t.Errorf("orders=%d revenue=%v invalid=%v", sum.Orders, sum.Revenue, sum.InvalidByReason)
	}
	if sum.PerSite[1].Orders != 1 || sum.HitsByKind[KindEcommerce] != 3 {
		t.Errorf("site 1 orders=%d ecommerce hits=%d", sum.PerSite[1].Orders, sum.HitsByKind[KindEcommerce])
	}
}

func urlq(s string) string { return url.QueryEscape(s) }
