package api

import (
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/content"
)

func readFunnelsFile(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/funnels.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFunnelsCRUD(t *testing.T) {
	e := newEnv(t)
	one := `{"name":"Signup","probability":0.2,"priority":3,"steps":[{"type":"pageview","url":"https://x.example/signup"}]}`
	var f FunnelView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/funnels", one, &f)
	if f.ID == 0 || f.Name != "Signup" || f.StepCount != 1 || !f.Enabled || f.Priority != 3 || len(f.Funnel) == 0 {
		t.Fatalf("created %+v", f)
	}
	path := "/api/funnels/" + strconv.FormatInt(f.ID, 10)
	e.mustStatus(http.StatusOK, http.MethodPut, path,
		`{"name":"Signup","probability":0.3,"enabled":false,"steps":[{"type":"pageview","url":"https://x.example/a"},{"type":"event","event_category":"c","event_action":"a","event_name":"n"}]}`, &f)
	if f.StepCount != 2 || f.Enabled || f.Probability != 0.3 {
		t.Errorf("updated %+v", f)
	}
	var list []FunnelView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/funnels", nil, &list)
	if len(list) != 1 || list[0].Funnel != nil {
		t.Errorf("list %+v (definitions belong to GET one)", list)
	}
	e.mustStatus(http.StatusConflict, http.MethodPost, "/api/funnels", one, nil)
	e.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil, nil)
	e.mustStatus(http.StatusNotFound, http.MethodGet, path, nil, nil)
	e.mustStatus(http.StatusNotFound, http.MethodPut, path, one, nil)
}

// A bad funnel gets every problem at once, with paths into the definition.
func TestFunnelProblems(t *testing.T) {
	e := newEnv(t)
	bad := `{"name":"x","probability":2,"colour":"red","steps":[
		{"type":"event","url":"https://x.example/"},
		{"type":"teleport"},
		{"type":"pageview","delay_seconds_min":-1}]}`
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/funnels", bad, &eb)
	for _, f := range []string{"probability", "colour", "steps[1].type", "steps[2].url"} {
		if !hasField(eb.Errors, f) {
			t.Errorf("no error for %s in %v", f, problemFields(eb.Errors))
		}
	}
	if len(eb.Errors) < 5 {
		t.Errorf("only %d problems reported: %+v", len(eb.Errors), eb.Errors)
	}
	var v ContentValidation
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/funnels/validate", bad, &v)
	if v.Valid || len(v.Errors) != len(eb.Errors) {
		t.Errorf("validate %+v", v)
	}
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/funnels/validate", readFunnelsFile(t), &v)
	if !v.Valid || v.Count != 2 {
		t.Errorf("validate file %+v", v)
	}
}

// The original's funnels.json imports, and exports back as the same funnels.
func TestFunnelsImportExport(t *testing.T) {
	e := newEnv(t)
	file := readFunnelsFile(t)
	var res FunnelsImportResult
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/funnels/import", file, &res)
	if res.Imported != 2 || len(res.Funnels) != 2 {
		t.Fatalf("import %+v", res)
	}
	resp, exported := e.request(http.MethodGet, "/api/funnels/export", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "funnels.json") {
		t.Fatalf("export %d", resp.StatusCode)
	}
	want, ps := content.ParseFunnels(file)
	got, ps2 := content.ParseFunnels(exported)
	if ps.Err() != nil || ps2.Err() != nil || !reflect.DeepEqual(want, got) {
		t.Errorf("export differs from the imported file:\n%s", exported)
	}
	// Only enabled funnels, as the original exported them for the loader.
	_, enabled := e.request(http.MethodGet, "/api/funnels/export?enabled=1", nil)
	var arr []map[string]any
	if err := json.Unmarshal(enabled, &arr); err != nil || len(arr) != 1 || arr[0]["name"] != "Ecommerce Purchase" {
		t.Errorf("enabled export %s", enabled)
	}
	// A second import clashes on names unless replace is asked for.
	e.mustStatus(http.StatusConflict, http.MethodPost, "/api/funnels/import", file, nil)
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/funnels/import?replace=1", file, &res)
	if res.Replaced != 2 {
		t.Errorf("replace %+v", res)
	}
}

// An import with errors lists every problem of every funnel, and stores nothing.
func TestFunnelsImportProblems(t *testing.T) {
	e := newEnv(t)
	bad := `[
		{"name":"a","probability":0.5,"steps":[{"type":"pageview"}]},
		{"name":"b","probability":-1,"steps":[]},
		{"name":"a","probability":0.1,"steps":[{"type":"pageview","url":"https://x.example/"}]}
	]`
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/funnels/import", bad, &eb)
	for _, f := range []string{"[0].steps[0].url", "[1].probability"} {
		if !hasField(eb.Errors, f) {
			t.Errorf("no error for %s in %v", f, problemFields(eb.Errors))
		}
	}
	var list []FunnelView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/funnels", nil, &list)
	if len(list) != 0 {
		t.Errorf("failed import stored %d funnels", len(list))
	}
	// Duplicate names within one file are named too.
	dup := `[{"name":"a","probability":0.5,"steps":[{"type":"pageview","url":"https://x.example/"}]},
		{"name":"a","probability":0.1,"steps":[{"type":"pageview","url":"https://x.example/"}]}]`
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/funnels/import", dup, &eb)
	if len(eb.Errors) != 1 || !strings.Contains(eb.Errors[0].Message, "unique") {
		t.Errorf("duplicate names: %+v", eb.Errors)
	}
}
