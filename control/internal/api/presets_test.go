package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestBuiltinPresets(t *testing.T) {
	e := newEnv(t)
	var list []PresetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/presets", nil, &list)
	if len(list) != 4 {
		t.Fatalf("want the 4 built-ins, got %d", len(list))
	}
	for i, name := range []string{"light", "medium", "heavy", "extreme"} {
		p := list[i]
		if p.ID != name || !p.Builtin || p.Description == "" {
			t.Errorf("preset %d: %+v", i, p)
		}
		// Values are typed as the schema says, not env strings.
		if _, ok := p.Config["TARGET_VISITS_PER_DAY"].(float64); !ok {
			t.Errorf("%s: TARGET_VISITS_PER_DAY = %#v, want a number", name, p.Config["TARGET_VISITS_PER_DAY"])
		}
		if _, ok := p.Config["MATOMO_TOKEN_AUTH"]; ok {
			t.Errorf("%s holds a token key", name)
		}
	}
	var one PresetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/presets/medium", nil, &one)
	if !reflect.DeepEqual(one, list[1]) {
		t.Errorf("GET medium differs from the list entry")
	}
	// Built-ins are read-only.
	tests := []struct{ method, body string }{
		{http.MethodPut, `{"name":"medium","config":{}}`},
		{http.MethodDelete, ``},
	}
	for _, tt := range tests {
		resp, body := e.request(tt.method, "/api/presets/medium", tt.body)
		if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(string(body), "read-only") || resp.Header.Get("Allow") != "GET" {
			t.Errorf("%s built-in: %d %s (Allow %q)", tt.method, resp.StatusCode, body, resp.Header.Get("Allow"))
		}
	}
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/presets/nope", nil, nil)
}

func TestUserPresets(t *testing.T) {
	e := newEnv(t)
	var p PresetView
	body := e.mustStatus(http.StatusCreated, http.MethodPost, "/api/presets", map[string]any{"name": "mine",
		"config": map[string]any{"TARGET_VISITS_PER_DAY": 123, "MATOMO_TOKEN_AUTH": secretToken}}, &p)
	assertNoToken(t, "create preset", body)
	if p.Builtin || p.ID == "" || p.Config["TARGET_VISITS_PER_DAY"] != float64(123) {
		t.Fatalf("created %+v", p)
	}
	if !hasField(p.Warnings, "MATOMO_TOKEN_AUTH") {
		t.Errorf("dropping the token was not reported: %+v", p.Warnings)
	}
	path := "/api/presets/" + p.ID
	e.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"name": "mine2", "config": map[string]any{"CONCURRENCY": 7}}, &p)
	if p.Name != "mine2" || p.Config["CONCURRENCY"] != float64(7) {
		t.Errorf("updated %+v", p)
	}
	// A preset may not take a built-in's name, nor break a rule outside the target settings.
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/presets", map[string]any{"name": "light",
		"config": map[string]any{"CONCURRENCY": 0, "PAGEVIEWS_MIN": "x"}}, &eb)
	for _, f := range []string{"name", "CONCURRENCY", "PAGEVIEWS_MIN"} {
		if !hasField(eb.Errors, f) {
			t.Errorf("no error for %s: %+v", f, eb.Errors)
		}
	}
	e.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil, nil)
	e.mustStatus(http.StatusNotFound, http.MethodGet, path, nil, nil)
}

func TestPresetsExportImport(t *testing.T) {
	e := newEnv(t)
	for _, n := range []string{"a", "b"} {
		e.mustStatus(http.StatusCreated, http.MethodPost, "/api/presets", map[string]any{"name": n, "description": "preset " + n,
			"config": map[string]any{"TARGET_VISITS_PER_DAY": len(n) * 100, "TIMEZONE": "Europe/Stockholm"}}, nil)
	}
	resp, exported := e.request(http.MethodGet, "/api/presets/export", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "presets.json") {
		t.Fatalf("export %d %s", resp.StatusCode, exported)
	}
	var file PresetsFile
	if err := json.Unmarshal(exported, &file); err != nil || len(file.Presets) != 2 || file.Format != presetsFormat {
		t.Fatalf("export file %s (%v)", exported, err)
	}
	// Importing into the same store clashes, unless replace is asked for.
	var eb ErrorBody
	e.mustStatus(http.StatusConflict, http.MethodPost, "/api/presets/import", exported, &eb)
	if !strings.Contains(eb.Error, `"a"`) || !strings.Contains(eb.Error, "replace") {
		t.Errorf("conflict message %q", eb.Error)
	}
	var res PresetsImportResult
	e.mustStatus(http.StatusOK, http.MethodPost, "/api/presets/import?replace=1", exported, &res)
	if res.Replaced != 2 || res.Imported != 0 {
		t.Errorf("replace import %+v", res)
	}

	// Into an empty store, the round trip gives back the same presets.
	e2 := newEnv(t)
	e2.mustStatus(http.StatusOK, http.MethodPost, "/api/presets/import", exported, &res)
	if res.Imported != 2 {
		t.Fatalf("import %+v", res)
	}
	_, again := e2.request(http.MethodGet, "/api/presets/export", nil)
	var file2 PresetsFile
	if err := json.Unmarshal(again, &file2); err != nil || !reflect.DeepEqual(file, file2) {
		t.Errorf("round trip differs:\n%s\n%s", exported, again)
	}
}

func TestPresetsImportChecksEverything(t *testing.T) {
	e := newEnv(t)
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/presets/import", map[string]any{"presets": []any{
		map[string]any{"name": "ok", "config": map[string]any{"CONCURRENCY": 5}},
		map[string]any{"name": "bad", "config": map[string]any{"CONCURRENCY": -5, "NOPE": 1}},
		map[string]any{"name": "ok", "config": map[string]any{}},
	}}, &eb)
	for _, f := range []string{"presets[1].config.CONCURRENCY", "presets[1].config.NOPE", "presets[2].name"} {
		if !hasField(eb.Errors, f) {
			t.Errorf("no error for %s: %+v", f, eb.Errors)
		}
	}
	var list []PresetView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/presets", nil, &list)
	if len(list) != 4 {
		t.Errorf("a failed import stored presets: %d", len(list)-4)
	}
	// The original's snake_case presets (schema version 0) are migrated, and their tokens dropped.
	var res PresetsImportResult
	body := e.mustStatus(http.StatusOK, http.MethodPost, "/api/presets/import", map[string]any{"schema_version": 0, "presets": []any{
		map[string]any{"name": "old", "config": map[string]any{"target_visits_per_day": 777, "matomo_token_auth": secretToken}},
	}}, &res)
	assertNoToken(t, "import v0", body)
	if res.Imported != 1 || res.Presets[0].Config["TARGET_VISITS_PER_DAY"] != float64(777) {
		t.Errorf("v0 import %+v", res)
	}
}
