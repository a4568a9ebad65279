package api

import (
	"maps"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/dayplan"
)

// EstimateRequest is POST /api/backfill/estimate: the config a backfill would run, in the form
// POST /api/validate takes. ConfigID, when given, names the saved config the form edits: its
// stored tokens stand in for blank ones. BACKFILL_ENABLED is taken as true.
type EstimateRequest struct {
	Config   map[string]any `json:"config" validate:"required"`
	ConfigID *int64         `json:"config_id,omitempty"`
}

// EstimateResponse is what a backfill of the config would send if it started now. The days and
// their visits are the loader's own plan (pkg/dayplan), in TIMEZONE, with today's share of the
// hours already past; the requests per visit are a mean drawn from the visit mix.
type EstimateResponse struct {
	Timezone string `json:"timezone"`
	First    string `json:"first"` // first day of the window, YYYY-MM-DD
	Last     string `json:"last"`  // last day, inclusive
	Days     int    `json:"days"`
	// PlannedVisits is the plan's total: each visit goes to one target (weighted) or to every
	// enabled target (mirror).
	PlannedVisits int64 `json:"planned_visits"`
	// Copies is how many targets receive each visit: the enabled targets in mirror mode, else 1.
	Copies int `json:"copies"`
	// Visits is what the targets record in all: planned visits × copies.
	Visits int64 `json:"visits"`
	// HitsPerVisit is the mean number of tracking requests of a visit: the mean pageviews, one
	// request per drawn special action (site search, outlink, download, events, order) and the
	// closing ping. Journeys and funnels make it vary.
	HitsPerVisit float64 `json:"hits_per_visit"`
	// Hits is the number of tracking requests in all, to every target.
	Hits int64 `json:"hits"`
	// Seconds is the time BACKFILL_RPS_LIMIT (a limit per target) allows at best, for the target
	// with the most requests; null when there is no limit and the backfill goes as fast as the
	// targets allow.
	Seconds *float64 `json:"seconds"`
	// PerDay is every day of the window with its planned visits and why it has none.
	PerDay   []dayplan.Day   `json:"per_day"`
	Warnings config.Problems `json:"warnings"`
}

func (s *Server) estimateBackfill(c echo.Context) error {
	var req EstimateRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	stored, err := s.storedConfig(c, req.ConfigID)
	if err != nil {
		return err
	}
	m := maps.Clone(req.Config)
	m["BACKFILL_ENABLED"] = true
	cfg, warns, err := checkConfig(m, stored, nil)
	if err != nil {
		return err
	}
	p, err := dayplan.New(&cfg, time.Now())
	if err != nil {
		return err // the window's problems: a 400 naming the fields
	}
	return c.JSON(http.StatusOK, estimate(&cfg, p, warns))
}

// estimate turns a plan into the figures of EstimateResponse.
func estimate(cfg *config.Config, p dayplan.Plan, warns config.Problems) EstimateResponse {
	e := EstimateResponse{Timezone: p.Location.String(), Days: len(p.Days), PlannedVisits: p.Total(),
		Copies: 1, HitsPerVisit: hitsPerVisit(cfg), PerDay: p.Days, Warnings: nonNil(warns)}
	if len(p.Days) > 0 {
		e.First, e.Last = p.Days[0].Date, p.Days[len(p.Days)-1].Date
	}
	targets := cfg.EnabledTargets()
	share := 1.0 // of the planned visits that the busiest target receives
	if cfg.TargetMode == config.ModeMirror {
		e.Copies = max(len(targets), 1)
	} else if len(targets) > 1 {
		var sum, most float64
		for _, t := range targets {
			sum += float64(t.Weight)
			most = max(most, float64(t.Weight))
		}
		share = most / sum
	}
	e.Visits = e.PlannedVisits * int64(e.Copies)
	e.Hits = int64(float64(e.Visits)*e.HitsPerVisit + 0.5)
	if cfg.BackfillRPS != nil && *cfg.BackfillRPS > 0 {
		sec := float64(e.PlannedVisits) * share * e.HitsPerVisit / *cfg.BackfillRPS
		e.Seconds = &sec
	}
	return e
}

// hitsPerVisit is the mean number of tracking requests of a normal visit: its pageviews, one
// request per special action drawn with its probability, and the closing ping.
func hitsPerVisit(cfg *config.Config) float64 {
	pageviews := float64(cfg.PageviewsMin+cfg.PageviewsMax) / 2
	specials := cfg.SiteSearchProb + cfg.OutlinksProb + cfg.DownloadsProb + cfg.ClickEventsProb +
		cfg.RandomEventsProb + cfg.EcommerceProb
	return pageviews + specials + 1
}
