package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

const (
	secretToken  = "0123456789abcdef0123456789abcdef"
	secretToken2 = "fedcba9876543210fedcba9876543210"
)

// assertNoToken fails when a response body holds a token.
func assertNoToken(t *testing.T, what string, body []byte) {
	t.Helper()
	for _, tok := range []string{secretToken, secretToken2} {
		if strings.Contains(string(body), tok) {
			t.Fatalf("%s: response contains a token: %s", what, body)
		}
	}
}

func TestConfigsCRUD(t *testing.T) {
	e := newEnv(t)
	cfg := validConfig("https://m.example/matomo.php")
	var created ConfigView
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/configs",
		map[string]any{"name": " shop ", "description": "d", "config": cfg}, &created)
	if created.ID == 0 || created.Name != "shop" || created.Config["TARGET_VISITS_PER_DAY"] != float64(1000) {
		t.Fatalf("created %+v", created)
	}
	path := "/api/configs/" + strconv.FormatInt(created.ID, 10)

	var got ConfigView
	e.mustStatus(http.StatusOK, http.MethodGet, path, nil, &got)
	if got.Name != "shop" || got.Config["MATOMO_URL"] != "https://m.example/matomo.php" {
		t.Errorf("get %+v", got)
	}
	var list []ConfigView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/configs", nil, &list)
	if len(list) != 1 || list[0].ID != created.ID {
		t.Errorf("list %+v", list)
	}

	cfg["CONCURRENCY"] = 20
	var updated ConfigView
	e.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"name": "shop2", "config": cfg}, &updated)
	if updated.Name != "shop2" || updated.Config["CONCURRENCY"] != float64(20) {
		t.Errorf("updated %+v", updated)
	}

	// A second config with a taken name is a conflict that names it.
	var eb ErrorBody
	e.mustStatus(http.StatusConflict, http.MethodPost, "/api/configs", map[string]any{"name": "shop2", "config": cfg}, &eb)
	if !strings.Contains(eb.Error, `"shop2"`) {
		t.Errorf("conflict message %q", eb.Error)
	}
	e.mustStatus(http.StatusNoContent, http.MethodDelete, path, nil, nil)
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		e.mustStatus(http.StatusNotFound, m, path, nil, nil)
	}
	e.mustStatus(http.StatusNotFound, http.MethodPut, path, map[string]any{"name": "x", "config": cfg}, nil)
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/configs/abc", nil, nil)
}

func TestConfigInvalidListsEveryError(t *testing.T) {
	e := newEnv(t)
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPost, "/api/configs", map[string]any{
		"name": "", "description": strings.Repeat("x", 501),
		"config": map[string]any{"MATOMO_SITE_ID": -1, "CONCURRENCY": 100001},
	}, &eb)
	// The envelope's problems and the config's come together.
	for _, f := range []string{"name", "description", "MATOMO_URL", "MATOMO_SITE_ID", "CONCURRENCY"} {
		if !hasField(eb.Errors, f) {
			t.Errorf("no error for %s: %+v", f, eb.Errors)
		}
	}
	var list []ConfigView
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/configs", nil, &list)
	if len(list) != 0 {
		t.Errorf("an invalid config was saved: %+v", list)
	}
}

// Tokens are write-only: saved, never shown, kept when a form sends them blank, removed only on
// request.
func TestConfigTokensWriteOnly(t *testing.T) {
	e := newEnv(t)
	cfg := validConfig("https://m.example/matomo.php")
	cfg["MATOMO_TOKEN_AUTH"] = secretToken
	var v ConfigView
	body := e.mustStatus(http.StatusCreated, http.MethodPost, "/api/configs", map[string]any{"name": "t", "config": cfg}, &v)
	assertNoToken(t, "create", body)
	if !v.TokenSet["MATOMO_TOKEN_AUTH"] {
		t.Fatalf("token_set %+v", v.TokenSet)
	}
	path := "/api/configs/" + strconv.FormatInt(v.ID, 10)
	for _, p := range []string{path, "/api/configs", path + "/env"} {
		assertNoToken(t, "GET "+p, e.mustStatus(http.StatusOK, http.MethodGet, p, nil, nil))
	}

	// A PUT with a blank token keeps the stored one; a backfill config, which needs the token,
	// validates because of it.
	cfg["MATOMO_TOKEN_AUTH"] = ""
	cfg["BACKFILL_ENABLED"] = true
	cfg["BACKFILL_DAYS_BACK"] = 3
	cfg["BACKFILL_DURATION_DAYS"] = 2
	body = e.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"name": "t", "config": cfg}, &v)
	assertNoToken(t, "put", body)
	if !v.TokenSet["MATOMO_TOKEN_AUTH"] {
		t.Errorf("blank token on PUT wiped the stored one: %+v", v.TokenSet)
	}
	stored, err := e.store.GetConfig(t.Context(), v.ID)
	if err != nil || stored.Values.TokenAuth != secretToken {
		t.Errorf("stored token %v", err)
	}

	// Clearing the token of a backfill config is refused: backfill needs one.
	var eb ErrorBody
	e.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"name": "t", "config": cfg,
		"clear_tokens": []string{"MATOMO_TOKEN_AUTH"}}, &eb)
	if !hasField(eb.Errors, "MATOMO_TOKEN_AUTH") {
		t.Errorf("clearing a needed token: %+v", eb.Errors)
	}
	// Without backfill, clear_tokens removes it.
	cfg["BACKFILL_ENABLED"] = false
	e.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"name": "t", "config": cfg,
		"clear_tokens": []string{"MATOMO_TOKEN_AUTH"}}, &v)
	if v.TokenSet["MATOMO_TOKEN_AUTH"] {
		t.Errorf("clear_tokens did not clear: %+v", v.TokenSet)
	}
	// An unknown slot is named.
	e.mustStatus(http.StatusBadRequest, http.MethodPut, path, map[string]any{"name": "t", "config": cfg,
		"clear_tokens": []string{"token"}}, &eb)
	if !hasField(eb.Errors, "clear_tokens[0]") {
		t.Errorf("unknown slot: %+v", eb.Errors)
	}
}

// Each target of MATOMO_TARGETS has its own write-only token, kept by target name.
func TestConfigTargetTokens(t *testing.T) {
	e := newEnv(t)
	targets := func(tokA, tokB string) []any {
		return []any{
			map[string]any{"name": "a", "url": "https://a.example/matomo.php", "site_id": 1, "token_auth": tokA},
			map[string]any{"name": "b", "url": "https://b.example/matomo.php", "site_id": 2, "token_auth": tokB},
		}
	}
	cfg := map[string]any{"MATOMO_TARGETS": targets(secretToken, secretToken2), "TARGET_MODE": "mirror"}
	var v ConfigView
	body := e.mustStatus(http.StatusCreated, http.MethodPost, "/api/configs", map[string]any{"name": "multi", "config": cfg}, &v)
	assertNoToken(t, "create", body)
	if !v.TokenSet["target:a"] || !v.TokenSet["target:b"] {
		t.Fatalf("token_set %+v", v.TokenSet)
	}
	path := "/api/configs/" + strconv.FormatInt(v.ID, 10)
	cfg["MATOMO_TARGETS"] = targets("", "")
	body = e.mustStatus(http.StatusOK, http.MethodPut, path, map[string]any{"name": "multi", "config": cfg,
		"clear_tokens": []string{"target:b"}}, &v)
	assertNoToken(t, "put", body)
	if !v.TokenSet["target:a"] || v.TokenSet["target:b"] {
		t.Errorf("after keep a / clear b: %+v", v.TokenSet)
	}
}
