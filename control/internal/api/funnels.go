package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
)

// FunnelView is a stored funnel. Funnel is the definition in the original funnels.json format; it
// is what POST and PUT take as their body. Lists leave it out.
type FunnelView struct {
	ID          int64           `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Enabled     bool            `json:"enabled"`
	Priority    int             `json:"priority"`
	Probability float64         `json:"probability"`
	StepCount   int             `json:"step_count"`
	Funnel      json.RawMessage `json:"funnel,omitempty"`
	Warnings    config.Problems `json:"warnings,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// FunnelsImportResult says what an import of funnels.json did.
type FunnelsImportResult struct {
	Imported int             `json:"imported"`
	Replaced int             `json:"replaced"`
	Funnels  []FunnelView    `json:"funnels"`
	Warnings config.Problems `json:"warnings"`
}

// ContentValidation is the answer of the validate endpoints of funnels, URL sets and event sets.
type ContentValidation struct {
	Valid    bool            `json:"valid"`
	Errors   config.Problems `json:"errors"`
	Warnings config.Problems `json:"warnings"`
	// Count is the number of funnels, URLs, events, campaigns or dimensions found.
	Count int `json:"count"`
	// Structure previews a URL list; Stats counts an event set's events; CampaignStats and
	// DimensionStats summarise a campaign catalogue and dimension definitions.
	Structure      *content.Structure      `json:"structure,omitempty"`
	Stats          *content.EventStats     `json:"stats,omitempty"`
	CampaignStats  *content.CampaignStats  `json:"campaign_stats,omitempty"`
	DimensionStats *content.DimensionStats `json:"dimension_stats,omitempty"`
}

func funnelView(f store.Funnel, full bool, warns config.Problems) FunnelView {
	var def content.Funnel
	_ = json.Unmarshal(f.JSON, &def) // stored by this API from a parsed funnel; a bad row shows 0 steps
	v := FunnelView{ID: f.ID, Name: f.Name, Description: f.Description, Enabled: f.Enabled, Priority: f.Priority,
		Probability: f.Probability, StepCount: len(def.Steps), Warnings: warns, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
	if full {
		v.Funnel = f.JSON
	}
	return v
}

// storedFunnel turns a parsed funnel into the store's record.
func storedFunnel(f content.Funnel) (store.Funnel, error) {
	b, err := json.Marshal(f)
	if err != nil {
		return store.Funnel{}, fmt.Errorf("encode funnel: %w", err)
	}
	return store.Funnel{Name: f.Name, Description: f.Description, Enabled: f.Enabled, Priority: f.Priority,
		Probability: f.Probability, JSON: b}, nil
}

func (s *Server) listFunnels(c echo.Context) error {
	fs, err := s.store.ListFunnels(c.Request().Context(), truthy(c.QueryParam("enabled")))
	if err != nil {
		return err
	}
	out := make([]FunnelView, len(fs))
	for i, f := range fs {
		out[i] = funnelView(f, false, nil)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) getFunnel(c echo.Context) error {
	id, err := pathID(c, "funnel")
	if err != nil {
		return err
	}
	f, err := s.store.GetFunnel(c.Request().Context(), id)
	if err != nil {
		return public(err, "funnel %d not found", id)
	}
	return c.JSON(http.StatusOK, funnelView(f, true, nil))
}

// parseFunnelBody reads one funnel definition, with every problem reported at once.
func parseFunnelBody(c echo.Context) (store.Funnel, config.Problems, error) {
	body, err := readBody(c)
	if err != nil {
		return store.Funnel{}, nil, err
	}
	f, ps := content.ParseFunnel(body)
	if ps.Err() != nil {
		return store.Funnel{}, ps.Warnings(), invalid("invalid funnel", ps)
	}
	sf, err := storedFunnel(f)
	return sf, ps.Warnings(), err
}

func (s *Server) createFunnel(c echo.Context) error {
	f, warns, err := parseFunnelBody(c)
	if err != nil {
		return err
	}
	saved, err := s.store.CreateFunnel(c.Request().Context(), f)
	if err != nil {
		return nameTaken(err, "funnel", f.Name)
	}
	return c.JSON(http.StatusCreated, funnelView(saved, true, warns))
}

func (s *Server) updateFunnel(c echo.Context) error {
	id, err := pathID(c, "funnel")
	if err != nil {
		return err
	}
	if _, err := s.store.GetFunnel(c.Request().Context(), id); err != nil {
		return public(err, "funnel %d not found", id)
	}
	f, warns, err := parseFunnelBody(c)
	if err != nil {
		return err
	}
	f.ID = id
	saved, err := s.store.UpdateFunnel(c.Request().Context(), f)
	if err != nil {
		return nameTaken(err, "funnel", f.Name)
	}
	return c.JSON(http.StatusOK, funnelView(saved, true, warns))
}

func (s *Server) deleteFunnel(c echo.Context) error {
	id, err := pathID(c, "funnel")
	if err != nil {
		return err
	}
	if err := s.store.DeleteFunnel(c.Request().Context(), id); err != nil {
		return public(err, "funnel %d not found", id)
	}
	return c.NoContent(http.StatusNoContent)
}

// validateFunnels checks a funnel object or a whole funnels.json array without storing anything.
func (s *Server) validateFunnels(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var ps config.Problems
	n := 0
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '[' {
		var fs []content.Funnel
		fs, ps = content.ParseFunnels(body)
		n = len(fs)
	} else {
		_, ps = content.ParseFunnel(body)
		n = 1
	}
	errs := ps.Errors()
	if len(errs) > 0 {
		n = 0
	}
	return c.JSON(http.StatusOK, ContentValidation{Valid: len(errs) == 0, Errors: nonNil(errs), Warnings: nonNil(ps.Warnings()), Count: n})
}

// exportFunnels writes every funnel (or, with ?enabled=1, the enabled ones, as the original did) in
// the original funnels.json format, which the loader reads as FUNNELS_FILE.
func (s *Server) exportFunnels(c echo.Context) error {
	fs, err := s.store.ListFunnels(c.Request().Context(), truthy(c.QueryParam("enabled")))
	if err != nil {
		return err
	}
	defs := make([]content.Funnel, 0, len(fs))
	for _, f := range fs {
		var def content.Funnel
		if err := json.Unmarshal(f.JSON, &def); err != nil {
			return fmt.Errorf("funnel %d: stored definition: %w", f.ID, err)
		}
		defs = append(defs, def)
	}
	content.SortFunnels(defs)
	b, err := content.MarshalFunnels(defs)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="funnels.json"`)
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// importFunnels stores every funnel of a funnels.json array, or none. Names that exist are a 409
// unless ?replace=1 overwrites them.
func (s *Server) importFunnels(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	defs, ps := content.ParseFunnels(body)
	seen := map[string]bool{}
	for _, d := range defs { // sorted by priority, so positions would not match the file's
		if seen[d.Name] {
			ps = append(ps, config.Errorf("name", d.Name, "two funnels in the file have this name; names must be unique"))
		}
		seen[d.Name] = true
	}
	if ps.Err() != nil {
		return invalid("invalid funnels file", ps)
	}
	warns := ps.Warnings()
	ctx := c.Request().Context()
	existing, err := s.store.ListFunnels(ctx, false)
	if err != nil {
		return err
	}
	byName := map[string]store.Funnel{}
	var taken []string
	for _, f := range existing {
		byName[f.Name] = f
		if seen[f.Name] {
			taken = append(taken, fmt.Sprintf("%q", f.Name))
		}
	}
	if len(taken) > 0 && !truthy(c.QueryParam("replace")) {
		return public(store.ErrConflict, "funnels named %s already exist; import with ?replace=1 to overwrite them",
			strings.Join(taken, ", "))
	}
	res, err := s.writeFunnels(ctx, defs, byName)
	if err != nil {
		return err
	}
	res.Warnings = nonNil(warns)
	return c.JSON(http.StatusOK, res)
}

// writeFunnels creates or replaces funnels; on failure it restores what it had changed.
func (s *Server) writeFunnels(ctx context.Context, defs []content.Funnel, existing map[string]store.Funnel) (FunnelsImportResult, error) {
	res := FunnelsImportResult{Funnels: make([]FunnelView, 0, len(defs))}
	var undo []func(context.Context) error
	for _, d := range defs {
		f, err := storedFunnel(d)
		if err != nil {
			return FunnelsImportResult{}, err
		}
		var saved store.Funnel
		if old, ok := existing[d.Name]; ok {
			f.ID = old.ID
			saved, err = s.store.UpdateFunnel(ctx, f)
			undo = append(undo, func(ctx context.Context) error { _, err := s.store.UpdateFunnel(ctx, old); return err })
			res.Replaced++
		} else {
			saved, err = s.store.CreateFunnel(ctx, f)
			id := saved.ID
			undo = append(undo, func(ctx context.Context) error { return s.store.DeleteFunnel(ctx, id) })
			res.Imported++
		}
		if err != nil {
			undo = undo[:len(undo)-1]
			for i := len(undo) - 1; i >= 0; i-- {
				if uerr := undo[i](ctx); uerr != nil {
					s.log.Error("undoing a failed funnel import", "err", uerr)
				}
			}
			return FunnelsImportResult{}, nameTaken(err, "funnel", d.Name)
		}
		res.Funnels = append(res.Funnels, funnelView(saved, false, nil))
	}
	return res, nil
}
