package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// ConfigRequest creates or replaces a saved config. Config is keyed by env names. A blank token
// (MATOMO_TOKEN_AUTH, or a target's token_auth) keeps the stored one; ClearTokens removes stored
// tokens by slot (MATOMO_TOKEN_AUTH or target:<name>).
type ConfigRequest struct {
	Name        string         `json:"name" validate:"notblank,namelen,safename"`
	Description string         `json:"description" validate:"desclen"`
	Config      map[string]any `json:"config" validate:"required"`
	ClearTokens []string       `json:"clear_tokens,omitempty" validate:"max=1000"`
}

// ConfigView is a saved config as responses show it: no token, only whether each is set.
type ConfigView struct {
	ID          int64          `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Config      map[string]any `json:"config"`
	// TokenSet says per token slot (MATOMO_TOKEN_AUTH, target:<name>) whether a token is stored.
	TokenSet  map[string]bool `json:"token_set"`
	Warnings  config.Problems `json:"warnings,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

func configView(c store.Config, warns config.Problems) ConfigView {
	return ConfigView{ID: c.ID, Name: c.Name, Description: c.Description, Config: redactedMap(c.Values),
		TokenSet: store.TokenState(c.Values), Warnings: warns, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// pathID reads a numeric id from the path; anything else names no record (404).
func pathID(c echo.Context, what string) (int64, error) {
	raw := c.Param("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, public(store.ErrNotFound, "%s %q not found", what, truncateText(raw, 40))
	}
	return id, nil
}

func (s *Server) listConfigs(c echo.Context) error {
	cs, err := s.store.ListConfigs(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]ConfigView, len(cs))
	for i, cfg := range cs {
		out[i] = configView(cfg, nil)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getConfig(c echo.Context) error {
	cfg, err := s.loadConfig(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, configView(cfg, nil))
}

func (s *Server) loadConfig(c echo.Context) (store.Config, error) {
	id, err := pathID(c, "config")
	if err != nil {
		return store.Config{}, err
	}
	cfg, err := s.store.GetConfig(c.Request().Context(), id)
	if err != nil {
		return store.Config{}, public(err, "config %d not found", id)
	}
	return cfg, nil
}

func (s *Server) createConfig(c echo.Context) error {
	var req ConfigRequest
	envelope, err := s.decode(c, &req)
	if err != nil {
		return err
	}
	values, warns, err := checkConfig(req.Config, nil, nil)
	if err := withEnvelope(envelope, err); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	saved, err := s.store.CreateConfig(c.Request().Context(), store.Config{Name: name, Description: req.Description, Values: values})
	if err != nil {
		return nameTaken(err, "config", name)
	}
	return c.JSON(http.StatusCreated, configView(saved, warns))
}

func (s *Server) updateConfig(c echo.Context) error {
	stored, err := s.loadConfig(c)
	if err != nil {
		return err
	}
	var req ConfigRequest
	envelope, err := s.decode(c, &req)
	if err != nil {
		return err
	}
	envelope = append(envelope, checkTokenKeys(req.ClearTokens)...)
	values, warns, err := checkConfig(req.Config, &stored.Values, req.ClearTokens)
	if err := withEnvelope(envelope, err); err != nil {
		return err
	}
	name := strings.TrimSpace(req.Name)
	saved, err := s.store.UpdateConfig(c.Request().Context(),
		store.Config{ID: stored.ID, Name: name, Description: req.Description, Values: values}, req.ClearTokens...)
	if err != nil {
		return nameTaken(err, "config", name)
	}
	return c.JSON(http.StatusOK, configView(saved, warns))
}

func (s *Server) deleteConfig(c echo.Context) error {
	id, err := pathID(c, "config")
	if err != nil {
		return err
	}
	if err := s.store.DeleteConfig(c.Request().Context(), id); err != nil {
		return public(err, "config %d not found", id)
	}
	return c.NoContent(http.StatusNoContent)
}

// configEnv exports a saved config as an env file for `docker run --env-file` (tokens left out).
func (s *Server) configEnv(c echo.Context) error {
	cfg, err := s.loadConfig(c)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Trafficinator config %q (schema version %d). Tokens are never exported:\n", cfg.Name, config.SchemaVersion)
	b.WriteString("# add MATOMO_TOKEN_AUTH (or token_auth in MATOMO_TARGETS) yourself.\n")
	for _, kv := range config.Encode(cfg.Values.Redacted()) {
		b.WriteString(kv)
		b.WriteByte('\n')
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="trafficinator.env"`)
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// nameTaken turns a store conflict into a message that names the clash.
func nameTaken(err error, what, name string) error {
	if errors.Is(err, store.ErrConflict) {
		return public(err, "a %s named %q already exists", what, name)
	}
	if errors.Is(err, store.ErrNotFound) {
		return public(err, "%s not found", what)
	}
	return err
}

// truncateText shortens user input echoed in a message.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
