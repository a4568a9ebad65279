package backfill

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"

	"github.com/trafficinator/trafficinator/loader/internal/adapt"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/report"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// Deps are what Run needs besides the configuration: the dependencies both engines take
// (engines.Deps: a client per enabled target, the clock, Out, Log, Meter), the content visits are
// drawn from, and where the journal is kept.
//
// The clients must be built with matomo.Options.RetryUncertain off (a batch without a reply is
// Run's to resolve), and Options.MaxConns should be at least MaxSenders. The clock decides "today"
// and times every wait: settle and retry waits, the rate limit, progress records, the shutdown
// grace.
type Deps struct {
	engines.Deps
	// Catalog is what visits are drawn from.
	Catalog visit.Catalog
	// Funnels are the enabled funnels, in priority order; Events may override event probabilities.
	Funnels []content.Funnel
	Events  *content.EventSet
	// Scenario is SCENARIO_FILE's segments, compiled (nil: none); its Catalog must then be a
	// visit.SegmentCatalog.
	Scenario []scenario.Compiled
	// Journals opens the journal next to BACKFILL_STATE_FILE; nil means OSJournals.
	Journals Journals
}

// MaxSenders caps the bulk requests in flight per target, whatever BACKFILL_CONCURRENCY says:
// more parallel bulk transactions than this only make Matomo's database contend for the same rows.
const MaxSenders = 64

// budgetBatches is how many full batches per lane may be built ahead of sending.
const budgetBatches = 8

// GCPercent is the garbage collector setting the loader uses for backfill when GOGC is not set:
// a backfill allocates request buffers at a high rate and holds little, so collecting 4× less often
// saves about a fifth of the CPU for a few tens of MB more heap.
const GCPercent = 400

// Summary reasons specific to backfill (report.Summary.Reason).
const (
	ReasonFinished        = "finished"         // every planned visit was delivered
	ReasonAlreadyComplete = "already_complete" // an earlier run delivered everything; nothing sent
	ReasonSignal          = "signal"           // ctx was cancelled; progress is kept for a re-run
	ReasonError           = "error"            // a batch failed for good; progress is kept
)

// Errors of Run, for errors.Is (besides engines.ErrDeps, for unusable dependencies).
var (
	// ErrStateMismatch means BACKFILL_STATE_FILE holds an unfinished backfill of other settings.
	// Run refuses rather than replay or mix: the message names the file and the settings.
	ErrStateMismatch = errors.New("backfill state belongs to another configuration")
	// ErrBatch means a batch could not be delivered (refused, or failing after every retry).
	ErrBatch = errors.New("backfill batch failed")
)

// Run sends the backfill cfg describes and returns its summary, which it has also written to
// deps.Out. It resumes an unfinished backfill from BACKFILL_STATE_FILE and returns at once, with
// reason already_complete, for a finished one. A cancelled ctx stops it cleanly (reason signal, nil
// error, progress kept). With BACKFILL_RUN_ONCE it waits for ctx to end before returning.
func Run(ctx context.Context, cfg config.Config, deps Deps) (report.Summary, error) {
	e, err := newEngine(cfg, deps)
	if err != nil {
		sum := report.Summary{Mode: "backfill", Reason: ReasonError, Total: report.Total(nil)}
		if deps.Out != nil {
			_ = deps.Out.Write(report.TypeError, &report.Error{Message: err.Error(), Fatal: true})
			_ = deps.Out.Write(report.TypeSummary, &sum)
		}
		return sum, err
	}
	sum, err := e.run(ctx)
	if err != nil {
		e.fail(err)
	}
	_ = e.out.Write(report.TypeSummary, &sum)
	if cfg.BackfillRunOnce && err == nil && ctx.Err() == nil {
		e.log.Info("backfill done; idling because BACKFILL_RUN_ONCE=true")
		<-ctx.Done()
	}
	return sum, err
}

