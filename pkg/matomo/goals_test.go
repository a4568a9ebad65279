package matomo

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestGoals(t *testing.T) {
	want := []SiteGoal{
		{ID: 1, Name: "Signup", Revenue: 5, MatchAttribute: "manually"},
		{ID: 2, Name: "Trial", AllowMultiple: true, MatchAttribute: "url"},
	}
	tests := []struct {
		name    string
		answer  reply
		want    []SiteGoal
		wantErr error
	}{
		// Matomo 5.0.2: a list with JSON numbers (observed).
		{"list of numbers", replyJSON(200, `[{"idsite":3,"idgoal":1,"name":"Signup","match_attribute":"manually","allow_multiple":0,"revenue":5,"deleted":0},`+
			`{"idsite":3,"idgoal":2,"name":"Trial","match_attribute":"url","pattern":"x","allow_multiple":1,"revenue":0}]`), want, nil},
		// An object keyed by id with string numbers, out of order, is read and sorted.
		{"object of strings", replyJSON(200, `{"2":{"idgoal":"2","name":"Trial","match_attribute":"url","allow_multiple":"1","revenue":"0"},`+
			`"1":{"idgoal":"1","name":"Signup","match_attribute":"manually","allow_multiple":"0","revenue":"5"}}`), want, nil},
		// No goals.
		{"none", replyJSON(200, `[]`), []SiteGoal{}, nil},
		// An unknown site and a refused token are told apart.
		{"unknown site", replyJSON(200, `{"result":"error","message":"An unexpected website was found in the request: website id was set to '3' ."}`), nil, ErrNotFound},
		{"no access", replyJSON(401, `{"result":"error","message":"You can't access this resource as it requires 'view' access for the website id = 3."}`), nil, ErrAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newFake(t, tt.answer)
			c, _ := newTestClient(t, srv, nil)
			got, err := c.Goals(t.Context(), 3)
			checkErr(t, err, tt.wantErr)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Goals() = %+v, want %+v", got, tt.want)
			}
			req := srv.requests()[0]
			if q, _ := url.ParseQuery(req.rawQuery); q.Get("idSite") != "3" || q.Get("method") != "Goals.getGoals" ||
				strings.Contains(req.rawQuery, "token_auth") {
				t.Errorf("query %q", req.rawQuery)
			}
		})
	}
}

func TestCustomDimensions(t *testing.T) {
	srv := newFake(t, replyJSON(200, `[{"idcustomdimension":"2","idsite":"3","name":"Author","index":"1","scope":"action","active":false,"extractions":[],"case_sensitive":true},`+
		`{"idcustomdimension":"1","idsite":"3","name":"Plan","index":"1","scope":"visit","active":true,"extractions":[],"case_sensitive":true}]`))
	c, _ := newTestClient(t, srv, nil)
	got, err := c.CustomDimensions(t.Context(), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []SiteDimension{{ID: 1, Name: "Plan", Scope: ScopeVisit, Active: true}, {ID: 2, Name: "Author", Scope: ScopeAction}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CustomDimensions() = %+v, want %+v", got, want)
	}
	// Without the plugin, Matomo names the missing module: an APIError.
	srv = newFake(t, replyJSON(200, `{"result":"error","message":"The method 'getConfiguredCustomDimensions' does not exist or is not available in the module '\\Piwik\\Plugins\\CustomDimensions\\API'."}`))
	c, _ = newTestClient(t, srv, nil)
	if _, err := c.CustomDimensions(t.Context(), 3); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing plugin: err = %v", err)
	}
}
