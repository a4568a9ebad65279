package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/trafficinator/trafficinator/loader/internal/backfill"
	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// runBackfill runs the exactly-once backfill engine; its seed comes from BACKFILL_SEED, SEED, or the
// state file of the backfill it resumes.
func runBackfill(ctx context.Context, cfg config.Config, cat *catalog.Catalog, segs []scenario.Compiled, set *meter.Set, out *report.Writer, log *slog.Logger) int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(backfill.GCPercent)
	}
	cfg.Concurrency = max(cfg.Concurrency, backfill.MaxSenders) // idle connections for every sender
	clients, err := newClients(cfg, true)
	if err != nil {
		log.Error("cannot set up targets", "error", err.Error())
		return exitInvalid
	}
	if !checkRedirects(ctx, cfg, clients, out, log) {
		return exitFailure
	}
	sites, ok := checkSites(ctx, cfg, clients, cat, out, log)
	if !ok {
		return exitInvalid
	}
	sum, err := backfill.Run(ctx, cfg, backfill.Deps{Deps: engines.Deps{Clients: engineClients(clients), Out: out, Log: log, Meter: set},
		Catalog: withGoals(cat, cfg, sites, log), Funnels: enabledFunnels(cat), Events: &cat.Events, Scenario: segs})
	switch {
	case errors.Is(err, backfill.ErrStateMismatch):
		log.Error("backfill refused", "error", err.Error())
		return exitFailure
	case err != nil:
		log.Error("backfill failed; a re-run resumes where it stopped", "error", err.Error())
		return exitFailure
	}
	log.Info("backfill ended", "reason", sum.Reason, "visits", sum.Total.VisitsFinished)
	return exitOK
}
