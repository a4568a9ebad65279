// Package live runs a live load: visits start in real time at the rate a pacer sets, under
// caps, limits and a graceful stop.
//
// The scheduler at its core is an open model, after k6's arrival-rate executors: visits arrive
// on the pacer's absolute schedule whether or not earlier ones have finished, so a slow target
// never lowers the offered rate (no coordinated omission). What cannot be started on time is
// counted, never sent later in a burst, because a burst of visits would show up in the
// analytics reports as a spike that real traffic never had.
package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/loader/internal/shutdown"
)

// Visit runs one whole visit. seq is the visit's number in the global schedule (see
// pace.Sequencer), so it is the same whichever loader of a sharded run starts it. ctx is
// cancelled only when the scheduler gives up waiting for in-flight visits (see Config.Grace);
// Visit must return soon after that.
type Visit func(ctx context.Context, seq uint64)

// Defaults applied by New to zero Config fields.
const (
	// DefaultGrace is how long in-flight visits get to finish once scheduling stops.
	DefaultGrace = 30 * time.Second
	// DefaultLateTolerance is how late a visit may start before it is dropped instead.
	DefaultLateTolerance = time.Second
	// DefaultTick is the grid that visit starts and the waits of Scheduler.Wait are coalesced onto.
	DefaultTick = 10 * time.Millisecond
)

// Reasons Run gives for ending.
const (
	ReasonCancelled   = "cancelled"    // the context passed to Run was cancelled
	ReasonDuration    = "duration"     // Config.Duration ran out
	ReasonMaxTotal    = "max_total"    // Config.MaxTotal visits were started
	ReasonScheduleEnd = "schedule_end" // the pacer has no more visits
)

// ErrConfig is wrapped by every error New returns for an unusable Config.
var ErrConfig = errors.New("live: invalid scheduler config")

// ErrRunTwice is returned when Run is called on a Scheduler that has already run.
var ErrRunTwice = errors.New("live: scheduler already ran")

// Config sets up a Scheduler. Zero values mean "off" or the documented default.
type Config struct {
	// Pacer decides when each visit is due. Required.
	Pacer pace.Pacer
	// Concurrency is the most visits in flight at once. A visit due while all are taken is
	// dropped. Required, ≥ 1.
	Concurrency int
	// Clock defaults to engines.SystemClock.
	Clock engines.Clock
	// Start is the instant of elapsed = 0; zero means Clock.Now() when Run begins. Set it to the
	// same instant as a pace.Diurnal's Start so both agree on the hour of day. Visits due before
	// Run begins are treated like any other overdue visit.
	Start time.Time
	// MaxTotal stops the run once this many visits have started; 0 means no limit.
	MaxTotal uint64
	// MaxPerDay limits the visits started per calendar day in Location; 0 means no limit. Once
	// reached, visits that come due before the next local midnight are counted as capped, not
	// dropped. The first day counts only this run's visits.
	MaxPerDay uint64
	// Location defines calendar days for MaxPerDay; nil means UTC.
	Location *time.Location
	// Duration stops scheduling this long after Start; 0 means no limit.
	Duration time.Duration
	// Grace is how long in-flight visits get to finish once scheduling stops, for whatever
	// reason; then their context is cancelled. 0 means DefaultGrace, negative means none.
	Grace time.Duration
	// LateTolerance is how late a visit may start: one found due later than
	// max(LateTolerance, one interval at the current rate) is dropped. 0 means
	// DefaultLateTolerance. See Scheduler for why.
	LateTolerance time.Duration
	// Tick is the grid that timed events are coalesced onto: a visit due between two grid instants
	// (Start + k·Tick) starts at the next one, and so does a wait of Scheduler.Wait, so everything
	// due within one tick is woken together by one timer. It trades up to one tick of delay (never
	// an early start, never a change of rate) for far fewer wake-ups, each serving a batch. 0 means
	// DefaultTick; negative means none (every event on a timer of its own).
	Tick time.Duration
	// OnDrop, if set, is called with the seq of every dropped visit, on the scheduling goroutine:
	// it must be quick.
	OnDrop func(seq uint64)
	// OnCap, if set, is called with the number of visits capped so far each time MaxPerDay holds
	// one back, on the scheduling goroutine: it must be quick.
	OnCap func(capped uint64)
}

