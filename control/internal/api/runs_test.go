package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// saveConfig stores a valid config and returns its id.
func (e *testEnv) saveConfig(name string, extra map[string]any) int64 {
	e.t.Helper()
	cfg := validConfig("https://m.example/matomo.php")
	for k, v := range extra {
		cfg[k] = v
	}
	var v ConfigView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/configs", map[string]any{"name": name, "config": cfg}, &v)
	return v.ID
}

func TestRunsLifecycle(t *testing.T) {
	e := newEnv(t)
	id := e.saveConfig("c", nil)
	var v runs.View
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/runs", map[string]any{"name": "r1", "config_id": id, "mode": "live"}, &v)
	if v.ID == "" || v.State != "running" || v.ConfigID == nil || *v.ConfigID != id {
		t.Fatalf("started %+v", v)
	}
	path := "/api/runs/" + v.ID
	e.mustStatus(http.StatusOK, http.MethodGet, path, nil, &v)
	var list []runs.View
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/runs?active=1", nil, &list)
	if len(list) != 1 {
		t.Errorf("active runs %d", len(list))
	}
	// Deleting an active run is a conflict.
	var eb ErrorBody
	e.mustStatus(http.StatusConflict, http.MethodDelete, path, nil, &eb)
	if !strings.Contains(eb.Error, "stop it first") {
		t.Errorf("delete active: %q", eb.Error)
	}
	e.mustStatus(http.StatusOK, http.MethodPost, path+"/stop", nil, &v)
	if v.State != "stopped" {
		t.Errorf("stopped %+v", v)
	}
	// Stopping twice is a conflict too.
	e.mustStatus(http.StatusConflict, http.MethodPost, path+"/stop", nil, nil)
	var nv runs.View
	e.mustStatus(http.StatusCreated, http.MethodPost, path+"/restart", nil, &nv)
	if nv.ID == v.ID || nv.State != "running" {
		t.Errorf("restart gave %+v", nv)
	}
	e.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil, nil)
	for _, p := range []string{path, path + "/logs", path + "/events"} {
		e.mustStatus(http.StatusNotFound, http.MethodGet, p, nil, nil)
	}
	e.mustStatus(http.StatusNotFound, http.MethodPost, "/api/runs/"+strings.Repeat("f", 100)+"/stop", nil, nil)
}

