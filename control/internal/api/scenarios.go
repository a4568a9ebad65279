package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/presets"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// scenarioSets are stored scenarios (SCENARIO_FILE). The built-in one is the shop example of
// presets/, read-only; a run passes the chosen (or default) scenario to its loaders as a file.
var scenarioSets = setKind{kind: store.KindScenarios, noun: "scenario", builtin: builtinScenario, mime: mimeText, ext: ".yaml",
	check: func(text string) (ContentSetView, config.Problems) {
		sc, ps := scenario.Parse([]byte(text), "")
		n := 0
		if sc != nil {
			n = len(sc.Segments)
		}
		return ContentSetView{Count: &n, Content: &text}, ps
	}}

func builtinScenario() string {
	b, _ := presets.Scenario("shop") // embedded: always there
	return string(b)
}

// ScenarioSetRequest creates or replaces a stored scenario: Content is the YAML or JSON text. On
// PUT, a missing content keeps the stored one and a missing default keeps the flag.
type ScenarioSetRequest struct {
	Name    string  `json:"name" validate:"notblank,namelen,safename"`
	Content *string `json:"content"`
	Default *bool   `json:"default,omitempty"`
}

func (r *ScenarioSetRequest) parts() (string, string, bool, *bool, error) {
	if r.Content == nil {
		return r.Name, "", false, r.Default, nil
	}
	return r.Name, *r.Content, true, r.Default, nil
}

func (s *Server) createScenarioSet(c echo.Context) error {
	return createSet[ScenarioSetRequest](s, c, scenarioSets)
}
func (s *Server) updateScenarioSet(c echo.Context) error {
	return updateSet[ScenarioSetRequest](s, c, scenarioSets)
}

// ScenarioRequest is a scenario to validate or preview: its text (content) or a stored one
// (scenario_id, "builtin" not accepted: give its content), the settings it composes (config, or a
// saved config's config_id; the defaults when neither), and for a preview the day to show (date,
// YYYY-MM-DD; today when absent) and the seed of random spikes.
type ScenarioRequest struct {
	Content    *string        `json:"content,omitempty"`
	ScenarioID *int64         `json:"scenario_id,omitempty"`
	Config     map[string]any `json:"config,omitempty"`
	ConfigID   *int64         `json:"config_id,omitempty"`
	Date       string         `json:"date,omitempty" validate:"omitempty,max=10"`
	Seed       *int64         `json:"seed,omitempty"`
}

// ScenarioValidation is a scenario's check: every problem of the file (paths such as
// segments[2].share, with the line) and of its segments' settings against the config.
type ScenarioValidation struct {
	Valid    bool            `json:"valid"`
	Errors   config.Problems `json:"errors"`
	Warnings config.Problems `json:"warnings"`
	// Count is the number of segments; Shares lists each one's name and share.
	Count  int              `json:"count"`
	Shares []scenario.Share `json:"shares"`
}

// resolveScenario reads a ScenarioRequest: the scenario's text, the config, and every problem of both.
func (s *Server) resolveScenario(c echo.Context, req ScenarioRequest) (*scenario.Scenario, []scenario.Compiled, config.Config, config.Problems, error) {
	var text string
	switch {
	case req.Content != nil && req.ScenarioID != nil:
		return nil, nil, config.Config{}, nil, invalidField("scenario_id", itoa(*req.ScenarioID), "give content or scenario_id, not both")
	case req.Content != nil:
		text = *req.Content
	case req.ScenarioID != nil:
		cs, err := s.store.GetContentSet(c.Request().Context(), *req.ScenarioID)
		if err != nil || cs.Kind != store.KindScenarios {
			return nil, nil, config.Config{}, nil, invalidField("scenario_id", itoa(*req.ScenarioID), "no scenario has this id")
		}
		text = cs.Content
	}
	cfg := config.Default()
	var ps config.Problems
	if req.ConfigID != nil {
		if req.Config != nil {
			return nil, nil, cfg, nil, invalidField("config_id", itoa(*req.ConfigID), "give config or config_id, not both")
		}
		saved, err := s.store.GetConfig(c.Request().Context(), *req.ConfigID)
		if err != nil {
			return nil, nil, cfg, nil, invalidField("config_id", itoa(*req.ConfigID), "no saved config has this id")
		}
		cfg = saved.Values
	}
	if req.Config != nil {
		var cps config.Problems
		cfg, cps = config.FromMap(req.Config)
		ps = append(ps, cps.Under("config")...)
	}
	if text == "" {
		return nil, nil, cfg, ps, nil
	}
	sc, sps := scenario.Parse([]byte(text), "")
	ps = append(ps, sps...)
	if sc == nil {
		return nil, nil, cfg, ps, nil
	}
	segs, cps := sc.Compile(cfg, "")
	return sc, segs, cfg, append(ps, cps...), nil
}