// Stats is a snapshot of a running scheduler's counters. Dropped includes Late.
type Stats struct {
	Started  uint64 // visits handed to a slot
	Dropped  uint64 // visits due but not started: no free slot, or too late
	Late     uint64 // of Dropped, those found due too late (the loop had stalled)
	Capped   uint64 // visits not started because MaxPerDay was reached
	InFlight int    // visits started and not yet returned
}

// Result is what a finished Run reports.
type Result struct {
	Stats
	Aborted uint64        // visits still running when Grace ran out (their ctx was cancelled)
	Reason  string        // why scheduling stopped: one of the Reason constants
	Elapsed time.Duration // from Start until scheduling stopped, before the drain
}

// validate checks cfg and fills in defaults, reporting every problem at once.
func (cfg *Config) validate(visit Visit) error {
	var errs []error
	if cfg.Pacer == nil {
		errs = append(errs, fmt.Errorf("%w: Pacer is required", ErrConfig))
	}
	if visit == nil {
		errs = append(errs, fmt.Errorf("%w: a Visit func is required", ErrConfig))
	}
	if cfg.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("%w: Concurrency must be ≥ 1, got %d", ErrConfig, cfg.Concurrency))
	}
	if cfg.Duration < 0 {
		errs = append(errs, fmt.Errorf("%w: Duration must be ≥ 0, got %v", ErrConfig, cfg.Duration))
	}
	if cfg.LateTolerance < 0 {
		errs = append(errs, fmt.Errorf("%w: LateTolerance must be ≥ 0, got %v", ErrConfig, cfg.LateTolerance))
	}
	if cfg.Clock == nil {
		cfg.Clock = engines.SystemClock{}
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.LateTolerance == 0 {
		cfg.LateTolerance = DefaultLateTolerance
	}
	if cfg.Tick == 0 {
		cfg.Tick = DefaultTick
	}
	return errors.Join(errs...)
}

// Scheduler runs visits on a pacer's schedule. For each position n of the schedule it waits (a
// timer and a select on the context, never a sleep) until visit n is due — rounded up to the tick
// grid (Config.Tick), so that the visits due within one tick are taken in one wake-up — then decides:
//
//   - capped, if MaxPerDay visits have already started on the current local day;
//   - dropped as late, if it was due longer ago than the late tolerance;
//   - dropped, if Concurrency visits are in flight;
//   - started otherwise, on one of Concurrency worker goroutines.
//
// Either way the schedule moves on to n+1: nothing is re-sent later.
//
// The late rule is what keeps a stalled process (a paused container, a suspended laptop, a long
// GC) from replaying what it missed as a burst. The tolerance is max(LateTolerance, one interval
// at the current rate): at most about a second's worth of visits can start back to back, while
// at low rates a short stall merely delays the one visit it caught rather than losing it. Visits
// that are late but within tolerance start at once, so small timer jitter never costs a visit.
//
// A Scheduler runs once. Its Stats may be read from any goroutine while it runs.
type Scheduler struct {
	cfg   Config
	visit Visit
	seq   pace.Sequencer // nil when the pacer's positions are already global numbers
	start time.Time
	ticks atomic.Pointer[ticks] // while Run runs, with a Tick
	ran   atomic.Bool

	started, dropped, late, capped, aborted atomic.Uint64
	inFlight                                atomic.Int64
	queued                                  atomic.Int64 // handed to the queue, not yet taken by a worker
}

// New checks cfg and returns a Scheduler for visit. Errors wrap ErrConfig.
func New(cfg Config, visit Visit) (*Scheduler, error) {
	if err := cfg.validate(visit); err != nil {
		return nil, err
	}
	s := &Scheduler{cfg: cfg, visit: visit}
	s.seq, _ = cfg.Pacer.(pace.Sequencer)
	return s, nil
}

// Run is New followed by Scheduler.Run.
func Run(ctx context.Context, cfg Config, visit Visit) (Result, error) {
	s, err := New(cfg, visit)
	if err != nil {
		return Result{}, err
	}
	return s.Run(ctx)
}

