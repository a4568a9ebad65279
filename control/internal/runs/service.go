package runs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
)

// Defaults of Options.
const (
	DefaultLoaderImage    = "trafficinator/loader:latest"
	DefaultMaxActive      = 4
	DefaultStopTimeout    = 30 * time.Second
	DefaultRestartRetries = 3
)

// Timing of the service's background work.
const (
	statsSaveEvery  = 5 * time.Second  // live stats reach SQLite at most this often (and at the end)
	finishTimeout   = 2 * time.Minute  // bounds the end of a run: checkpoint copy, saves, removal
	startTimeout    = 2 * time.Minute  // bounds creating a run's containers
	eventsRetryMax  = 30 * time.Second // longest pause before watching Docker events again
	keepFinished    = 32               // finished runs whose recent log lines stay in memory
	stopGraceMargin = 5 * time.Second  // added to SHUTDOWN_GRACE: time to print the summary and exit
)

// Options configures New.
type Options struct {
	// LoaderImage is the loader image (LOADER_IMAGE); default DefaultLoaderImage.
	LoaderImage string
	// Network is the loaders' network (LOADER_NETWORK): "" for the default bridge, "host", or the
	// name of an existing network.
	Network string
	// MaxActive is how many runs may be active at once; default DefaultMaxActive.
	MaxActive int
	// StopTimeout is how long a stopping loader may take before it is killed; default
	// DefaultStopTimeout. It is raised to the run's SHUTDOWN_GRACE plus a margin when that is
	// longer, so a loader is never killed while it drains as configured.
	StopTimeout time.Duration
	// Scope is the Docker label scope of this control instance. The Runtime is already bound to
	// it; the service only names it in its logs.
	Scope string
	// Log receives the service's own logs; default slog.Default().
	Log *slog.Logger
	// DataDir is the control's data directory. Backfill checkpoints are kept under
	// <DataDir>/checkpoints/<run id>/ and the last log lines of finished runs under
	// <DataDir>/logs/. Empty: neither is kept, so backfill runs cannot be resumed.
	DataDir string
	// RestartRetries is how often Docker restarts a live loader that fails; default
	// DefaultRestartRetries. Backfill loaders are never restarted by Docker.
	RestartRetries int
}

// withDefaults fills in the zero options.
func (o Options) withDefaults() Options {
	if o.LoaderImage == "" {
		o.LoaderImage = DefaultLoaderImage
	}
	if o.MaxActive <= 0 {
		o.MaxActive = DefaultMaxActive
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = DefaultStopTimeout
	}
	if o.RestartRetries <= 0 {
		o.RestartRetries = DefaultRestartRetries
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return o
}

// Service runs loader containers for runs and keeps the store in step with them. It is safe for
// concurrent use.
type Service struct {
	st   *store.Store
	rt   Runtime
	opts Options
	log  *slog.Logger

	platform docker.Platform // how loaders run (containers or a swarm), as the engine said at New

	ctx    context.Context // the service's lifetime; Close cancels it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	startMu sync.Mutex // makes the limit check and the creation of a run one step

	mu       sync.Mutex
	runs     map[string]*liveRun // runs with containers being watched
	finished []*liveRun          // recently finished runs, newest last, for their log lines
}

// New starts the service: it reconciles the store's active runs with the containers Docker
// reports (re-attaching to running loaders, recording the exit of finished ones, marking runs
// whose containers vanished as lost, removing containers no run owns), then watches Docker
// events. The service outlives ctx (it is used for the reconciliation only); Close ends it.
func New(ctx context.Context, st *store.Store, rt Runtime, opts Options) (*Service, error) {
	opts = opts.withDefaults()
	life, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Service{st: st, rt: rt, opts: opts, log: opts.Log.With("component", "runs", "scope", opts.Scope),
		ctx: life, cancel: cancel, runs: make(map[string]*liveRun)}
	platform, err := rt.Platform(ctx)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("runs: %w", dockerErr(err))
	}
	s.platform = platform
	if err := s.reconcile(ctx); err != nil {
		cancel()
		s.wg.Wait()
		return nil, err
	}
	s.goBackground(s.watchEvents)
	s.goBackground(s.saveStatsLoop)
	return s, nil
}

