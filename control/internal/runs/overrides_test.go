package runs

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// Overrides apply settings over a saved config for one run, leave the saved config as it was, and
// refuse targets and tokens.
func TestOverrides(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	saved, err := e.st.CreateConfig(t.Context(), store.Config{Name: "site", Values: *liveConfig()})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.Start(t.Context(), StartRequest{ConfigID: &saved.ID, Mode: ModeBackfill, Overrides: map[string]any{
		"BACKFILL_DAYS_BACK": 4.0, "BACKFILL_DURATION_DAYS": "2", "BACKFILL_MAX_VISITS_PER_DAY": 300.0,
	}})
	if err != nil {
		t.Fatal(err)
	}
	env := rt.started()[0].Env
	for _, want := range []string{"BACKFILL_ENABLED=true", "BACKFILL_DAYS_BACK=4", "BACKFILL_DURATION_DAYS=2", "BACKFILL_MAX_VISITS_PER_DAY=300", "MATOMO_TOKEN_AUTH_FILE=/data/secrets/token_auth"} {
		if !slices.Contains(env, want) {
			t.Errorf("loader env lacks %s", want)
		}
	}
	if v.ConfigID == nil || *v.ConfigID != saved.ID {
		t.Errorf("run not linked to config %d", saved.ID)
	}
	again, _ := e.st.GetConfig(t.Context(), saved.ID)
	if again.Values.BackfillDaysBack != nil || again.Values.BackfillEnabled {
		t.Error("overrides changed the saved config")
	}

	tests := []struct {
		name      string
		overrides map[string]any
		field     string
	}{
		// A token lives with the saved config.
		{"token", map[string]any{"MATOMO_TOKEN_AUTH": "x"}, "MATOMO_TOKEN_AUTH"},
		// So do the targets.
		{"targets", map[string]any{"MATOMO_TARGETS": []any{}}, "MATOMO_TARGETS"},
		// A value of the wrong type is named.
		{"bad value", map[string]any{"CONCURRENCY": "many"}, "CONCURRENCY"},
		// An unknown setting is named.
		{"unknown", map[string]any{"CONCURENCY": 5.0}, "CONCURENCY"},
		// A value out of range fails validation like any config.
		{"range", map[string]any{"CONCURRENCY": 0.0}, "CONCURRENCY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Start(t.Context(), StartRequest{ConfigID: &saved.ID, Overrides: tt.overrides})
			var ps config.Problems
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ps) {
				t.Fatalf("Start: %v, want ErrInvalid with problems", err)
			}
			found := false
			for _, p := range ps {
				found = found || strings.HasPrefix(p.Field, tt.field)
			}
			if !found {
				t.Fatalf("problems %v do not name %s", ps, tt.field)
			}
		})
	}
}