func TestStartRunRequests(t *testing.T) {
	e := newEnv(t)
	e.runs.maxActive = 10
	id := e.saveConfig("c", nil)
	tests := []struct {
		name   string
		body   map[string]any
		want   int
		fields []string
	}{
		// Neither a config nor a config id.
		{"nothing", map[string]any{"name": "x"}, http.StatusBadRequest, []string{"config_id"}},
		// Both.
		{"both", map[string]any{"config_id": id, "config": validConfig("https://m.example/")}, http.StatusBadRequest, []string{"config_id"}},
		// A config id that names nothing.
		{"unknown config", map[string]any{"config_id": 999}, http.StatusBadRequest, []string{"config_id"}},
		// A bad mode and loaders out of range, reported together.
		{"bad fields", map[string]any{"config_id": id, "mode": "turbo", "loaders": 1000}, http.StatusBadRequest, []string{"mode", "loaders"}},
		// An inline config is validated with its mode: backfill needs a token and a window.
		{"inline backfill", map[string]any{"mode": "backfill", "config": validConfig("https://m.example/")}, http.StatusBadRequest, []string{"MATOMO_TOKEN_AUTH"}},
		// A URL set that does not exist.
		{"unknown url set", map[string]any{"config_id": id, "url_set_id": 77}, http.StatusBadRequest, []string{"url_set_id"}},
		// A valid inline live config starts.
		{"inline live", map[string]any{"mode": "live", "config": validConfig("https://m.example/")}, http.StatusCreated, nil},
		// Resuming an unknown run is a 404.
		{"resume unknown", map[string]any{"resume_of": "abcdefabcdef"}, http.StatusNotFound, nil},
		// Every container limit out of its bounds is named, all at once.
		{"bad limits", map[string]any{"config_id": id, "limits": map[string]any{"memory_mb": 1, "cpus": 100, "pids": -5}},
			http.StatusBadRequest, []string{"limits.memory_mb", "limits.cpus", "limits.pids"}},
		// An unknown limit is named too.
		{"unknown limit", map[string]any{"config_id": id, "limits": map[string]any{"disk_mb": 1}}, http.StatusBadRequest, []string{"limits.disk_mb"}},
		// More placement constraints than a run takes, and one too long: each named.
		{"too many constraints", map[string]any{"config_id": id, "placement": slices.Repeat([]string{"node.role==worker"}, runs.MaxPlacement+1)},
			http.StatusBadRequest, []string{"placement"}},
		{"a constraint too long", map[string]any{"config_id": id, "placement": []string{"node.labels.x==" + strings.Repeat("y", runs.MaxConstraintLen)}},
			http.StatusBadRequest, []string{"placement[0]"}},
		// Placement is passed on to the run service, which checks its syntax and the runtime.
		{"placement", map[string]any{"config_id": id, "placement": []string{"node.role==worker"}}, http.StatusCreated, nil},
		// Limits within bounds start the run.
		{"limits", map[string]any{"config_id": id, "limits": map[string]any{"memory_mb": 256, "cpus": 0.5}}, http.StatusCreated, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eb ErrorBody
			e.mustStatus(tt.want, http.MethodPost, "/api/runs", tt.body, &eb)
			for _, f := range tt.fields {
				if !hasField(eb.Errors, f) {
					t.Errorf("no error for %s in %+v", f, eb.Errors)
				}
			}
		})
	}
	// The limits reach the run service as given (its defaults fill in the rest).
	e.runs.mu.Lock()
	last := e.runs.starts[len(e.runs.starts)-1]
	e.runs.mu.Unlock()
	if last.Limits != (runs.Limits{MemoryMB: 256, CPUs: 0.5}) {
		t.Errorf("limits passed on: %+v", last.Limits)
	}
	e.runs.mu.Lock()
	placed := e.runs.starts[len(e.runs.starts)-2]
	e.runs.mu.Unlock()
	if !slices.Equal(placed.Placement, []string{"node.role==worker"}) {
		t.Errorf("placement passed on: %v", placed.Placement)
	}
}

func TestRunsLimitAndDockerDown(t *testing.T) {
	e := newEnv(t)
	id := e.saveConfig("c", nil)
	body := map[string]any{"config_id": id}
	for range e.runs.maxActive {
		e.mustStatus(http.StatusCreated, http.MethodPost, "/api/runs", body, nil)
	}
	var eb ErrorBody
	e.mustStatus(http.StatusConflict, http.MethodPost, "/api/runs", body, &eb)
	if !strings.Contains(eb.Error, "too many active runs") {
		t.Errorf("limit message %q", eb.Error)
	}
	e.runs.setUnavailable(true)
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/api/runs"}, {http.MethodPost, "/api/runs"}, {http.MethodGet, "/api/runs/abc"},
		{http.MethodGet, "/api/status"},
	} {
		var b any
		if r.method == http.MethodPost {
			b = body
		}
		e.mustStatus(http.StatusServiceUnavailable, r.method, r.path, b, &eb)
		if !strings.Contains(eb.Error, "Docker") {
			t.Errorf("%s %s: message %q", r.method, r.path, eb.Error)
		}
	}
	// A missing loader image is a 503 that says how to fix it, not a 500.
	e.runs.setUnavailable(false)
	e.runs.mu.Lock()
	e.runs.failWith = runs.ErrImage
	e.runs.mu.Unlock()
	e.mustStatus(http.StatusServiceUnavailable, http.MethodPost, "/api/runs", body, &eb)
	if !strings.Contains(eb.Error, "make images") {
		t.Errorf("missing image message %q", eb.Error)
	}
	// Without a run service at all (Docker was down at start), runs answer 503 and the rest works;
	// once the control sets one (Docker came back), runs answer.
	e2 := newEnv(t, func(d *Deps) { d.Runs = nil })
	e2.mustStatus(http.StatusServiceUnavailable, http.MethodGet, "/api/runs", nil, &eb)
	if !strings.Contains(eb.Error, "Docker") {
		t.Errorf("without a run service: message %q", eb.Error)
	}
	e2.mustStatus(http.StatusOK, http.MethodGet, "/api/configs", nil, nil)
	var h HealthResponse
	if e2.mustStatus(http.StatusOK, http.MethodGet, "/health", nil, &h); h.Docker != "unavailable" {
		t.Errorf("health without a run service: %+v", h)
	}
	e2.srv.SetRuns(e2.runs)
	e2.mustStatus(http.StatusOK, http.MethodGet, "/api/runs", nil, nil)
	if e2.mustStatus(http.StatusOK, http.MethodGet, "/health", nil, &h); h.Docker != "ok" {
		t.Errorf("health once the run service is set: %+v", h)
	}
}