// Run schedules visits until ctx is cancelled, Duration or MaxTotal is reached, or the pacer's
// schedule ends; then it lets in-flight visits finish (see drain), cancelling them only when ctx
// is cancelled and Grace runs out. Stopping is not an error: the error is non-nil only for ErrRunTwice.
func (s *Scheduler) Run(ctx context.Context) (Result, error) {
	if !s.ran.CompareAndSwap(false, true) {
		return Result{}, ErrRunTwice
	}
	s.start = s.cfg.Start
	if s.start.IsZero() {
		s.start = s.cfg.Clock.Now()
	}
	// Visits get a context of their own: the caller's values, but not its cancellation, which
	// only stops scheduling. It is cancelled when the grace period runs out, or at once by a hard
	// stop (a second signal).
	visitCtx, cancelVisits := shutdown.Detach(ctx)
	defer cancelVisits()
	if s.cfg.Tick > 0 {
		g := newTicks(s.cfg.Clock, s.start, s.cfg.Tick)
		g.start()
		s.ticks.Store(g)
		defer g.close() // after the drain: visits wait on it until they end
	}
	work := make(chan uint64, s.cfg.Concurrency)
	var workers sync.WaitGroup
	for range s.cfg.Concurrency {
		workers.Go(func() { s.work(visitCtx, work) })
	}
	reason := s.schedule(ctx, work)
	elapsed := s.cfg.Clock.Now().Sub(s.start)
	close(work)
	s.drain(ctx, visitCtx, reason != ReasonCancelled, &workers, cancelVisits)
	return Result{Stats: s.Stats(), Aborted: s.aborted.Load(), Reason: reason, Elapsed: elapsed}, nil
}

// Wait waits for d or until ctx is cancelled, and reports whether d passed; a d of zero or less
// returns at once. While the scheduler runs, the wait ends at the first instant of the tick grid at
// or after d from now (see Config.Tick), together with every other wait ending there: this is how a
// visit should pause between its hits. Outside Run, or without a Tick, it waits on a timer of its
// own. It is safe for concurrent use.
func (s *Scheduler) Wait(ctx context.Context, d time.Duration) bool {
	if g := s.ticks.Load(); g != nil {
		return g.wait(ctx, d)
	}
	return engines.Wait(ctx, s.cfg.Clock, d) == nil
}

// Stats returns the current counters.
func (s *Scheduler) Stats() Stats {
	return Stats{
		Started:  s.started.Load(),
		Dropped:  s.dropped.Load(),
		Late:     s.late.Load(),
		Capped:   s.capped.Load(),
		InFlight: int(s.inFlight.Load()),
	}
}

// work runs visits from the queue. The queue is buffered to Concurrency and a visit is queued
// only after taking a slot, so a send on it never blocks the scheduling loop.
func (s *Scheduler) work(ctx context.Context, queue <-chan uint64) {
	for seq := range queue {
		s.queued.Add(-1)
		s.visit(ctx, seq)
		if ctx.Err() != nil { // cut: the grace ran out, or a hard stop came, while it ran
			s.aborted.Add(1)
		}
		s.inFlight.Add(-1)
	}
}

// drain lets the visits in flight finish. After a natural end (Duration, MaxTotal, the end of the
// schedule) they all finish, however long that takes, since they were meant to run whole; once ctx is
// cancelled (a stop signal, possibly during that wait), they get Grace more, then their context is
// cancelled and drain waits for them to return. A hard stop (visitCtx ending first) ends the grace.
func (s *Scheduler) drain(ctx, visitCtx context.Context, natural bool, workers *sync.WaitGroup, cancelVisits context.CancelFunc) {
	idle := make(chan struct{})
	go func() {
		workers.Wait()
		close(idle)
	}()
	if natural {
		select {
		case <-idle:
			return
		case <-ctx.Done():
		}
	}
	if s.cfg.Grace > 0 {
		grace := s.cfg.Clock.NewTimer(s.cfg.Grace)
		defer grace.Stop()
		select {
		case <-idle:
			return
		case <-grace.C():
		case <-visitCtx.Done():
		}
	}
	cancelVisits()
	<-idle
}