// Close stops following logs and events and saves the latest stats. Containers keep running:
// the next New re-attaches to them.
func (s *Service) Close() error {
	s.cancel()
	s.wg.Wait()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), 10*time.Second)
	defer cancel()
	var errs []error
	for _, r := range s.active() {
		if err := s.saveStats(ctx, r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Runtime says how the service runs loaders: docker.ModeContainers or docker.ModeSwarm.
func (s *Service) Runtime() string { return s.platform.Mode }

// Ping reports whether the Docker Engine answers (ErrUnavailable when not).
func (s *Service) Ping(ctx context.Context) error {
	if err := s.rt.Ping(ctx); err != nil {
		return dockerErr(err)
	}
	return nil
}

// dockerErr adds ErrUnavailable to an error of an engine that does not answer.
func dockerErr(err error) error {
	if errors.Is(err, docker.ErrUnavailable) && !errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// goBackground runs fn(ctx of the service) counted in the wait group.
func (s *Service) goBackground(fn func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(s.ctx)
	}()
}

// track registers a run whose containers are being watched.
func (s *Service) track(r *liveRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runs[r.id] = r
}

// untrack moves a run that ended to the finished list (keeping its log lines a while).
func (s *Service) untrack(r *liveRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.runs, r.id)
	s.finished = append(s.finished, r)
	if len(s.finished) > keepFinished {
		s.finished = s.finished[1:]
	}
}

// lookup returns the in-memory state of a run, active or recently finished; nil when none.
func (s *Service) lookup(id string) *liveRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.runs[id]; r != nil {
		return r
	}
	for _, r := range s.finished {
		if r.id == id {
			return r
		}
	}
	return nil
}

// forget drops a deleted run from memory.
func (s *Service) forget(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished = deleteFunc(s.finished, func(r *liveRun) bool { return r.id == id })
}

// active returns the runs being watched.
func (s *Service) active() []*liveRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*liveRun, 0, len(s.runs))
	for _, r := range s.runs {
		out = append(out, r)
	}
	return out
}

// saveStatsLoop saves changed live stats every statsSaveEvery, so a control that dies loses at
// most that much of a run's counters.
func (s *Service) saveStatsLoop(ctx context.Context) {
	t := time.NewTicker(statsSaveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, r := range s.active() {
			if err := s.saveStats(ctx, r); err != nil && ctx.Err() == nil {
				s.log.Warn("saving run stats failed", "run", r.id, "err", err)
			}
		}
	}
}

// saveStats saves a run's summed stats when they changed.
func (s *Service) saveStats(ctx context.Context, r *liveRun) error {
	st := r.takeDirtyStats()
	if st == nil {
		return nil
	}
	b, err := marshalRecord(st)
	if err != nil {
		return err
	}
	return s.st.SaveRunStats(ctx, r.id, b)
}

// watchEvents follows Docker events for the scope and wakes the follower of the container an
// event is about, so exits and restarts are noticed at once. A broken event stream is watched
// again after a growing pause; every follower is woken then, to catch up on what was missed.
func (s *Service) watchEvents(ctx context.Context) {
	pause := time.Second
	for {
		events, errs := s.rt.Events(ctx)
		for e := range events {
			pause = time.Second
			s.poke(e.RunID, e.ContainerID)
		}
		err := <-errs
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("docker event stream ended; watching again", "err", err, "in", pause)
		if !wait(ctx, pause, nil) {
			return
		}
		pause = min(2*pause, eventsRetryMax)
		for _, r := range s.active() {
			s.pokeAll(r)
		}
	}
}

// poke wakes the follower of one container of a watched run.
func (s *Service) poke(runID, containerID string) {
	s.mu.Lock()
	r := s.runs[runID]
	s.mu.Unlock()
	if r == nil {
		return
	}
	if l := r.loaderByContainer(containerID); l != nil {
		select {
		case l.poke <- struct{}{}:
		default:
		}
	}
}

// pokeAll wakes every follower of a run.
func (s *Service) pokeAll(r *liveRun) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.byIndex {
		select {
		case l.poke <- struct{}{}:
		default:
		}
	}
}

// wait pauses for d, returning early (true) when poke fires and false when ctx ends.
func wait(ctx context.Context, d time.Duration, poke <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	case <-poke:
		return true
	}
}

// deleteFunc is slices.DeleteFunc without aliasing surprises for the caller's slice.
func deleteFunc[T any](s []T, del func(T) bool) []T {
	out := s[:0:0]
	for _, v := range s {
		if !del(v) {
			out = append(out, v)
		}
	}
	return out
}
