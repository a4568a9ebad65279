package main

import (
	"context"
	"log/slog"

	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// runBackfill runs the backfill engine.
func runBackfill(ctx context.Context, cfg config.Config, cat *catalog.Catalog, seed int64, out *report.Writer, log *slog.Logger) int {
	log.Error("backfill is not built yet")
	return exitFailure
}
