package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// A campaign catalogue can be given as CSV text or as JSON, is validated with every problem at
// once (line and column), is served back as stored with a fitting type, and has a built-in one.
func TestCampaignSets(t *testing.T) {
	e := newEnv(t)
	csv := "name,source,medium,weight\nspring,newsletter,email,3\nbrand,google,cpc,1\n"
	var set ContentSetView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/campaign-sets", map[string]any{"name": "q2", "content": csv, "default": true}, &set)
	if set.Count == nil || *set.Count != 2 || set.CampaignStats == nil || set.CampaignStats.Media[0].Medium != "email" ||
		set.CampaignStats.Media[0].Share != 0.75 || !set.Default {
		t.Fatalf("created %+v", set)
	}
	path := "/api/campaign-sets/" + strconv.FormatInt(set.ID, 10)
	resp, body := e.request(http.MethodGet, path+"/content", nil)
	if resp.StatusCode != http.StatusOK || string(body) != csv || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), `q2.csv`) {
		t.Errorf("content %d %s %q", resp.StatusCode, resp.Header, body)
	}
	// JSON as an object.
	obj := map[string]any{"campaigns": []any{map[string]any{"name": "x", "medium": "email"}}}
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/campaign-sets", map[string]any{"name": "json", "content": obj}, &set)
	resp, _ = e.request(http.MethodGet, "/api/campaign-sets/"+strconv.FormatInt(set.ID, 10)+"/content", nil)
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("JSON campaigns served as %s", resp.Header.Get("Content-Type"))
	}
	// Every problem, with lines, under content.
	var v ContentValidation
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/campaign-sets/validate", map[string]any{"content": "name,weight\n,1\nb,-1\n"}, &v)
	if v.Valid || len(v.Errors) != 2 || v.Errors[0].Line != 2 || v.Errors[1].Line != 3 || v.Errors[1].Field != "content.weight" {
		t.Errorf("validate bad %+v", v)
	}
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"name": "q2", "content": "name\n"}, &eb)
	if len(eb.Errors) != 1 || !strings.Contains(eb.Errors[0].Message, "no campaigns") {
		t.Errorf("put bad %+v", eb)
	}
	var builtin ContentSetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/campaign-sets/builtin", nil, &builtin)
	if !builtin.Builtin || builtin.Count == nil || *builtin.Count < 10 || builtin.Content == nil {
		t.Errorf("builtin %+v", builtin)
	}
	resp, _ = e.request(http.MethodPut, "/api/campaign-sets/builtin", map[string]any{"name": "x"})
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("put builtin: %d", resp.StatusCode)
	}
	// A campaign set's id is no event set.
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/event-sets/"+strconv.FormatInt(set.ID, 10), nil, nil)
}

// Custom dimension definitions have no built-in set: without one a run sends none.
func TestDimensionSets(t *testing.T) {
	e := newEnv(t)
	dims := map[string]any{"dimensions": []any{
		map[string]any{"id": 1, "scope": "visit", "values": []any{"free", map[string]any{"value": "pro", "weight": 2}}},
		map[string]any{"id": 3, "scope": "action", "values": []any{"docs"}},
	}}
	var set ContentSetView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/dimension-sets", map[string]any{"name": "plans", "content": dims}, &set)
	if set.Count == nil || *set.Count != 2 || set.DimensionStats == nil || set.DimensionStats.Visit != 1 || set.DimensionStats.Values != 3 {
		t.Fatalf("created %+v", set)
	}
	var v ContentValidation
	bad := `{"dimensions":[{"id":1,"scope":"visit","values":["a"]},` + "\n" + `{"id":1,"scope":"page","values":[]}]}`
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/dimension-sets/validate", map[string]any{"content": bad}, &v)
	if v.Valid || len(v.Errors) != 2 || v.Errors[0].Line != 2 || v.Errors[0].Field != "content.dimensions[1].scope" {
		t.Errorf("validate bad %+v", v)
	}
	var eb ErrorBody
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/dimension-sets/builtin", nil, &eb)
	if !strings.Contains(eb.Error, "no built-in dimension set") {
		t.Errorf("builtin: %+v", eb)
	}
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/dimension-sets/builtin/content", nil, nil)
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/dimension-sets", map[string]any{"name": "x", "content": 5}, nil)
}
