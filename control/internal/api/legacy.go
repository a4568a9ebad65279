package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// The original tool's endpoints act on one container; here they act on the "default" run: the
// active run named "default", else the newest one, started from the saved config named "default".
const defaultName = "default"

// LegacyStatus is GET /api/status in the original's shape, plus the full run.
type LegacyStatus struct {
	Container LegacyContainer `json:"container"`
	Config    LegacyConfig    `json:"config"`
	Stats     LegacyStats     `json:"stats"`
	Run       *runs.View      `json:"run,omitempty"`
}

// LegacyContainer describes the default run as the original described its container. State is
// running, created (starting), stopping, stopped (finished) or not_found.
type LegacyContainer struct {
	State     string     `json:"state"`
	Name      string     `json:"name"`
	ID        string     `json:"id,omitempty"`
	Uptime    string     `json:"uptime,omitempty"`
	Created   *time.Time `json:"created,omitempty"`
	StartedAt *time.Time `json:"started_at,omitempty"`
}

// LegacyConfig is the run's config. Unlike the original, tokens are left out rather than shown as
// "***MASKED***" (which the original's UI then saved back, wiping the token: its bug 17).
type LegacyConfig struct {
	Env      map[string]any `json:"env"`
	Masked   bool           `json:"masked"`
	TokenSet bool           `json:"token_set"`
}

// LegacyStats are measured figures (the original reported null and the configured target).
type LegacyStats struct {
	Uptime          string  `json:"uptime"`
	VisitsGenerated *int64  `json:"visits_generated"`
	CurrentRate     string  `json:"current_rate"`
	VisitsPerMinute float64 `json:"visits_per_minute"`
}

// LegacyAction is the answer of the legacy start, stop, restart and config/apply endpoints.
type LegacyAction struct {
	Success            bool   `json:"success"`
	Message            string `json:"message"`
	State              string `json:"state"`
	RunID              string `json:"run_id,omitempty"`
	ContainerRestarted bool   `json:"container_restarted"`
	Error              string `json:"error,omitempty"`
}

// LegacyStartRequest is the optional body of POST /api/start. A config is saved as "default" first.
type LegacyStartRequest struct {
	Config           map[string]any `json:"config,omitempty"`
	RestartIfRunning bool           `json:"restart_if_running"`
}

// LegacyApplyRequest is POST /api/config/apply.
type LegacyApplyRequest struct {
	Config map[string]any `json:"config" validate:"required"`
}

// LegacyLogs is GET /api/logs: the default run's last lines as one text.
type LegacyLogs struct {
	Logs           string `json:"logs"`
	LinesReturned  int    `json:"lines_returned"`
	ContainerState string `json:"container_state"`
}

// defaultRun finds the default run; ok is false when there is none.
func (s *Server) defaultRun(ctx context.Context) (runs.View, bool, error) {
	vs, err := s.runs.List(ctx, runs.ListFilter{})
	if err != nil {
		return runs.View{}, false, err
	}
	var best *runs.View
	for i := range vs {
		v := &vs[i]
		if v.Name != defaultName {
			continue
		}
		if best == nil || (store.IsActive(v.State) && !store.IsActive(best.State)) ||
			(store.IsActive(v.State) == store.IsActive(best.State) && v.CreatedAt.After(best.CreatedAt)) {
			best = v
		}
	}
	if best == nil {
		return runs.View{}, false, nil
	}
	return *best, true, nil
}

// defaultConfig finds the saved config named "default".
func (s *Server) defaultConfig(ctx context.Context) (store.Config, bool, error) {
	cs, err := s.store.ListConfigs(ctx)
	if err != nil {
		return store.Config{}, false, err
	}
	for _, c := range cs {
		if c.Name == defaultName {
			return c, true, nil
		}
	}
	return store.Config{}, false, nil
}

// legacyState maps a run state onto the original's container states.
func legacyState(state string) string {
	switch state {
	case store.StateRunning:
		return "running"
	case store.StatePending, store.StateStarting:
		return "created"
	case store.StateStopping:
		return "stopping"
	case "":
		return "not_found"
	}
	return "stopped"
}

