package main

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/live"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/metrics"
	"github.com/trafficinator/trafficinator/loader/internal/shutdown"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/report"
	"github.com/trafficinator/trafficinator/pkg/scenario"
	"github.com/trafficinator/trafficinator/pkg/version"
)

// execute runs the configured mode and returns the exit code.
func execute(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) int {
	log := newLogger(stderr, cfg.LogLevel)
	defer announceStops(ctx, cfg, log)()
	var rec *compare.Recorder
	if comparable(cfg) {
		rec = &compare.Recorder{}
		stdout = io.MultiWriter(stdout, rec)
	}
	out := report.NewWriter(stdout)
	if err := waitForStart(ctx, cfg, log); err != nil {
		return exitOK // stopped before starting
	}
	cat, probs := catalog.Load(catalog.Options(cfg))
	printProblems(stderr, probs)
	if probs.Err() != nil {
		return exitInvalid
	}
	segs, ok := loadScenario(cfg, cat, stderr)
	if !ok {
		return exitInvalid
	}
	set := meter.NewSet(targetNames(cfg))
	serveMetrics(ctx, cfg, set, log)
	if cfg.BackfillEnabled {
		return runBackfill(ctx, cfg, cat, segs, set, out, log)
	}
	code := runLive(ctx, cfg, cat, segs, runSeed(cfg), set, out, log)
	if rec != nil {
		logComparison(rec, log)
	}
	return code
}

// comparable reports whether a live run's end is worth a comparison: several targets (mirror
// mode sends them the same visits), a capacity search or report timings.
func comparable(cfg config.Config) bool {
	return !cfg.BackfillEnabled && (len(cfg.EnabledTargets()) > 1 || cfg.Capacity.Enabled() || cfg.Probe.Enabled)
}

// logComparison logs the run's comparison (pkg/compare, the one the control's Compare view
// shows): the headline, each target's capacity, each verdict with its size, the report timings.
func logComparison(rec *compare.Recorder, log *slog.Logger) {
	rep, err := compare.Build(rec.Records(), compare.Options{})
	if err != nil {
		log.Warn("no comparison", "error", err.Error())
		return
	}
	for _, l := range compare.Lines(rep) {
		log.Info("comparison: " + l)
	}
}

// loadScenario reads SCENARIO_FILE, when set, and checks it against the catalogue (its countries,
// site sections and funnels), printing every problem.
func loadScenario(cfg config.Config, cat *catalog.Catalog, stderr io.Writer) ([]scenario.Compiled, bool) {
	if cfg.ScenarioFile == "" {
		return nil, true
	}
	_, segs, ps := scenario.Load(cfg.ScenarioFile, cfg)
	if ps.Err() == nil {
		_, cps := visit.NewScenario(segs, cat, enabledFunnels(cat), 0, nil, &cat.Events, cfg.ScenarioFile)
		ps = append(ps, cps...)
	}
	printProblems(stderr, ps)
	return segs, ps.Err() == nil
}

// announceStops logs the stops as they come (see package shutdown), so that a user who pressed
// Ctrl-C knows that the run is finishing and how to end it now; the returned func stops that.
func announceStops(ctx context.Context, cfg config.Config, log *slog.Logger) func() {
	graceful := context.AfterFunc(ctx, func() {
		log.Info("stopping: the work under way gets SHUTDOWN_GRACE to finish; a second signal ends it now",
			"grace", cfg.ShutdownGrace.String())
	})
	hard := shutdown.AfterHardStop(ctx, func() { log.Warn("second signal: ending now, without waiting for the work under way") })
	return func() { graceful(); hard() }
}

// serveMetrics serves set on METRICS_ADDR, when set, until ctx ends.
func serveMetrics(ctx context.Context, cfg config.Config, set *meter.Set, log *slog.Logger) {
	if cfg.MetricsAddr == "" {
		return
	}
	go func() {
		if err := metrics.Serve(ctx, cfg.MetricsAddr, set, log); err != nil {
			log.Error("metrics", "error", err.Error())
		}
	}()
}

// runLive runs live load until its end or a signal.
func runLive(ctx context.Context, cfg config.Config, cat *catalog.Catalog, segs []scenario.Compiled, seed int64, set *meter.Set, out *report.Writer, log *slog.Logger) int {
	clients, err := newClients(cfg, false)
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
	model := visit.New(cfg, withGoals(cat, cfg, sites, log), enabledFunnels(cat), seed, liveReturnRange(cfg), &cat.Events)
	if len(segs) > 0 {
		model, _ = visit.NewScenario(segs, withGoals(cat, cfg, sites, log), enabledFunnels(cat), seed, liveReturnRange(cfg), &cat.Events, cfg.ScenarioFile)
	}
	prb, err := newProbe(cfg, time.Now(), out, log, set)
	if err != nil {
		log.Error("cannot set up the report probe", "error", err.Error())
		return exitInvalid
	}
	eng, err := live.NewEngine(cfg, live.Deps{Deps: engines.Deps{Clients: engineClients(clients), Out: out, Log: log, Meter: set},
		Model: model, Seed: seed, Probe: prb})
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		return exitFailure
	}
	rate := cfg.VisitsPerDay
	if cfg.Capacity.Enabled() {
		rate = 0 // the search sets it step by step
	}
	_ = out.Write(report.TypeStart, &report.Start{Mode: "live", Version: version.Version, Targets: targetNames(cfg),
		TargetMode: cfg.TargetMode, VisitsPerDay: rate, Seed: seed, ShardIndex: cfg.ShardIndex, ShardCount: cfg.ShardCount,
		Search: searchOf(cfg), Probe: prb != nil})
	log.Info("live load started", "visits_per_day", rate, "capacity_search", searchOf(cfg), "targets", len(clients), "seed", seed, "catalog", cat.Describe())
	sum, err := eng.Run(ctx)
	if err != nil {
		log.Error("live load failed", "error", err.Error())
		return exitFailure
	}
	if sum.Total.HitsSent > 0 && sum.Total.HitsTracked == 0 {
		log.Error("no hit reached Matomo: check MATOMO_URL, the token and the site id", "failed", sum.Total.HitsFailed, "invalid", sum.Total.HitsInvalid)
		return exitFailure
	}
	return exitOK
}

// liveReturnRange lets a visit be made by a visitor of an earlier visit that has certainly ended:
// from the VISITOR_POOL_SIZE visits before a safety gap of (2 × the longest visit + 30 min) of traffic,
// so a visitor never has two visits in flight and Matomo never merges them.
func liveReturnRange(cfg config.Config) visit.ReturnRange {
	gapTime := 2*cfg.LongestVisit() + 30*time.Minute +
		time.Duration(float64(cfg.PageviewsMax)*cfg.PauseMax*float64(time.Second))
	rate := max(cfg.VisitsPerDay, cfg.Capacity.TopRate()) // a capacity search may go far above TARGET_VISITS_PER_DAY
	gap := uint64(rate*gapTime.Seconds()/86400) + 1
	pool := uint64(cfg.VisitorPoolSize)
	return func(seq uint64) (uint64, uint64) {
		if seq < gap {
			return 0, 0
		}
		hi := seq - gap
		return hi - min(hi, pool), hi
	}
}

func targetNames(cfg config.Config) []string {
	var names []string
	for _, t := range cfg.EnabledTargets() {
		names = append(names, t.Name)
	}
	return names
}

// enabledFunnels are the funnels file's enabled funnels, in priority order.
func enabledFunnels(cat *catalog.Catalog) []content.Funnel {
	return content.EnabledFunnels(cat.Funnels)
}
