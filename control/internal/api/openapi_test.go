package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// The OpenAPI document lists exactly the routes the server has: every route is documented, and
// nothing documented is missing from the router.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ui := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>ui</title>")}}
	e := newEnv(t, func(d *Deps) { d.UI = ui })
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/openapi.json", nil, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m, o := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
			if o["summary"] == "" || o["responses"] == nil {
				t.Errorf("%s %s lacks a summary or responses", m, p)
			}
		}
	}
	routed := map[string]bool{}
	for _, r := range e.srv.Echo().Routes() {
		if r.Path == "/ui" || strings.HasPrefix(r.Path, "/ui/") {
			continue // the static UI
		}
		key := r.Method + " " + openAPIPath(r.Path)
		routed[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	for key := range documented {
		if !routed[key] {
			t.Errorf("documented %s has no route", key)
		}
	}
	if len(routed) < 50 {
		t.Errorf("only %d routes", len(routed))
	}
	// The main shapes are described from the Go types.
	for _, name := range []string{"ValidateRequest", "ValidateResponse", "ConfigRequest", "ConfigView", "RunRequest", "RunsView", "ErrorBody", "ConfigProblem"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no schema %s; have %v", name, keys(doc.Components.Schemas))
		}
	}
	var cfgReq struct {
		Required   []string                  `json:"required"`
		Properties map[string]map[string]any `json:"properties"`
	}
	b, _ := json.Marshal(doc.Components.Schemas["ConfigRequest"])
	if err := json.Unmarshal(b, &cfgReq); err != nil || !slices.Contains(cfgReq.Required, "name") || cfgReq.Properties["name"]["maxLength"] != float64(100) {
		t.Errorf("ConfigRequest schema %s", b)
	}
}

// The run schemas describe what a field's number means: a target's health says which window it
// covers, and a run's container limits show their bounds and defaults.
func TestOpenAPIDescribesRunFields(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/openapi.json", nil, &doc)
	health := doc.Components.Schemas["RunsTargetState"].Properties["health"]
	if !strings.Contains(fmt.Sprint(health["description"]), "last 60 s") {
		t.Errorf("health %v does not say its window", health)
	}
	placement := doc.Components.Schemas["RunRequest"].Properties["placement"]
	if items, _ := placement["items"].(map[string]any); placement["maxItems"] != float64(runs.MaxPlacement) || items["maxLength"] != float64(runs.MaxConstraintLen) {
		t.Errorf("RunRequest placement %v: want at most %d constraints of %d characters", placement, runs.MaxPlacement, runs.MaxConstraintLen)
	}
	if h := doc.Components.Schemas["HealthResponse"].Properties["runtime"]; !strings.Contains(fmt.Sprint(h["description"]), "swarm") {
		t.Errorf("HealthResponse runtime %v", h)
	}
	limits := doc.Components.Schemas["RunsLimits"].Properties
	if limits["memory_mb"]["minimum"] != float64(32) || limits["cpus"]["maximum"] != float64(64) ||
		!strings.Contains(fmt.Sprint(limits["pids"]["description"]), "256") {
		t.Errorf("RunsLimits properties %v", limits)
	}
}

// The UI hook serves files under /ui/ and sends / there.
func TestUIHook(t *testing.T) {
	ui := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>ui</title>")}, "app.js": {Data: []byte("1")}}
	e := newEnv(t, func(d *Deps) { d.UI = ui })
	client := e.hs.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(e.hs.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/ui/" {
		t.Errorf("/ -> %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, p := range []string{"/ui/", "/ui/app.js"} {
		r, body := e.requestKey("", http.MethodGet, p, nil)
		if r.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
