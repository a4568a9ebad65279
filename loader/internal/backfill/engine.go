package backfill

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
	"github.com/trafficinator/trafficinator/pkg/version"
)

// engine is one run of a backfill.
type engine struct {
	cfg    config.Config
	deps   Deps
	loc    *time.Location
	log    *slog.Logger
	clock  engines.Clock
	out    *report.Writer // failures to print are ignored: there is nowhere better to report them
	routes engines.Routes

	shardIndex, shardCount int64
	lanes, builders, bulk  int
	queues                 [][]chan *batch // per target and lane
	budget                 *budget

	targets []*target
	store   *store
	plan    *plan
	model   *visit.Model

	started       time.Time
	progress      progress
	invalidations []report.Invalidation
}

// run executes the backfill: open the state, send every unfinished day oldest first, finish.
func (e *engine) run(ctx context.Context) (report.Summary, error) {
	e.started = e.clock.Now()
	if err := e.open(); err != nil {
		return e.summary(ReasonError), err
	}
	defer func() {
		if err := e.store.close(); err != nil {
			e.log.Warn("closing the backfill journal", "err", err)
		}
	}()
	if e.store.st.Complete {
		e.log.Info("backfill already complete: nothing to send", "state_file", e.cfg.BackfillStateFile,
			"days", len(e.plan.Days))
		if err := e.invalidate(ctx); err != nil {
			return e.summary(ReasonError), err
		}
		return e.summary(ReasonAlreadyComplete), nil
	}
	e.writeStart()
	e.checkZones(ctx)
	stop := e.reportProgress(ctx)
	err := e.sendDays(ctx)
	stop()
	switch {
	case err == nil:
	case ctx.Err() != nil && !errors.Is(err, ErrBatch):
		e.log.Info("backfill stopped; a re-run resumes where it stopped", "state_file", e.cfg.BackfillStateFile)
		return e.summary(ReasonSignal), nil
	default:
		return e.summary(ReasonError), err
	}
	if err := e.store.update(func(st *state) { st.Complete = true }); err != nil {
		return e.summary(ReasonError), err
	}
	if err := e.invalidate(ctx); err != nil {
		return e.summary(ReasonError), err
	}
	return e.summary(ReasonFinished), nil
}

// writeStart prints the Start record: the window and the deliveries still to make.
func (e *engine) writeStart() {
	var names, days []string
	for _, t := range e.targets {
		names = append(names, t.cfg.Name)
	}
	for _, d := range e.plan.Days {
		days = append(days, d.Date)
	}
	planned, delivered := e.deliveries()
	e.progress.planned.Store(planned)
	e.progress.before.Store(delivered)
	_ = e.out.Write(report.TypeStart, &report.Start{
		Mode: "backfill", Version: version.Version, Targets: names, TargetMode: e.cfg.TargetMode,
		Seed: e.plan.Seed, ShardIndex: int(e.shardIndex), ShardCount: int(e.shardCount), Days: days,
		PlannedVisits: planned - delivered,
	})
	e.log.Info("backfill starting", "days", len(days), "first", days[0], "last", days[len(days)-1],
		"visits_to_send", planned-delivered, "targets", len(names), "mode", e.cfg.TargetMode,
		"state_file", e.cfg.BackfillStateFile)
}

// deliveries counts the visit deliveries of the plan (a visit per target in mirror mode) and
// those made by earlier runs.
func (e *engine) deliveries() (planned, delivered int64) {
	per := int64(e.routes.PerVisit())
	for _, d := range e.plan.Days {
		planned += e.shardShare(d.Visits) * per
	}
	e.store.view(func(st *state) {
		for _, d := range st.Days {
			for _, td := range d.Targets {
				delivered += td.Visits
			}
		}
	})
	return planned, delivered
}

// shardShare is how many of a day's n visits this loader sends: every SHARD_COUNT-th.
func (e *engine) shardShare(n int64) int64 {
	if n <= e.shardIndex {
		return 0
	}
	return (n - e.shardIndex + e.shardCount - 1) / e.shardCount
}

// fail prints a fatal Error record.
func (e *engine) fail(err error) {
	e.log.Error("backfill failed", "err", err)
	_ = e.out.Write(report.TypeError, &report.Error{Message: err.Error(), Fatal: true})
}

// sleep waits d on the engine's clock, or until ctx ends.
func (e *engine) sleep(ctx context.Context, d time.Duration) error {
	if err := engines.Wait(ctx, e.clock, d); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	return nil
}
