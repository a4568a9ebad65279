package runs

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
)

// Stop stops an active run: its loaders get SIGTERM and StopTimeout (or SHUTDOWN_GRACE plus a
// margin, if longer) to print their summary and exit. The run then ends as usual (a backfill's
// checkpoint is saved first, the containers are removed) in state stopped. Stop waits for that
// end, or until ctx ends (the stop then goes on, and the run shows as stopping). Stopping a
// finished run is ErrConflict; stopping one that is stopping already waits again.
func (s *Service) Stop(ctx context.Context, id string) (View, error) {
	r := s.watched(id)
	if r == nil {
		run, err := s.st.GetRun(ctx, id)
		if err != nil {
			return View{}, fmt.Errorf("stop run %s: %w", id, err)
		}
		return View{}, fmt.Errorf("stop run %s: %w: it is %s", id, ErrConflict, run.State)
	}
	from := []string{store.StatePending, store.StateStarting, store.StateRunning, store.StateStopping}
	if err := s.st.UpdateRunState(ctx, id, from, store.StateStopping, store.RunUpdate{}); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return View{}, fmt.Errorf("stop run %s: %w: %w", id, ErrConflict, err)
		}
		return View{}, fmt.Errorf("stop run %s: %w", id, err)
	}
	failed := s.requestStop(r)
	select {
	case <-r.done:
	case err := <-failed:
		if err != nil {
			return View{}, fmt.Errorf("stop run %s: %w", id, dockerErr(err))
		}
		select {
		case <-r.done:
		case <-ctx.Done():
		}
	case <-ctx.Done():
	}
	return s.Get(context.WithoutCancel(ctx), id)
}

// watched returns a run whose containers are being watched; nil when none.
func (s *Service) watched(id string) *liveRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runs[id]
}

// requestStop marks the run as stopping and stops its loaders in the background. The returned
// channel yields the first error of stopping the containers (nil when all stop requests were
// accepted) once they have been sent.
func (s *Service) requestStop(r *liveRun) <-chan error {
	result := make(chan error, 1)
	r.mu.Lock()
	r.stopRequested = true
	r.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		result <- s.stopLoaders(r)
	}()
	return result
}

// stopLoaders stops every loader that still runs, in parallel, once all have been created.
func (s *Service) stopLoaders(r *liveRun) error {
	select {
	case <-r.started:
	case <-r.ctx.Done():
		return nil
	}
	r.mu.Lock()
	var loaders []*loader
	for _, l := range r.byIndex {
		if !l.exited {
			loaders = append(loaders, l)
		}
	}
	r.mu.Unlock()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, l := range loaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.rt.Stop(r.ctx, l.id, r.stopTimeout)
			if err != nil && !errors.Is(err, docker.ErrNotFound) && r.ctx.Err() == nil {
				s.log.Warn("stopping a loader failed", "run", r.id, "loader", l.index, "err", err)
				mu.Lock()
				errs = append(errs, fmt.Errorf("loader %d: %w", l.index, err))
				mu.Unlock()
			}
			select {
			case l.poke <- struct{}{}:
			default:
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Restart stops the run if it is active, then starts a new run with the same config snapshot
// (and the same saved-config link and number of loaders), and returns the new run. A backfill
// run is resumed from its checkpoint instead of being started over, so no day is sent twice.
// Content sets are the current defaults, since a run does not record which sets it used.
func (s *Service) Restart(ctx context.Context, id string) (View, error) {
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return View{}, fmt.Errorf("restart run %s: %w", id, err)
	}
	if store.IsActive(run.State) {
		if _, err := s.Stop(ctx, id); err != nil && !errors.Is(err, ErrConflict) {
			return View{}, fmt.Errorf("restart run %s: %w", id, err)
		}
		if r := s.watched(id); r != nil {
			select {
			case <-r.done:
			case <-ctx.Done():
				return View{}, fmt.Errorf("restart run %s: still stopping: %w", id, ctx.Err())
			}
		}
	}
	if s.ctx.Err() != nil {
		return View{}, errClosed
	}
	req := StartRequest{Name: run.Name, Mode: run.Mode, Loaders: run.Config.ShardCount, Limits: storedLimits(run.Limits),
		Placement: run.Placement}
	if run.Mode == ModeBackfill {
		req.ResumeOf = id
	} else {
		cfg := run.Config
		req.Config = &cfg
	}
	p, err := s.plan(ctx, req)
	if err != nil {
		return View{}, fmt.Errorf("restart run %s: %w", id, err)
	}
	p.configID = run.ConfigID
	next, err := s.create(ctx, p)
	if err != nil {
		return View{}, fmt.Errorf("restart run %s: %w", id, err)
	}
	if err := s.launch(ctx, next, p); err != nil {
		return View{}, fmt.Errorf("restart run %s: %w", id, err)
	}
	return s.Get(context.WithoutCancel(ctx), next.ID)
}

// Delete removes a finished run's records, its kept checkpoint and log lines, and on a swarm the
// state volumes of its backfill once no other run (one that resumed it, or that it resumed) shares
// them. An active run is ErrConflict: stop it first.
func (s *Service) Delete(ctx context.Context, id string) error {
	if s.watched(id) != nil {
		return fmt.Errorf("delete run %s: %w: it is active; stop it first", id, ErrConflict)
	}
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return fmt.Errorf("delete run %s: %w", id, err)
	}
	if err := s.st.DeleteRun(ctx, id); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("delete run %s: %w: %w", id, ErrConflict, err)
		}
		return fmt.Errorf("delete run %s: %w", id, err)
	}
	s.forget(id)
	if err := s.removeRunFiles(id); err != nil {
		s.log.Warn("removing a deleted run's files failed", "run", id, "err", err)
	}
	if key := stateKeyOf(run.Config); key != "" {
		s.removeStateUnlessShared(ctx, key)
	}
	return nil
}

// removeStateUnlessShared removes the state volumes of a key no remaining run uses.
func (s *Service) removeStateUnlessShared(ctx context.Context, key string) {
	all, err := s.st.ListRuns(ctx, store.RunFilter{})
	if err != nil {
		s.log.Warn("keeping a deleted run's state volumes: cannot tell whether another run shares them", "state", key, "err", err)
		return
	}
	for _, r := range all {
		if stateKeyOf(r.Config) == key {
			return
		}
	}
	if err := s.rt.RemoveState(ctx, key); err != nil {
		s.log.Warn("removing a deleted run's state volumes failed", "state", key, "err", err)
	}
}