// Log lines are served without tokens: token_auth values anywhere and the run's own tokens.
func TestRunLogsRedacted(t *testing.T) {
	e := newEnv(t)
	id := e.saveConfig("c", map[string]any{"MATOMO_TOKEN_AUTH": secretToken})
	var v runs.View
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/runs", map[string]any{"config_id": id}, &v)
	e.runs.setLogs(v.ID,
		"starting",
		"GET https://m.example/matomo.php?idsite=1&token_auth="+secretToken2+"&rec=1",
		`{"token_auth": "`+secretToken2+`"}`,
		"oops the token is "+secretToken,
		"done")
	var lr LogsResponse
	body := e.mustStatus(http.StatusOK, http.MethodGet, "/api/runs/"+v.ID+"/logs?tail=4", nil, &lr)
	assertNoToken(t, "logs", body)
	if len(lr.Lines) != 4 || lr.Lines[3].Text != "done" || !strings.Contains(lr.Lines[0].Text, "token_auth=[redacted]&rec=1") {
		t.Errorf("lines %+v", lr.Lines)
	}
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/runs/"+v.ID+"/logs?filter=done", nil, &lr)
	if len(lr.Lines) != 1 {
		t.Errorf("filtered %+v", lr.Lines)
	}
	for _, q := range []string{"tail=0", "tail=x", "tail=" + strconv.Itoa(maxLogTail+1)} {
		e.mustStatus(http.StatusBadRequest, http.MethodGet, "/api/runs/"+v.ID+"/logs?"+q, nil, nil)
	}
}

// Overrides travel with config_id to the run service; without config_id they are refused.
func TestRunOverrides(t *testing.T) {
	e := newEnv(t)
	id := e.saveConfig("c", nil)
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/runs",
		map[string]any{"config_id": id, "mode": "backfill", "overrides": map[string]any{"BACKFILL_DAYS_BACK": 3}}, nil)
	e.runs.mu.Lock()
	got := e.runs.starts[len(e.runs.starts)-1].Overrides
	e.runs.mu.Unlock()
	if fmt.Sprint(got["BACKFILL_DAYS_BACK"]) != "3" {
		t.Fatalf("overrides reached the service as %v", got)
	}
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/runs",
		map[string]any{"config": map[string]any{"MATOMO_URL": "http://127.0.0.1:9/matomo.php"}, "overrides": map[string]any{"SEED": 1}}, &eb)
	if len(eb.Errors) == 0 || eb.Errors[0].Field != "overrides" {
		t.Fatalf("errors %+v", eb)
	}
}

// ?limit= asks for the newest runs only; a bad limit is a 400 naming it.
func TestRunsListLimit(t *testing.T) {
	e := newEnv(t)
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/runs?limit=5&active=1", nil, nil)
	e.runs.mu.Lock()
	got := e.runs.lastList
	e.runs.mu.Unlock()
	if got != (runs.ListFilter{ActiveOnly: true, Limit: 5}) {
		t.Fatalf("the service was asked for %+v", got)
	}
	for _, bad := range []string{"0", "-1", "x", "10001"} {
		var eb ErrorBody
		e.mustStatus(http.StatusBadRequest, http.MethodGet, "/api/runs?limit="+bad, nil, &eb)
		if len(eb.Errors) == 0 || eb.Errors[0].Field != "limit" {
			t.Errorf("limit=%s: %+v", bad, eb)
		}
	}
}
