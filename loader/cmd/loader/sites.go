package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/loader/internal/sitecheck"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// siteCheckTime bounds the goal and dimension reads before a run, retries included, so a slow
// Reporting API delays the start by that much at most.
const siteCheckTime = 30 * time.Second

// checkSites reads every target's goals and custom dimensions (package sitecheck) and checks the
// configuration against them. A configured goal id a site lacks is a fatal error, reported like a
// redirect; the other findings are warnings. It returns what was read and false on an error.
func checkSites(ctx context.Context, cfg config.Config, clients []*matomo.Client, cat *catalog.Catalog,
	out *report.Writer, log *slog.Logger) (sitecheck.Result, bool) {
	targets := make([]sitecheck.Target, len(clients))
	for i, c := range clients {
		t := c.Target()
		targets[i] = sitecheck.Target{Name: t.Name, SiteID: t.SiteID, HasToken: t.Token != "", Client: c}
	}
	ctx, cancel := context.WithTimeout(ctx, siteCheckTime)
	defer cancel()
	res, probs := sitecheck.Check(ctx, targets, sitecheck.Want{
		GoalField: goalsField, GoalIDs: configuredGoalIDs(cfg),
		DimensionField: "CUSTOM_DIMENSIONS_FILE", Dimensions: cat.DimensionSet.Dimensions,
	})
	for _, p := range probs.Warnings() {
		log.Warn(p.String())
	}
	errs := probs.Errors()
	for _, p := range errs {
		log.Error(p.String())
		_ = out.Write(report.TypeError, &report.Error{Message: p.String(), Fatal: true})
	}
	if res.GoalsRead > 0 {
		log.Info("goals read from the sites", "goals", len(res.Goals), "targets", res.GoalsRead)
	}
	return res, len(errs) == 0
}

// goalCatalog is the catalogue with the goals a run converts (visit.GoalCatalog).
type goalCatalog struct {
	*catalog.Catalog
	goals []visit.Goal
}

// Goals are the goals to convert.
func (g goalCatalog) Goals() []visit.Goal { return g.goals }

var _ visit.GoalCatalog = goalCatalog{}

// withGoals returns the catalogue the visit model draws from. When the goals of the targets' sites
// were read, the goals to convert are those of GOALS, at their rates, then every goal all the sites
// read have that GOALS does not list, at GOAL_CONVERSION_PROBABILITY (with the goal's own default
// revenue). Otherwise the model converts the goals of GOALS alone.
func withGoals(cat *catalog.Catalog, cfg config.Config, res sitecheck.Result, log *slog.Logger) visit.SegmentCatalog {
	if res.GoalsRead == 0 {
		return cat
	}
	listed, _ := config.ParseGoals(cfg.Goals) // validated with the config
	goals := make([]visit.Goal, 0, len(listed)+len(res.Goals))
	seen := map[int]bool{}
	for _, g := range listed {
		goals = append(goals, visit.Goal{ID: g.ID, Rate: g.Rate, Revenue: g.Revenue, HasRevenue: g.HasRevenue})
		seen[g.ID] = true
	}
	var fromSites []int
	for _, g := range res.Goals {
		if !seen[g.ID] && cfg.GoalRate > 0 {
			goals = append(goals, visit.Goal{ID: g.ID, Rate: cfg.GoalRate})
			fromSites = append(fromSites, g.ID)
		}
	}
	if len(fromSites) > 0 {
		log.Info("the sites' goals are converted too", "goals", fromSites, "rate", cfg.GoalRate)
	}
	return goalCatalog{Catalog: cat, goals: goals}
}

// goalsField is the setting that lists the goals to convert.
const goalsField = "GOALS"

// configuredGoalIDs are the goal ids GOALS lists (validated with the configuration).
func configuredGoalIDs(cfg config.Config) []int {
	goals, _ := config.ParseGoals(cfg.Goals)
	ids := make([]int, len(goals))
	for i, g := range goals {
		ids[i] = g.ID
	}
	return ids
}
