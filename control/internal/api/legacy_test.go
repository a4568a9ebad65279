package api

import (
	"net/http"
	"strings"
	"testing"
)

// The original's scripts drive one loader through /api/status, /api/start, /api/stop,
// /api/restart, /api/logs and /api/config/apply; here they drive the "default" run.
func TestLegacyEndpoints(t *testing.T) {
	e := newEnv(t)
	var st LegacyStatus
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/status", nil, &st)
	if st.Container.State != "not_found" {
		t.Fatalf("status before anything: %+v", st)
	}
	// Nothing to start yet: no config named default.
	var eb ErrorBody
	e.mustStatus(http.StatusNotFound, http.MethodPost, "/api/start", nil, &eb)
	if !strings.Contains(eb.Error, "default") {
		t.Errorf("start without config: %q", eb.Error)
	}
	var logs LegacyLogs
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/logs", nil, &logs)
	if logs.ContainerState != "not_found" {
		t.Errorf("logs without run %+v", logs)
	}

	// apply with the original's snake_case keys saves config "default" and starts the run.
	apply := map[string]any{"config": map[string]any{"matomo_url": "https://m.example/matomo.php",
		"matomo_site_id": 2, "matomo_token_auth": secretToken, "target_visits_per_day": 500}}
	var act LegacyAction
	body := e.mustStatus(http.StatusOK, http.MethodPost, "/api/config/apply", apply, &act)
	assertNoToken(t, "apply", body)
	if !act.Success || act.State != "running" || act.RunID == "" || !act.ContainerRestarted {
		t.Fatalf("apply %+v", act)
	}
	first := act.RunID
	body = e.mustStatus(http.StatusOK, http.MethodGet, "/api/status", nil, &st)
	assertNoToken(t, "status", body)
	if st.Container.State != "running" || st.Container.ID != first || !st.Config.TokenSet ||
		st.Config.Env["TARGET_VISITS_PER_DAY"] != float64(500) || st.Stats.VisitsGenerated == nil {
		t.Errorf("status %+v", st)
	}

	// start while running: left alone unless restart_if_running.
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/start", map[string]any{}, &act)
	if act.RunID != first || act.ContainerRestarted {
		t.Errorf("start while running %+v", act)
	}
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/start", map[string]any{"restart_if_running": true}, &act)
	if act.RunID == first || !act.ContainerRestarted {
		t.Errorf("restart_if_running %+v", act)
	}

	// apply again with the token left blank (as the original's form sent it): the token is kept.
	delete(apply["config"].(map[string]any), "matomo_token_auth")
	apply["config"].(map[string]any)["target_visits_per_day"] = 600
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/config/apply", apply, &act)
	stored, _, err := e.srv.defaultConfig(t.Context())
	if err != nil || stored.Values.TokenAuth != secretToken || stored.Values.VisitsPerDay != 600 {
		t.Errorf("default config after blank-token apply: token kept %v, visits %v (%v)",
			stored.Values.TokenAuth == secretToken, stored.Values.VisitsPerDay, err)
	}

	e.runs.setLogs(act.RunID, "hello", "world token_auth="+secretToken)
	body = e.mustStatus(http.StatusOK, http.MethodGet, "/api/logs?lines=10", nil, &logs)
	assertNoToken(t, "logs", body)
	if logs.LinesReturned != 2 || !strings.Contains(logs.Logs, "hello") || logs.ContainerState != "running" {
		t.Errorf("logs %+v", logs)
	}
	e.mustStatus(http.StatusBadRequest, http.MethodGet, "/api/logs?lines=5", nil, nil)

	e.mustStatus(http.StatusOK, http.MethodPost, "/api/stop?timeout=5", nil, &act)
	if act.State != "stopped" {
		t.Errorf("stop %+v", act)
	}
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/stop", nil, &act)
	if !strings.Contains(act.Message, "not running") {
		t.Errorf("second stop %+v", act)
	}
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/stop?timeout=0", nil, nil)
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/restart", nil, &act)
	if act.State != "running" || !act.ContainerRestarted {
		t.Errorf("restart %+v", act)
	}
}

// apply validates first and changes nothing when the config is bad.
func TestLegacyApplyInvalid(t *testing.T) {
	e := newEnv(t)
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/config/apply",
		map[string]any{"config": map[string]any{"matomo_url": "ftp://x", "concurrency": 0, "no_such_key": 1}}, &eb)
	for _, f := range []string{"MATOMO_URL", "CONCURRENCY", "no_such_key"} {
		if !hasField(eb.Errors, f) {
			t.Errorf("no error for %s: %+v", f, eb.Errors)
		}
	}
	if _, ok, _ := e.srv.defaultConfig(t.Context()); ok {
		t.Error("an invalid apply saved the config")
	}
	if len(e.runs.starts) != 0 {
		t.Error("an invalid apply started a run")
	}
}
