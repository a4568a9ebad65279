package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/presets"
)

// PresetRequest creates or replaces a user preset. Presets never hold tokens: any token given is
// dropped, with a warning.
type PresetRequest struct {
	Name        string         `json:"name" validate:"notblank,namelen,safename"`
	Description string         `json:"description" validate:"desclen"`
	Config      map[string]any `json:"config" validate:"required"`
}

// PresetView is a built-in or user preset. ID is the built-in's name ("medium") or the user
// preset's number as a string ("12"); built-ins are read-only. A built-in's Config holds only the
// settings its env file sets; a user preset's holds every setting.
type PresetView struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Builtin     bool            `json:"builtin"`
	Config      map[string]any  `json:"config"`
	Warnings    config.Problems `json:"warnings,omitempty"`
	CreatedAt   *time.Time      `json:"created_at,omitempty"`
	UpdatedAt   *time.Time      `json:"updated_at,omitempty"`
}

func userPresetView(p store.Preset, warns config.Problems) PresetView {
	return PresetView{ID: strconv.FormatInt(p.ID, 10), Name: p.Name, Description: p.Description,
		Config: redactedMap(p.Values), Warnings: warns, CreatedAt: &p.CreatedAt, UpdatedAt: &p.UpdatedAt}
}

// builtinPreset returns the built-in preset called name, typed by the schema.
func builtinPreset(name string) (PresetView, bool) {
	if !slices.Contains(presets.Names, name) {
		return PresetView{}, false
	}
	env, err := presets.Env(name)
	if err != nil {
		return PresetView{}, false // an embedded file that does not parse fails pkg/presets' tests
	}
	raw := make(map[string]any, len(env))
	for k, v := range env {
		raw[k] = v
	}
	cfg, _ := config.FromMap(raw)
	full := redactedMap(cfg)
	out := make(map[string]any, len(env))
	for k := range env {
		if v, ok := full[k]; ok {
			out[k] = v
		}
	}
	return PresetView{ID: name, Name: name, Description: presets.Description(name), Builtin: true, Config: out}, true
}

func (s *Server) listPresets(c echo.Context) error {
	out := make([]PresetView, 0, len(presets.Names))
	for _, n := range presets.Names {
		if p, ok := builtinPreset(n); ok {
			out = append(out, p)
		}
	}
	ps, err := s.store.ListPresets(c.Request().Context())
	if err != nil {
		return err
	}
	for _, p := range ps {
		out = append(out, userPresetView(p, nil))
	}
	return c.JSON(http.StatusOK, out)
}

// presetRef resolves the {id} of a preset path: a built-in name or a user preset number.
func (s *Server) presetRef(c echo.Context) (builtin *PresetView, user *store.Preset, err error) {
	raw := c.Param("id")
	if p, ok := builtinPreset(raw); ok {
		return &p, nil, nil
	}
	id, err := pathID(c, "preset")
	if err != nil {
		return nil, nil, err
	}
	p, err := s.store.GetPreset(c.Request().Context(), id)
	if err != nil {
		return nil, nil, public(err, "preset %d not found", id)
	}
	return nil, &p, nil
}

func (s *Server) getPreset(c echo.Context) error {
	b, u, err := s.presetRef(c)
	switch {
	case err != nil:
		return err
	case b != nil:
		return c.JSON(http.StatusOK, b)
	}
	return c.JSON(http.StatusOK, userPresetView(*u, nil))
}

// readOnlyBuiltin answers writes to a built-in preset.
func readOnlyBuiltin(c echo.Context, name string) error {
	c.Response().Header().Set(echo.HeaderAllow, http.MethodGet)
	return echo.NewHTTPError(http.StatusMethodNotAllowed,
		"the built-in preset "+strconv.Quote(name)+" is read-only; save a copy as a user preset (POST /api/presets)")
}

func (s *Server) createPreset(c echo.Context) error {
	in, err := s.presetInput(c)
	if err != nil {
		return err
	}
	p, err := s.store.CreatePreset(c.Request().Context(), in.preset)
	if err != nil {
		return nameTaken(err, "preset", in.preset.Name)
	}
	return c.JSON(http.StatusCreated, userPresetView(p, in.warns))
}

// presetInput is a decoded and checked preset request.
type presetInput struct {
	preset store.Preset
	warns  config.Problems
}

// presetInput decodes a PresetRequest and checks it: every problem of the body, the name (not a
// built-in's) and the config comes back at once.
func (s *Server) presetInput(c echo.Context) (presetInput, error) {
	var req PresetRequest
	envelope, err := s.decode(c, &req)
	if err != nil {
		return presetInput{}, err
	}
	name := strings.TrimSpace(req.Name)
	if _, ok := builtinPreset(name); ok {
		envelope = append(envelope, config.Errorf("name", name, "is the name of a built-in preset; choose another"))
	}
	values, warns, err := checkPreset(req.Config)
	if err := withEnvelope(envelope, err); err != nil {
		return presetInput{}, err
	}
	return presetInput{preset: store.Preset{Name: name, Description: req.Description, Values: values}, warns: warns}, nil
}

func (s *Server) updatePreset(c echo.Context) error {
	b, u, err := s.presetRef(c)
	switch {
	case err != nil:
		return err
	case b != nil:
		return readOnlyBuiltin(c, b.Name)
	}
	in, err := s.presetInput(c)
	if err != nil {
		return err
	}
	in.preset.ID = u.ID
	p, err := s.store.UpdatePreset(c.Request().Context(), in.preset)
	if err != nil {
		return nameTaken(err, "preset", in.preset.Name)
	}
	return c.JSON(http.StatusOK, userPresetView(p, in.warns))
}

func (s *Server) deletePreset(c echo.Context) error {
	b, u, err := s.presetRef(c)
	switch {
	case err != nil:
		return err
	case b != nil:
		return readOnlyBuiltin(c, b.Name)
	}
	if err := s.store.DeletePreset(c.Request().Context(), u.ID); err != nil {
		return public(err, "preset %d not found", u.ID)
	}
	return c.NoContent(http.StatusNoContent)
}

// checkPreset checks a preset's config with config.Check. A preset is a starting point that is
// shared between targets, so the target settings are not required to be complete (the built-ins
// carry the placeholder URL); everything else is validated like a config. Tokens are dropped with a
// warning.
func checkPreset(m map[string]any) (config.Config, config.Problems, error) {
	if m == nil {
		return config.Config{}, nil, nil // missing or mistyped: the envelope's problems say so
	}
	c, probs := config.Check(config.JSON(m), config.Ignore(isTargetProblem))
	if hasToken(c) {
		probs = append(probs, config.Warnf("MATOMO_TOKEN_AUTH", "***", "dropped: presets never hold tokens; set the token in the config"))
		c = c.Redacted()
	}
	if probs.Err() != nil {
		return c, probs.Warnings(), invalid("invalid preset", probs)
	}
	return c, probs.Warnings(), nil
}

// isTargetProblem tells problems about where traffic goes (URL, site, targets, tokens), which a
// preset may leave open.
func isTargetProblem(p config.Problem) bool {
	return strings.HasPrefix(p.Field, "MATOMO_")
}

func hasToken(c config.Config) bool {
	if c.TokenAuth != "" {
		return true
	}
	for _, t := range c.Targets {
		if t.Token != "" {
			return true
		}
	}
	return false
}