func (s *Server) legacyStatus(c echo.Context) error {
	v, ok, err := s.defaultRun(c.Request().Context())
	if err != nil {
		return err
	}
	out := LegacyStatus{Container: LegacyContainer{State: "not_found", Name: defaultName},
		Config: LegacyConfig{Env: map[string]any{}, Masked: true}, Stats: LegacyStats{CurrentRate: "0 visits/min"}}
	if !ok {
		return c.JSON(http.StatusOK, out)
	}
	uptime := (time.Duration(v.Uptime * float64(time.Second))).Round(time.Second).String()
	visits := v.Total.VisitsStarted
	out.Container = LegacyContainer{State: legacyState(v.State), Name: defaultName, ID: v.ID, Uptime: uptime,
		Created: &v.CreatedAt, StartedAt: v.StartedAt}
	out.Config = LegacyConfig{Env: nonNilMap(v.Config), Masked: true, TokenSet: v.TokenSet}
	out.Stats = LegacyStats{Uptime: uptime, VisitsGenerated: &visits, VisitsPerMinute: v.Total.AchievedPerMin,
		CurrentRate: formatRate(v.Total.AchievedPerMin)}
	out.Run = &v
	return c.JSON(http.StatusOK, out)
}

func formatRate(perMin float64) string {
	return strconv.FormatFloat(perMin, 'f', 1, 64) + " visits/min"
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// legacyTimeout checks the original's ?timeout= (1 to 60 s). Runs stop with the control's own
// grace period, so the value is only validated.
func legacyTimeout(c echo.Context) error {
	v := c.QueryParam("timeout")
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 60 {
		return invalidField("timeout", truncateText(v, 20), "must be a whole number of seconds from 1 to 60")
	}
	return nil
}

// legacyConfigMap accepts the original's snake_case keys (matomo_url, target_visits_per_day, ...)
// besides env names. A lower-case key that names no setting is kept as it is, so that it is
// reported as unknown, with a suggestion.
func legacyConfigMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k == strings.ToLower(k) {
			if mig, err := config.Migrate(0, map[string]any{k: v}); err == nil && len(mig) == 1 {
				for nk, nv := range mig {
					out[nk] = nv
				}
				continue
			}
		}
		out[k] = v
	}
	return out
}

// saveDefaultConfig validates m and saves it as the config named "default" (created, or updated
// keeping stored tokens that m leaves blank).
func (s *Server) saveDefaultConfig(ctx context.Context, m map[string]any) (store.Config, error) {
	m = legacyConfigMap(m)
	stored, ok, err := s.defaultConfig(ctx)
	if err != nil {
		return store.Config{}, err
	}
	var prev *config.Config
	if ok {
		prev = &stored.Values
	}
	values, _, err := checkConfig(m, prev, nil)
	if err != nil {
		return store.Config{}, err
	}
	if ok {
		stored.Values = values
		return s.store.UpdateConfig(ctx, stored)
	}
	return s.store.CreateConfig(ctx, store.Config{Name: defaultName, Description: "used by the legacy /api/start, /api/restart and /api/config/apply", Values: values})
}

// startDefault starts a new default run from the saved default config.
func (s *Server) startDefault(ctx context.Context) (runs.View, error) {
	cfg, ok, err := s.defaultConfig(ctx)
	if err != nil {
		return runs.View{}, err
	}
	if !ok {
		return runs.View{}, public(store.ErrNotFound,
			"no config named \"default\": save one with POST /api/config/apply or POST /api/configs")
	}
	return s.runs.Start(ctx, runs.StartRequest{Name: defaultName, ConfigID: &cfg.ID})
}

// readOptional binds an optional JSON body: an empty body leaves dst as it is.
func (s *Server) readOptional(c echo.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return s.bindBytes(body, dst)
}

// isActive tells whether a found default run is still active.
func isActive(v runs.View, found bool) bool {
	return found && slices.Contains(store.ActiveStates(), v.State)
}

// asConflict reports whether err means the run's state changed under us (already stopped).
func asConflict(err error) bool { return errors.Is(err, runs.ErrConflict) }
