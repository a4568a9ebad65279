package runs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
)

// errClosed is returned by calls that would start containers after Close.
var errClosed = errors.New("the runs service is closed")

// Start creates a run and starts its loader containers. The run is recorded first (pending), so a
// failure is recorded too: when a container cannot be started, the ones already started are
// stopped and removed and the run is marked failed with the reason. Errors: ErrInvalid (with the
// config.Problems), ErrLimit, ErrConflict (resuming an active run), ErrUnavailable (Docker does
// not answer; the run is then marked failed, never left pending).
func (s *Service) Start(ctx context.Context, req StartRequest) (View, error) {
	if s.ctx.Err() != nil {
		return View{}, errClosed
	}
	p, err := s.plan(ctx, req)
	if err != nil {
		return View{}, err
	}
	run, err := s.create(ctx, p)
	if err != nil {
		return View{}, err
	}
	if err := s.launch(ctx, run, p); err != nil {
		return View{}, err
	}
	return s.Get(context.WithoutCancel(ctx), run.ID)
}

// create checks the limit of active runs and records the run, as one step.
func (s *Service) create(ctx context.Context, p plan) (store.Run, error) {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	active, err := s.st.ListRuns(ctx, store.RunFilter{ActiveOnly: true})
	if err != nil {
		return store.Run{}, fmt.Errorf("start run: %w", err)
	}
	if len(active) >= s.opts.MaxActive {
		return store.Run{}, fmt.Errorf("start run: %w: %d runs are active, the limit is %d", ErrLimit, len(active), s.opts.MaxActive)
	}
	limits, err := json.Marshal(p.limits)
	if err != nil {
		return store.Run{}, fmt.Errorf("start run: %w", err)
	}
	run, err := s.st.CreateRun(ctx, store.Run{Name: p.name, Mode: p.mode, ConfigID: p.configID, Config: p.cfg,
		Limits: limits, Placement: p.placement, State: store.StatePending})
	if err != nil {
		return store.Run{}, fmt.Errorf("start run: %w", err)
	}
	return run, nil
}

// launch starts the run's containers and their followers. It runs on a context of its own (bounded
// by startTimeout): a client that goes away must not leave a run half started.
func (s *Service) launch(ctx context.Context, run store.Run, p plan) error {
	r := newLiveRun(s.ctx, run.ID, run.Mode, p.loaders, p.cfg)
	r.stopTimeout = max(s.opts.StopTimeout, p.cfg.ShutdownGrace+stopGraceMargin)
	r.starting = true
	s.track(r)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	if err := s.st.UpdateRunState(ctx, run.ID, []string{store.StatePending}, store.StateStarting, store.RunUpdate{}); err != nil {
		return s.abortStart(ctx, r, err)
	}
	loaders, err := s.rt.Launch(ctx, s.runSpec(run.ID, p))
	if errors.Is(err, docker.ErrNotFound) { // Launch finds no container to miss: the image is what is missing
		err = fmt.Errorf("%w: %s (build it with make images): %w", ErrImage, s.opts.LoaderImage, err)
	}
	if err != nil {
		return s.abortStart(ctx, r, err)
	}
	ids := make([]string, 0, len(loaders))
	for _, c := range loaders {
		ids = append(ids, c.ID)
		s.follow(r, r.addLoader(c.Index, c.ID))
	}
	err = s.st.UpdateRunState(ctx, run.ID, []string{store.StateStarting}, store.StateRunning, store.RunUpdate{Containers: ids})
	if errors.Is(err, store.ErrConflict) {
		// A stop came in while the containers were starting; keep their ids with the run.
		err = s.st.UpdateRunState(ctx, run.ID, []string{store.StateStopping}, store.StateStopping, store.RunUpdate{Containers: ids})
	}
	if err != nil && !errors.Is(err, store.ErrConflict) {
		s.log.Warn("recording a started run failed", "run", run.ID, "err", err)
	}
	s.log.Info("run started", "run", run.ID, "mode", run.Mode, "loaders", p.loaders, "on", p.platform.Mode)
	s.startedUp(r)
	return nil
}

// startedUp ends the starting phase of a run; a run whose loaders all ended meanwhile finishes.
func (s *Service) startedUp(r *liveRun) {
	r.mu.Lock()
	r.starting = false
	fin := r.readyToFinishLocked()
	r.mu.Unlock()
	close(r.started)
	if fin {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.finish(r)
		}()
	}
}

// abortStart undoes a start that failed: the followers end, whatever the engine holds of the run
// is removed (Launch removes what it made when it fails; this also covers a failure before it),
// and the run is marked failed with the cause. The cause is returned, wrapped.
func (s *Service) abortStart(ctx context.Context, r *liveRun, cause error) error {
	r.mu.Lock()
	r.finalizing = true
	r.mu.Unlock()
	r.cancel()
	if err := s.rt.RemoveRun(ctx, r.id); err != nil {
		s.log.Warn("removing the loaders of a failed start failed", "run", r.id, "err", err)
	}
	msg := r.scrub("could not start the loaders: " + cause.Error())
	if err := s.st.UpdateRunState(ctx, r.id, store.ActiveStates(), store.StateFailed, store.RunUpdate{Error: &msg}); err != nil {
		s.log.Error("recording a failed start failed", "run", r.id, "err", err)
	}
	s.log.Warn("run failed to start", "run", r.id, "err", msg)
	close(r.started)
	s.closeRun(r)
	return fmt.Errorf("start run %s: %w", r.id, dockerErr(cause))
}
