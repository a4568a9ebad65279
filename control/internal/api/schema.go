package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/presets"
	"github.com/trafficinator/trafficinator/pkg/version"
)

// SchemaResponse is GET /api/schema: everything a form needs to render and check a config. It is
// pkg/config's field table, so the UI cannot drift from the loader.
type SchemaResponse struct {
	SchemaVersion int                `json:"schema_version"`
	Groups        []string           `json:"groups"`
	Fields        []config.FieldInfo `json:"fields"`
	// TargetFields is the schema of one MATOMO_TARGETS entry: its keys, types, limits and defaults.
	TargetFields []config.FieldInfo `json:"target_fields"`
	// TokenSlots explains the keys of token_set and clear_tokens.
	TokenSlots []string     `json:"token_slots"`
	Presets    []string     `json:"presets"`
	Limits     SchemaLimits `json:"limits"`
}

// SchemaLimits are the API's own limits and defaults, outside the config.
type SchemaLimits struct {
	MaxBodyBytes      int `json:"max_body_bytes"`
	MaxUploadBytes    int `json:"max_upload_bytes"`
	MaxBackfillDays   int `json:"max_backfill_days"`
	NameMaxChars      int `json:"name_max_chars"`        // configs, presets, URL and event sets, runs
	DescriptionMax    int `json:"description_max_chars"` // configs and presets
	MaxLoaders        int `json:"max_loaders"`           // loader containers of one live run
	DefaultLoaders    int `json:"default_loaders"`       // when a run request gives none
	LogTailMax        int `json:"log_tail_max"`
	ConnectionTimeout int `json:"connection_test_timeout_max_s"`
}

func (s *Server) getSchema(c echo.Context) error {
	return c.JSON(http.StatusOK, SchemaResponse{
		SchemaVersion: config.SchemaVersion,
		Groups:        config.Groups,
		Fields:        config.Fields(),
		TargetFields:  config.TargetFields(),
		TokenSlots:    []string{"MATOMO_TOKEN_AUTH", "target:<target name>"},
		Presets:       presets.Names,
		Limits: SchemaLimits{MaxBodyBytes: MaxBodyBytes, MaxUploadBytes: MaxUploadBytes,
			MaxBackfillDays: config.MaxBackfillDays, NameMaxChars: config.MaxNameChars, DescriptionMax: maxDescriptionChars,
			MaxLoaders: runs.MaxLoaders, DefaultLoaders: runs.DefaultLoaders, LogTailMax: maxLogTail, ConnectionTimeout: maxTestTimeout},
	})
}

// ValidateRequest is POST /api/validate. ConfigID, when given, names the saved config the form
// edits: its stored tokens stand in for blank ones, as they would when saving.
type ValidateRequest struct {
	Config   map[string]any `json:"config" validate:"required"`
	ConfigID *int64         `json:"config_id,omitempty"`
}

// ValidateResponse lists every problem at once. Valid is false when there is at least one error.
type ValidateResponse struct {
	Valid    bool            `json:"valid"`
	Errors   config.Problems `json:"errors"`
	Warnings config.Problems `json:"warnings"`
}

func (s *Server) validateConfig(c echo.Context) error {
	var req ValidateRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	stored, err := s.storedConfig(c, req.ConfigID)
	if err != nil {
		return err
	}
	_, warns, err := checkConfig(req.Config, stored, nil)
	resp := ValidateResponse{Valid: err == nil, Errors: config.Problems{}, Warnings: nonNil(warns)}
	var inv *invalidError
	if errors.As(err, &inv) {
		resp.Errors = inv.problems.Errors()
	}
	return c.JSON(http.StatusOK, resp)
}

// storedConfig returns the values of the saved config a form edits (nil when id is nil), whose
// stored tokens stand in for blank ones.
func (s *Server) storedConfig(c echo.Context, id *int64) (*config.Config, error) {
	if id == nil {
		return nil, nil
	}
	cfg, err := s.store.GetConfig(c.Request().Context(), *id)
	if err != nil {
		return nil, public(err, "config %d not found", *id)
	}
	return &cfg.Values, nil
}

// HealthResponse is GET /health. It holds no secret and needs no key.
type HealthResponse struct {
	Status      string `json:"status"` // ok, or degraded when Docker does not answer
	Service     string `json:"service"`
	Version     string `json:"version"`
	Docker      string `json:"docker"` // ok or unavailable
	AuthEnabled bool   `json:"auth_enabled"`
	Runtime     string `json:"runtime,omitempty" doc:"How runs' loaders run: containers (of the control's Docker host) or swarm (the replicas of one Swarm service per run). Absent until the Docker Engine has answered."`
}

func (s *Server) health(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	resp := HealthResponse{Status: "ok", Service: "trafficinator-control", Version: version.Version, Docker: "ok", AuthEnabled: true}
	if err := s.runs.Ping(ctx); err != nil {
		resp.Status, resp.Docker = "degraded", "unavailable"
	}
	resp.Runtime = s.runs.Runtime()
	return c.JSON(http.StatusOK, resp)
}

// RootResponse is GET / when no UI is built in: where to go next.
type RootResponse struct {
	Service string `json:"service"`
	Version string `json:"version"`
	OpenAPI string `json:"openapi"`
	Health  string `json:"health"`
}

func (s *Server) root(c echo.Context) error {
	if s.ui != nil {
		return c.Redirect(http.StatusFound, "/ui/")
	}
	return c.JSON(http.StatusOK, RootResponse{Service: "trafficinator-control", Version: version.Version,
		OpenAPI: "/api/openapi.json", Health: "/health"})
}

// addUI serves the embedded UI at /ui/ when one is configured.
func (s *Server) addUI(e *echo.Echo) {
	if s.ui == nil {
		return
	}
	e.GET("/ui", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/ui/") })
	e.StaticFS("/ui/", s.ui)
	s.flags["GET /ui"] = routeFlags{public: true, undoc: true}
	s.flags["GET /ui/*"] = routeFlags{public: true, undoc: true}
}