// newEngine checks the dependencies and sets up what does not depend on the state.
func newEngine(cfg config.Config, deps Deps) (*engine, error) {
	targets := cfg.EnabledTargets()
	var err error
	if deps.Deps, err = deps.Resolve(targets); err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	switch {
	case deps.Catalog == nil:
		return nil, fmt.Errorf("backfill: %w: no catalog", engines.ErrDeps)
	case len(targets) > 64:
		return nil, fmt.Errorf("backfill: %w: at most 64 targets", engines.ErrDeps)
	}
	if deps.Journals == nil {
		deps.Journals = OSJournals{}
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	// Shards sharing one volume name their states apart with {shard}; from here on the path is
	// this shard's.
	cfg.BackfillStateFile = cfg.BackfillStatePath()
	e := &engine{cfg: cfg, deps: deps, loc: loc, routes: engines.NewRoutes(cfg),
		log: deps.Log, clock: deps.Clock, out: deps.Out}
	e.shardIndex, e.shardCount = int64(cfg.ShardIndex), int64(max(cfg.ShardCount, 1))
	limit := adapt.Defaults
	if cfg.BackfillConcurrency != nil {
		limit.Max = min(max(*cfg.BackfillConcurrency, 1), MaxSenders)
	}
	e.lanes = limit.Max
	e.builders = max(runtime.GOMAXPROCS(0), 1)
	e.bulk = max(cfg.BulkSize, 1)
	e.budget = newBudget(budgetBatches * e.lanes * e.bulk * len(targets))
	for i, t := range targets {
		e.targets = append(e.targets, newTarget(i, t, deps.Clients[i], cfg.BackfillRPS, e.bulk, limit, deps.Meter.Target(i)))
	}
	return e, nil
}

// resolveSeed picks BACKFILL_SEED, else SEED, else a random seed (then stored with the state).
func resolveSeed(cfg *config.Config) int64 {
	switch {
	case cfg.BackfillSeed != nil:
		return *cfg.BackfillSeed
	case cfg.Seed != nil:
		return *cfg.Seed
	}
	return rand.Int64()
}

// open loads or creates the state. A finished state of other settings is replaced (a new
// backfill); an unfinished one is refused.
func (e *engine) open() error {
	lines := settings(&e.cfg)
	fp := fingerprint(lines)
	s, err := openStore(e.cfg.BackfillStateFile, e.deps.Journals, e.clock.Now)
	if err != nil {
		return err
	}
	e.store = s
	if st := s.st; st != nil && st.Fingerprint != fp {
		if !st.Complete {
			return fmt.Errorf("%w: %s holds an unfinished backfill made with other settings (%s); run it "+
				"to the end with those settings, or move the file (and %s) away to start a new one",
				ErrStateMismatch, e.cfg.BackfillStateFile, strings.Join(changedSettings(st.Settings, lines), "; "),
				journalPath(e.cfg.BackfillStateFile))
		}
		e.log.Info("state file holds a finished backfill of other settings; starting a new backfill",
			"state_file", e.cfg.BackfillStateFile)
		s.st = nil
	}
	if s.st == nil {
		p, err := newPlan(&e.cfg, e.clock.Now(), resolveSeed(&e.cfg))
		if err != nil {
			return err
		}
		var names []string
		for _, t := range e.targets {
			names = append(names, t.cfg.Name)
		}
		if err := s.create(newState(p, fp, lines, names)); err != nil {
			return err
		}
	}
	e.plan = s.st.plan()
	e.plan.init(e.loc, &e.cfg)
	if len(e.deps.Scenario) == 0 {
		e.model = visit.New(e.cfg, e.deps.Catalog, e.deps.Funnels, e.plan.Seed, e.plan.returns, e.deps.Events)
		e.model.SetPast(e.plan.past)
		return nil
	}
	cat, ok := e.deps.Catalog.(visit.SegmentCatalog)
	if !ok {
		return fmt.Errorf("%w: a scenario needs a catalogue that can filter (visit.SegmentCatalog)", engines.ErrDeps)
	}
	m, ps := visit.NewScenario(e.deps.Scenario, cat, e.deps.Funnels, e.plan.Seed, e.plan.returns, e.deps.Events, e.cfg.ScenarioFile)
	if err := ps.Err(); err != nil {
		return fmt.Errorf("scenario: %w", err)
	}
	m.SetPast(e.plan.past)
	e.model = m
	return nil
}
