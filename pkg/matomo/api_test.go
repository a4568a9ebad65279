package matomo

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const noAccess = `{"result":"error","message":"You can't access this resource as it requires view access for at least one website."}`

func TestVersion(t *testing.T) {
	tests := []struct {
		name    string
		answer  reply
		want    string
		wantErr error
	}{
		// The scalar comes wrapped in {"value":...}.
		{"ok", replyJSON(200, `{"value":"5.2.0"}`), "5.2.0", nil},
		// A bad token is refused with status 200 and an error body.
		{"refused 200", replyJSON(200, noAccess), "", ErrAuth},
		// Or with 401 and the same body.
		{"refused 401", replyJSON(401, noAccess), "", ErrAuth},
		// A 500 is retried.
		{"500 then ok", sequence(replyStatus(500), replyJSON(200, `{"value":"5.0.2"}`)), "5.0.2", nil},
		// An HTML page where JSON belongs is an error, not a version.
		{"html", replyStatus(200), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			got, err := c.Version(t.Context())
			if tt.name == "html" {
				if err == nil {
					t.Fatalf("HTML reply accepted as version %q", got)
				}
				return
			}
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("Version() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAPIRequestShape: POST to index.php beside the tracker, method in the query, token only
// in the body.
func TestAPIRequestShape(t *testing.T) {
	srv := newFake(t, replyJSON(200, `{"value":"5.2.0"}`))
	c, _ := newTestClient(t, srv, nil)
	if _, err := c.Version(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := srv.requests()[0]
	q, _ := url.ParseQuery(got.rawQuery)
	if got.method != http.MethodPost || got.path != "/index.php" || q.Get("module") != "API" ||
		q.Get("method") != "API.getMatomoVersion" || q.Get("format") != "json" {
		t.Errorf("request %s %s?%s", got.method, got.path, got.rawQuery)
	}
	if strings.Contains(got.rawQuery, "token_auth") {
		t.Errorf("token in URL")
	}
	if body, _ := url.ParseQuery(string(got.body)); body.Get("token_auth") != testToken || got.contentType != contentForm {
		t.Errorf("body %q (%s) does not carry the token", got.body, got.contentType)
	}
}

func TestSite(t *testing.T) {
	want := Site{ID: 3, Name: "Shop", MainURL: "https://shop.example", Timezone: "Europe/Stockholm", Currency: "SEK", Ecommerce: true}
	tests := []struct {
		name    string
		answer  reply
		want    Site
		wantErr error
	}{
		// Matomo sends numbers as strings.
		{"strings", replyJSON(200, `{"idsite":"3","name":"Shop","main_url":"https://shop.example","timezone":"Europe/Stockholm","currency":"SEK","ecommerce":"1","sitesearch":"1"}`), want, nil},
		// Numbers are fine too.
		{"numbers", replyJSON(200, `{"idsite":3,"name":"Shop","main_url":"https://shop.example","timezone":"Europe/Stockholm","currency":"SEK","ecommerce":1}`), want, nil},
		// Older versions wrap the row in an array.
		{"array", replyJSON(200, `[{"idsite":"3","name":"Shop","main_url":"https://shop.example","timezone":"Europe/Stockholm","currency":"SEK","ecommerce":"1"}]`), want, nil},
		// Ecommerce off.
		{"no ecommerce", replyJSON(200, `{"idsite":"3","name":"Shop","ecommerce":"0"}`), Site{ID: 3, Name: "Shop"}, nil},
		// An unknown site is an error body.
		{"unknown", replyJSON(200, `{"result":"error","message":"An unexpected website was found in the request: website id was set to '3' ."}`), Site{}, ErrNotFound},
		// No access to the site.
		{"no access", replyJSON(200, `{"result":"error","message":"You can't access this resource as it requires 'view' access for the website id = 3."}`), Site{}, ErrAuth},
		// An empty answer is no site.
		{"empty", replyJSON(200, `[]`), Site{}, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			got, err := c.Site(t.Context(), 3)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("Site() = %+v, want %+v", got, tt.want)
			}
			if q, _ := url.ParseQuery(srv.requests()[0].rawQuery); q.Get("idSite") != "3" || q.Get("method") != "SitesManager.getSiteFromId" {
				t.Errorf("query %q", srv.requests()[0].rawQuery)
			}
		})
	}
}

func TestInvalidateArchivedReports(t *testing.T) {
	srv := newFake(t, replyJSON(200, `["Success. The following dates were invalidated successfully: 2026-01-01, 2026-01-02"]`))
	c, _ := newTestClient(t, srv, nil)
	lines, err := c.InvalidateArchivedReports(t.Context(), []int{1, 2}, []string{"2026-01-01", "2026-01-02"})
	if err != nil || len(lines) != 1 || !strings.HasPrefix(lines[0], "Success.") {
		t.Fatalf("lines %q, err %v", lines, err)
	}
	q, _ := url.ParseQuery(srv.requests()[0].rawQuery)
	if q.Get("idSites") != "1,2" || q.Get("dates") != "2026-01-01,2026-01-02" || q.Get("period") != "day" ||
		q.Get("method") != "CoreAdminHome.invalidateArchivedReports" {
		t.Errorf("query %q", srv.requests()[0].rawQuery)
	}
	if _, err := c.InvalidateArchivedReports(t.Context(), nil, []string{"2026-01-01"}); err == nil {
		t.Errorf("no sites accepted")
	}
}

func TestAddSite(t *testing.T) {
	tests := []struct {
		name     string
		answer   reply
		want     int
		wantErr  error
		requests int
	}{
		// Matomo renders the new id as a scalar: {"value":7}.
		{"ok", replyJSON(200, `{"value":7}`), 7, nil, 1},
		// A numeric string is read the same.
		{"string id", replyJSON(200, `{"value":"7"}`), 7, nil, 1},
		// Only a super user may add sites.
		{"refused", replyJSON(200, `{"result":"error","message":"You can't access this resource as it requires 'superuser' access."}`), 0, ErrAuth, 1},
		// A reply without an id is an error, not site 0.
		{"no id", replyJSON(200, `{"value":0}`), 0, nil, 1},
		// A lost reply is not repeated: the site may exist already.
		{"lost reply", sequence(replyReset, replyJSON(200, `{"value":8}`)), 0, ErrUncertain, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			got, err := c.AddSite(t.Context(), "bench 1", "https://example.test", true, "UTC")
			if tt.name == "no id" {
				if err == nil {
					t.Fatalf("site %d accepted from a reply without id", got)
				}
			} else {
				checkErr(t, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("AddSite() = %d, want %d", got, tt.want)
			}
			reqs := srv.requests()
			if len(reqs) != tt.requests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.requests)
			}
			q, _ := url.ParseQuery(reqs[0].rawQuery)
			if q.Get("method") != "SitesManager.addSite" || q.Get("siteName") != "bench 1" ||
				q.Get("urls[]") != "https://example.test" || q.Get("ecommerce") != "1" || q.Get("timezone") != "UTC" {
				t.Errorf("query %q", reqs[0].rawQuery)
			}
			if strings.Contains(reqs[0].rawQuery, testToken) {
				t.Errorf("token in URL")
			}
		})
	}
}

// TestCallAPI: any method, token in the body only, raw JSON back, error bodies as *APIError.
func TestCallAPI(t *testing.T) {
	srv := newFake(t, sequence(
		replyJSON(200, `{"2026-01-01":{"nb_visits":3},"2026-01-02":[]}`),
		replyJSON(200, `{"result":"error","message":"The date 'x' is not a correct date."}`)))
	c, _ := newTestClient(t, srv, nil)
	var raw json.RawMessage
	params := url.Values{"idSite": {"2"}, "period": {"day"}, "date": {"2026-01-01,2026-01-02"}}
	if err := c.CallAPI(t.Context(), "VisitsSummary.get", params, &raw); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"nb_visits":3`) {
		t.Errorf("reply %s", raw)
	}
	got := srv.requests()[0]
	q, _ := url.ParseQuery(got.rawQuery)
	if q.Get("method") != "VisitsSummary.get" || q.Get("date") != "2026-01-01,2026-01-02" || q.Get("format") != "json" ||
		strings.Contains(got.rawQuery, "token_auth") || !strings.Contains(string(got.body), "token_auth="+testToken) {
		t.Errorf("request %s?%s body %q", got.path, got.rawQuery, got.body)
	}
	var apiErr *APIError
	if err := c.CallAPI(t.Context(), "VisitsSummary.get", url.Values{"date": {"x"}}, &raw); !errors.As(err, &apiErr) || apiErr.Status != 200 {
		t.Errorf("error reply: err = %v, want an *APIError with the reply's status 200", err)
	}
}

// liveServer answers Live.getLastVisitsDetails with one visit per visitor in the segment, the
// way Matomo does, and rejects ids that are not 16 hex.
func liveServer(w http.ResponseWriter, r *http.Request, _ int) {
	seg := r.URL.Query().Get("segment")
	rows := []map[string]any{}
	for i, part := range strings.Split(seg, ",") {
		id := strings.TrimPrefix(part, "visitorId==")
		if !isHex16(id) {
			replyJSON(200, `{"result":"error","message":"visitorId is expected to be a 16 hex char string"}`)(w, r, 0)
			return
		}
		rows = append(rows, map[string]any{"idSite": "1", "idVisit": fmt.Sprint(i), "visitorId": id,
			"firstActionTimestamp": 1767261600, "lastActionTimestamp": "1767261900", "actions": "4", "serverDate": "2026-01-01",
			"actionDetails": []map[string]any{{"type": "action", "timestamp": 1767261600}, {"type": "event", "timestamp": "1767261900"}}})
	}
	b, _ := json.Marshal(rows)
	replyJSON(200, string(b))(w, r, 0)
}

func TestLastVisitsChunks(t *testing.T) {
	srv := newFake(t, liveServer)
	c, _ := newTestClient(t, srv, nil)
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = fmt.Sprintf("%016x", i+1)
	}
	visits, err := c.LastVisits(t.Context(), 1, "2026-01-01", ids)
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d calls for 250 ids, want 3", len(reqs))
	}
	for i, n := range []int{100, 100, 50} {
		q, _ := url.ParseQuery(reqs[i].rawQuery)
		if got := strings.Count(q.Get("segment"), "visitorId=="); got != n || q.Get("filter_limit") != "-1" ||
			q.Get("date") != "2026-01-01" || q.Get("period") != "day" || q.Get("idSite") != "1" {
			t.Errorf("call %d: %d ids in %q", i, got, reqs[i].rawQuery)
		}
		if !strings.Contains(reqs[i].rawQuery, "segment=visitorId%3D%3D") {
			t.Errorf("call %d: segment not URL-encoded: %q", i, reqs[i].rawQuery)
		}
	}
	if len(visits) != 250 {
		t.Fatalf("%d visits, want 250", len(visits))
	}
	wantFirst := Visit{SiteID: 1, VisitorID: ids[0], Actions: 4,
		First: time.Unix(1767261600, 0).UTC(), Last: time.Unix(1767261900, 0).UTC(),
		ActionTimes: []int64{1767261600, 1767261900}}
	if !reflect.DeepEqual(visits[0], wantFirst) || visits[249].VisitorID != ids[249] {
		t.Errorf("visits[0] = %+v, want %+v", visits[0], wantFirst)
	}
}

func TestLastVisitsErrors(t *testing.T) {
	srv := newFake(t, liveServer)
	c, _ := newTestClient(t, srv, nil)
	// A malformed id is caught before any call.
	if _, err := c.LastVisits(t.Context(), 1, "2026-01-01", []string{"zz"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad id: err = %v, want ErrInvalid", err)
	}
	// No ids, no call.
	if v, err := c.LastVisits(t.Context(), 1, "2026-01-01", nil); err != nil || v != nil {
		t.Errorf("no ids: %v, %v", v, err)
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d calls made for nothing to ask", n)
	}
	// Matomo's own complaint about an id maps to ErrInvalid as well.
	var apiErr *APIError
	if err := c.api(t.Context(), "Live.getLastVisitsDetails", url.Values{"segment": {"visitorId==zz"}}, new([]visitJSON), nil); !errors.Is(err, ErrInvalid) || !errors.As(err, &apiErr) {
		t.Errorf("server complaint: err = %v, want an *APIError wrapping ErrInvalid", err)
	}
}