func (s *Server) validateScenario(c echo.Context) error {
	var req ScenarioRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	if req.Content == nil && req.ScenarioID == nil {
		return invalidField("content", "", "give the scenario's content or a scenario_id")
	}
	sc, _, _, ps, err := s.resolveScenario(c, req)
	if err != nil {
		return err
	}
	v := ScenarioValidation{Valid: ps.Err() == nil, Errors: nonNil(ps.Errors()), Warnings: nonNil(ps.Warnings()), Shares: []scenario.Share{}}
	if sc != nil {
		v.Count = len(sc.Segments)
		for _, seg := range sc.Segments {
			v.Shares = append(v.Shares, scenario.Share{Name: seg.Name, Share: seg.Share})
		}
	}
	return c.JSON(http.StatusOK, v)
}

// previewScenario computes one simulated day: the config alone, or with a scenario.
func (s *Server) previewScenario(c echo.Context) error {
	var req ScenarioRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	var day time.Time
	if req.Date != "" {
		d, err := time.Parse(config.DateLayout, req.Date)
		if err != nil {
			return invalidField("date", req.Date, "must be a date YYYY-MM-DD")
		}
		day = d
	}
	_, segs, cfg, ps, err := s.resolveScenario(c, req)
	if err != nil {
		return err
	}
	if ps.Err() != nil {
		return invalid("invalid scenario", ps)
	}
	if day.IsZero() {
		loc, err := cfg.Location()
		if err != nil {
			loc = time.UTC
		}
		day = time.Now().In(loc)
	}
	var seed int64
	switch {
	case req.Seed != nil:
		seed = *req.Seed
	case cfg.Seed != nil:
		seed = *cfg.Seed
	}
	return c.JSON(http.StatusOK, scenario.NewPreview(cfg, segs, day, seed))
}

func (s *Server) scenarioRoutes() []route {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	return []route{
		{get, "/api/scenarios", s.listSets(scenarioSets), routeFlags{}, op{tag: "scenarios", summary: "List stored scenarios (metadata only)", resp: []ContentSetView{}}},
		{post, "/api/scenarios", s.createScenarioSet, routeFlags{}, op{tag: "scenarios", summary: "Store a scenario (YAML or JSON text; refused with every problem when invalid)", req: ScenarioSetRequest{}, resp: ContentSetView{}, status: http.StatusCreated}},
		{post, "/api/scenarios/validate", s.validateScenario, routeFlags{}, op{tag: "scenarios", summary: "Validate a scenario against a config (default settings when absent): every problem with path and line", req: ScenarioRequest{}, resp: ScenarioValidation{}}},
		{post, "/api/scenarios/preview", s.previewScenario, routeFlags{}, op{tag: "scenarios", summary: "What one simulated day would look like: visits per hour with the weekly rhythm and spikes, per segment, and the expected composition", req: ScenarioRequest{}, resp: scenario.Preview{}}},
		{get, "/api/scenarios/:id", s.getSet(scenarioSets), routeFlags{}, op{tag: "scenarios", summary: "A scenario with its content (id builtin: the shop example)", resp: ContentSetView{}}},
		{get, "/api/scenarios/:id/content", s.getSetContent(scenarioSets), routeFlags{}, op{tag: "scenarios", summary: "The scenario file", resp: "", respMedia: mediaText}},
		{put, "/api/scenarios/:id", s.updateScenarioSet, routeFlags{}, op{tag: "scenarios", summary: "Replace a scenario (content optional)", req: ScenarioSetRequest{}, resp: ContentSetView{}}},
		{del, "/api/scenarios/:id", s.deleteSet(scenarioSets), routeFlags{}, op{tag: "scenarios", summary: "Delete a scenario"}},
	}
}
