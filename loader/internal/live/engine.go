package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/capacity"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/loader/internal/probe"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
	"github.com/trafficinator/trafficinator/pkg/shape"
)

// Deps are what an Engine works with: the dependencies both engines take (engines.Deps: a client
// per enabled target, the clock, Out, Log, Meter), the visit model and the run's seed.
type Deps struct {
	engines.Deps
	// Model builds the visits.
	Model *visit.Model
	// Seed is the run's seed (for the Poisson pacer).
	Seed int64
	// Probe, when set, times Reporting API calls during the load and after it (PROBE_ENABLED).
	Probe *probe.Probe
}

// Engine runs live load: it starts visits on the pacer's schedule, sends each whole visit to one
// target (weighted) or to every target (mirror), and reports what happened per target.
type Engine struct {
	cfg     config.Config
	deps    Deps
	targets []*target
	routes  engines.Routes
	meter   *meter.Set
	pacer   pace.Pacer
	sched   *Scheduler
	start   time.Time
	// ramp and search are set in a capacity search (CAPACITY_SEARCH): the search sets the rate.
	ramp   *pace.Ramp
	search *capacity.Search
}

// NewEngine checks that cfg and deps fit together and builds the schedule.
func NewEngine(cfg config.Config, deps Deps) (*Engine, error) {
	enabled := cfg.EnabledTargets()
	var err error
	if deps.Deps, err = deps.Resolve(enabled); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	if deps.Model == nil {
		return nil, fmt.Errorf("live: %w: no visit model", engines.ErrDeps)
	}
	e := &Engine{cfg: cfg, deps: deps, start: deps.Clock.Now(), meter: deps.Meter, routes: engines.NewRoutes(cfg)}
	for i, t := range enabled {
		e.targets = append(e.targets, &target{cfg: t, send: deps.Clients[i], sendsToken: sendsToken(cfg, t),
			bulk: cfg.Transport == config.TransportBulk, m: deps.Meter.Target(i)})
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	if err := e.setUpSearch(); err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	e.pacer = buildPacer(cfg, e.start, loc, deps.Seed, e.ramp)
	sched, err := New(Config{
		Pacer: e.pacer, Concurrency: cfg.Concurrency, Clock: deps.Clock, Start: e.start,
		MaxTotal: uint64(cfg.MaxTotalVisits), MaxPerDay: uint64(cfg.MaxVisitsPerDay), Location: loc,
		Duration: time.Duration(cfg.AutoStopHours * float64(time.Hour)), Grace: graceOf(cfg),
		OnDrop: e.dropped, OnCap: e.spreadCapped,
	}, e.visit)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	e.sched = sched
	for i, t := range e.targets {
		t.m.SetIntendedRate(func() float64 { return e.intendedPerMin(i, e.deps.Clock.Now().Sub(e.start)) })
	}
	return e, nil
}

// sendsToken reports whether t's hits carry its token: GET never does (tokens stay out of URLs), so
// over GET a target is sent what a target without a token is, or Matomo would reject every hit.
func sendsToken(cfg config.Config, t config.Target) bool {
	return t.Token != "" && cfg.Transport != config.TransportGET
}

func graceOf(cfg config.Config) time.Duration {
	if cfg.ShutdownGrace <= 0 {
		return -1 // none
	}
	return cfg.ShutdownGrace
}

// buildPacer turns TRAFFIC_PROFILE, the weekly rhythm and spikes (package shape), INTER_ARRIVAL and
// the shard settings into the pacer; a capacity search's ramp replaces the profile and the shape (a
// search measures its own steps, which a weekend or a spike would distort). Random spikes are drawn
// from the run's seed, which every shard shares.
func buildPacer(cfg config.Config, start time.Time, loc *time.Location, seed int64, ramp *pace.Ramp) pace.Pacer {
	var p pace.Pacer = pace.Constant{PerDay: cfg.VisitsPerDay}
	switch {
	case ramp != nil:
		p = ramp
	case cfg.TrafficProfile == config.ProfileDiurnal:
		p = pace.Diurnal{PerDay: cfg.VisitsPerDay, Start: start, Location: loc}
	}
	if sh := shape.FromConfig(&cfg, false, seed, loc); ramp == nil && !sh.IsZero() {
		var curve *[24]float64
		if cfg.TrafficProfile == config.ProfileDiurnal {
			c := pace.DefaultCurve()
			curve = &c
		}
		p = pace.NewShaped(cfg.VisitsPerDay, start, loc, curve, sh)
	}
	if cfg.InterArrival == config.ArrivalExponential {
		p = pace.NewPoisson(p, uint64(seed))
	}
	if cfg.ShardCount > 1 {
		p = pace.Shard{Base: p, Index: cfg.ShardIndex, Count: cfg.ShardCount}
	}
	return p
}

// Run runs until the configured end (auto-stop, MAX_TOTAL_VISITS) or until ctx is cancelled, then
// lets in-flight visits finish within SHUTDOWN_GRACE and returns the summary (also printed).
func (e *Engine) Run(ctx context.Context) (report.Summary, error) {
	stats := newStatsLoop(e)
	statsCtx, stopStats := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); stats.run(statsCtx, e.cfg.StatsInterval) }()
	side := e.startSide(ctx)
	res, err := e.sched.Run(ctx)
	stopStats()
	wg.Wait()
	err = errors.Join(err, side.finish(ctx))
	e.spreadCapped(res.Capped)
	sum := report.Summary{Mode: "live", Reason: e.reasonOf(ctx, res.Reason), Seconds: e.deps.Clock.Now().Sub(e.start).Seconds()}
	sum.Targets, sum.Total = stats.snapshot()
	for i := range sum.Targets {
		wholeRun(&sum.Targets[i], res.Elapsed)
	}
	wholeRun(&sum.Total, res.Elapsed)
	if werr := e.deps.Out.Write(report.TypeSummary, &sum); werr != nil {
		err = errors.Join(err, werr)
	}
	return sum, err
}

