package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// RunRequest starts a run from a saved config (config_id) or an inline config (exactly one), or
// resumes a stopped backfill (resume_of). Mode "backfill" forces BACKFILL_ENABLED=true, "live"
// forces it false, "" follows the config. Loaders splits a live run over that many containers.
type RunRequest struct {
	Name       string         `json:"name" validate:"namelen,safename"`
	Mode       string         `json:"mode" validate:"omitempty,oneof=live backfill"`
	ConfigID   *int64         `json:"config_id,omitempty"`
	Config     map[string]any `json:"config,omitempty"`
	Loaders    int            `json:"loaders" validate:"loaders"`
	URLSetID   *int64         `json:"url_set_id,omitempty"`
	EventSetID *int64         `json:"event_set_id,omitempty"`
	// ScenarioID passes a stored scenario to the loaders as SCENARIO_FILE; absent: the default
	// scenario, if one is marked so.
	ScenarioID *int64 `json:"scenario_id,omitempty"`
	// CampaignSetID and DimensionSetID choose a campaign catalogue and custom dimension
	// definitions; absent: the default set of the kind, if any (else the built-in catalogue, and
	// no dimensions).
	CampaignSetID  *int64 `json:"campaign_set_id,omitempty"`
	DimensionSetID *int64 `json:"dimension_set_id,omitempty"`
	ResumeOf       string `json:"resume_of,omitempty" validate:"max=64"`
	// Overrides apply settings over the saved config (config_id) for this run only.
	Overrides map[string]any `json:"overrides,omitempty"`
	// Limits bound each loader container (memory, CPUs, processes); absent fields take the defaults.
	Limits *runs.Limits `json:"limits,omitempty"`
	// Placement constrains which nodes of a Docker Swarm run the loaders; only on a swarm.
	Placement []string `json:"placement,omitempty" validate:"omitempty,placements,dive,constraintlen" doc:"Swarm placement constraints of the run's loaders, all of which a node must meet, e.g. [\"node.role==worker\", \"node.labels.loadgen==true\"]. Only when the control runs loaders on a Docker Swarm. Absent on a resumed run: the placement it ran with."`
}

// maxRunIDLen bounds path ids handed to the run service (real ids are 12 hex digits).
const maxRunIDLen = 64

func runID(c echo.Context) (string, error) {
	id := c.Param("id")
	if id == "" || len(id) > maxRunIDLen {
		return "", public(store.ErrNotFound, "run not found")
	}
	return id, nil
}

// runErr adds the run id to not-found and conflict messages.
func runErr(err error, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, runs.ErrNotFound):
		return public(err, "run %q not found", id)
	case errors.Is(err, runs.ErrConflict):
		return public(err, "run %q: its current state does not allow this", id)
	}
	return err
}

func (s *Server) startRun(c echo.Context) error {
	var req RunRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	sr, err := s.startRequest(c, req)
	if err != nil {
		return err
	}
	v, err := s.runs.Start(c.Request().Context(), sr)
	if err != nil {
		return runErr(err, req.ResumeOf)
	}
	return c.JSON(http.StatusCreated, v)
}

// startRequest checks a RunRequest against the store and turns it into the service's request.
// Inline configs are validated here (with the mode applied), so that every problem is listed.
func (s *Server) startRequest(c echo.Context, req RunRequest) (runs.StartRequest, error) {
	ctx := c.Request().Context()
	sr := runs.StartRequest{Name: strings.TrimSpace(req.Name), Mode: req.Mode, Loaders: req.Loaders,
		URLSetID: req.URLSetID, EventSetID: req.EventSetID, ScenarioID: req.ScenarioID, CampaignSetID: req.CampaignSetID,
		DimensionSetID: req.DimensionSetID, ResumeOf: req.ResumeOf}
	if req.Limits != nil {
		sr.Limits = *req.Limits
	}
	sr.Placement = req.Placement
	given := 0
	for _, set := range []bool{req.ConfigID != nil, req.Config != nil, req.ResumeOf != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return sr, invalidField("config_id", "", "give exactly one of config_id, config or resume_of")
	}
	if req.Overrides != nil && req.ConfigID == nil {
		return sr, invalidField("overrides", "", "overrides apply to a saved config: give config_id (or put the settings in the inline config)")
	}
	switch {
	case req.ConfigID != nil:
		if _, err := s.store.GetConfig(ctx, *req.ConfigID); err != nil {
			return sr, invalidField("config_id", itoa(*req.ConfigID), "no saved config has this id")
		}
		sr.ConfigID, sr.Overrides = req.ConfigID, req.Overrides
	case req.Config != nil:
		cfg, err := inlineRunConfig(req.Config, req.Mode)
		if err != nil {
			return sr, err
		}
		sr.Config = &cfg
	}
	for _, ref := range []struct {
		field string
		id    *int64
		kind  string
	}{{"url_set_id", req.URLSetID, store.KindURLs}, {"event_set_id", req.EventSetID, store.KindEvents}, {"scenario_id", req.ScenarioID, store.KindScenarios},
		{"campaign_set_id", req.CampaignSetID, store.KindCampaigns}, {"dimension_set_id", req.DimensionSetID, store.KindDimensions}} {
		if ref.id == nil {
			continue
		}
		if cs, err := s.store.GetContentSet(ctx, *ref.id); err != nil || cs.Kind != ref.kind {
			return sr, invalidField(ref.field, itoa(*ref.id), "no %s set has this id", ref.kind)
		}
	}
	return sr, nil
}

// inlineRunConfig checks a config given with the run, with the run's mode applied.
func inlineRunConfig(m map[string]any, mode string) (config.Config, error) {
	withMode := func(c config.Config) config.Config {
		switch mode {
		case runs.ModeBackfill:
			c.BackfillEnabled = true
		case runs.ModeLive:
			c.BackfillEnabled = false
		}
		return c
	}
	cfg, probs := config.Check(config.JSON(m), config.ValidateAs(withMode))
	if probs.Err() != nil {
		return cfg, invalid("invalid configuration", probs) // fields are env names, as in /api/validate
	}
	return withMode(cfg), nil
}

// maxListLimit bounds ?limit= on the runs list.
const maxListLimit = 10_000

func (s *Server) listRuns(c echo.Context) error {
	f := runs.ListFilter{ActiveOnly: truthy(c.QueryParam("active"))}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxListLimit {
			return invalidField("limit", v, "must be a whole number from 1 to %d", maxListLimit)
		}
		f.Limit = n
	}
	vs, err := s.runs.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, nonNil(vs))
}

func (s *Server) getRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	v, err := s.runs.Get(c.Request().Context(), id)
	if err != nil {
		return runErr(err, id)
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) stopRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	v, err := s.runs.Stop(c.Request().Context(), id)
	if err != nil {
		return runErr(err, id)
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) restartRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	v, err := s.runs.Restart(c.Request().Context(), id)
	if err != nil {
		return runErr(err, id)
	}
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) deleteRun(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	if err := s.runs.Delete(c.Request().Context(), id); err != nil {
		if errors.Is(err, runs.ErrConflict) {
			return public(err, "run %q is still active; stop it first", id)
		}
		return runErr(err, id)
	}
	return c.NoContent(http.StatusNoContent)
}