func (e *Engine) reasonOf(ctx context.Context, r string) string {
	switch {
	case r == ReasonCancelled && ctx.Err() != nil:
		return "signal"
	case r == ReasonScheduleEnd && e.search != nil:
		return ReasonSearchDone
	}
	return r
}

// dropped attributes a dropped visit to the target(s) it would have gone to, and blames it on
// the one(s) holding the most visits in flight (see meter.Target.DropsBlamed).
func (e *Engine) dropped(seq uint64) {
	ts := e.visitTargets(seq)
	var most int64 = -1
	for _, t := range ts {
		t.m.VisitsDropped.Add(1)
		most = max(most, t.m.InFlight.Load())
	}
	for _, t := range ts {
		if t.m.InFlight.Load() >= most {
			t.m.DropsBlamed.Add(1)
		}
	}
}

// spreadCapped attributes the n visits held back by MAX_VISITS_PER_DAY so far, by each target's
// share of the visits (all of them to every target in mirror mode).
func (e *Engine) spreadCapped(n uint64) {
	for i, t := range e.targets {
		t.m.VisitsCapped.Store(int64(float64(n) * e.routes.Share(i)))
	}
}

// visitTargets returns the targets visit seq goes to.
func (e *Engine) visitTargets(seq uint64) []*target {
	lo, hi := e.routes.Of(e.deps.Model, seq)
	return e.targets[lo:hi]
}

// visit runs visit seq: built once, sent to its target, or to every target at the same time in
// mirror mode (a slow or failing target does not hold the others back).
func (e *Engine) visit(ctx context.Context, seq uint64) {
	v := e.deps.Model.Build(seq)
	ts := e.visitTargets(seq)
	if len(ts) == 1 {
		e.send(ctx, ts[0], &v, false)
		return
	}
	var wg sync.WaitGroup
	for _, t := range ts {
		wg.Add(1)
		go func() { defer wg.Done(); e.send(ctx, t, &v, true) }()
	}
	wg.Wait()
}

// send sends one visit to one target in real time: each hit after its pause (on the scheduler's
// tick grid, see Scheduler.Wait), stamped so that the
// whole simulated visit lies in the past (the last hit at most "now", never in the future). A visit
// shared by several targets is copied hit by hit; otherwise its requests are stamped in place (at
// 10,000 visits in flight, the copies would be a good part of the memory).
func (e *Engine) send(ctx context.Context, t *target, v *visit.Visit, shared bool) {
	t.m.VisitsStarted.Add(1)
	t.m.InFlight.Add(1)
	defer t.m.InFlight.Add(-1)
	start := e.deps.Clock.Now().Add(-v.Duration).Truncate(time.Second)
	if v.Order {
		t.m.Orders.Add(1)
	}
	if v.Bot {
		t.m.BotVisits.Add(1)
		t.m.BotHits.Add(int64(len(v.Hits)))
	}
	if t.bulk {
		reqs := v.Stamp(start)
		if !t.sendsToken {
			for i := range reqs {
				reqs[i].IP = ""
			}
		}
		e.sendBulk(ctx, t, reqs)
		t.m.VisitsFinished.Add(1)
		return
	}
	var own matomo.Request
	for i := range v.Hits {
		if i > 0 && !e.sched.Wait(ctx, v.Hits[i].Pause) {
			return // cancelled after the grace period: the rest of the visit is not sent
		}
		r := &v.Hits[i].Request
		if shared {
			own = *r
			r = &own
		}
		r.Time = start.Add(v.Hits[i].Offset)
		if !t.sendsToken {
			r.IP = "" // cip needs a token: without one, countries come from lang
		}
		e.sendOne(ctx, t, r)
	}
	t.m.VisitsFinished.Add(1)
}

func (e *Engine) sendOne(ctx context.Context, t *target, r *matomo.Request) {
	t.m.HitsSent.Add(1)
	res, err := t.send.Track(ctx, r)
	t.m.Retries.Add(int64(max(res.Attempts-1, 0)))
	t.m.Observe(res.Latency)
	t.m.Status(res.Status)
	switch {
	case err == nil:
		t.m.HitsTracked.Add(1)
	case errors.Is(err, matomo.ErrInvalid):
		t.m.HitsInvalid.Add(1)
		e.deps.Log.Debug("hit rejected", "target", t.cfg.Name, "kind", r.Kind().String(), "status", res.Status)
	default:
		t.m.HitsFailed.Add(1)
		e.deps.Log.Warn("hit failed", "target", t.cfg.Name, "error", err.Error())
	}
}

// sendBulk sends a whole visit in one bulk request (TRACKING_TRANSPORT=bulk: no real pauses).
func (e *Engine) sendBulk(ctx context.Context, t *target, reqs []matomo.Request) {
	t.m.HitsSent.Add(int64(len(reqs)))
	res, err := t.send.TrackBulk(ctx, reqs)
	t.m.Retries.Add(int64(max(res.Attempts-1, 0)))
	t.m.Observe(res.Latency)
	t.m.StatusOf(err)
	if err != nil {
		t.m.HitsFailed.Add(int64(len(reqs)))
		e.deps.Log.Warn("bulk failed", "target", t.cfg.Name, "error", err.Error())
		return
	}
	t.m.HitsTracked.Add(int64(res.Tracked))
	t.m.HitsInvalid.Add(int64(res.Invalid))
	t.m.HitsDropped.Add(int64(res.Dropped))
}
