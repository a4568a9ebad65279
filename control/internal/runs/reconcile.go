package runs

import (
	"context"
	"errors"
	"fmt"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
)

// reconcile makes the store and Docker agree after a (re)start of the control: every active run
// gets its containers watched again, or is ended when they are gone, and containers no active run
// owns are removed.
func (s *Service) reconcile(ctx context.Context) error {
	runs, err := s.st.ListRuns(ctx, store.RunFilter{ActiveOnly: true})
	if err != nil {
		return fmt.Errorf("reconcile runs: %w", err)
	}
	containers, err := s.rt.List(ctx, docker.Filter{All: true})
	if err != nil {
		return fmt.Errorf("reconcile runs: %w", dockerErr(err))
	}
	byRun := make(map[string][]docker.Container)
	for _, c := range containers {
		byRun[c.RunID] = append(byRun[c.RunID], c)
	}
	active := make(map[string]bool, len(runs))
	for _, run := range runs {
		active[run.ID] = true
		if err := s.adopt(ctx, run, byRun[run.ID]); err != nil {
			return fmt.Errorf("reconcile run %s: %w", run.ID, err)
		}
	}
	for runID, cs := range byRun {
		if !active[runID] {
			s.removeOrphans(ctx, runID, cs)
		}
	}
	return nil
}

// removeOrphans stops and removes, in the background, the loaders of a run that is not active: a
// run that ended while its loaders were being removed, or no run the store knows.
func (s *Service) removeOrphans(ctx context.Context, runID string, cs []docker.Container) {
	known := "no run record"
	if run, err := s.st.GetRun(ctx, runID); err == nil {
		known = "its run is " + run.State
	}
	s.log.Warn("removing loaders no active run owns", "run", runID, "loaders", len(cs), "reason", known)
	s.goBackground(func(ctx context.Context) {
		for _, c := range cs {
			if err := s.rt.Stop(ctx, c.ID, s.opts.StopTimeout); err != nil && !errors.Is(err, docker.ErrNotFound) && ctx.Err() == nil {
				s.log.Warn("stopping an orphaned loader failed", "run", runID, "loader", c.Name, "err", err)
			}
		}
		if err := s.rt.RemoveRun(ctx, runID); err != nil && ctx.Err() == nil {
			s.log.Warn("removing an orphaned run's loaders failed", "run", runID, "err", err)
		}
	})
}

// removeExtras stops and removes, in the background, containers of an active run that are not
// among its loaders (an index out of range, or a second container of one index). The slots of a
// service are its loaders by construction.
func (s *Service) removeExtras(runID string, cs []docker.Container) {
	for _, c := range cs {
		s.log.Warn("removing a container its run does not count among its loaders", "run", runID, "container", c.Name)
		s.goBackground(func(ctx context.Context) {
			if err := s.rt.StopAndRemove(ctx, c.ID, s.opts.StopTimeout); err != nil && ctx.Err() == nil {
				s.log.Warn("removing an extra loader failed", "run", runID, "container", c.Name, "err", err)
			}
		})
	}
}

// adopt takes an active run back under watch. Its loaders' logs are read again from the start,
// which rebuilds its live figures exactly; loaders that exited meanwhile are found so at once and
// the run ends as it would have. A run without any container is lost.
func (s *Service) adopt(ctx context.Context, run store.Run, cs []docker.Container) error {
	if len(cs) == 0 {
		return s.markGone(ctx, run)
	}
	n := max(run.Config.ShardCount, 1)
	r := newLiveRun(s.ctx, run.ID, run.Mode, n, run.Config)
	r.stopTimeout = max(s.opts.StopTimeout, run.Config.ShutdownGrace+stopGraceMargin)
	var extra []docker.Container
	for _, c := range cs {
		if c.Index < 0 || c.Index >= n || r.byIndex[c.Index] != nil {
			extra = append(extra, c)
			continue
		}
		r.addLoader(c.Index, c.ID)
	}
	s.removeExtras(run.ID, extra)
	for i := range n {
		if r.byIndex[i] == nil {
			l := r.addLoader(i, "")
			l.exited, l.vanished = true, true
		}
	}
	switch run.State {
	case store.StatePending, store.StateStarting:
		if ok, err := s.adoptStarting(ctx, run, r); err != nil || !ok {
			return err
		}
	case store.StateStopping:
		r.stopRequested = true
	}
	s.track(r)
	close(r.started)
	s.log.Info("re-attached to a run", "run", run.ID, "state", run.State, "containers", len(cs))
	for _, i := range sortedKeys(r.byIndex) {
		if l := r.byIndex[i]; !l.vanished {
			s.follow(r, l)
		}
	}
	if run.State == store.StateStopping {
		s.requestStop(r)
	}
	r.mu.Lock()
	fin := r.readyToFinishLocked()
	r.mu.Unlock()
	if fin {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.finish(r)
		}()
	}
	return nil
}

// adoptStarting settles a run the control was starting when it stopped: with all its containers
// it is running (ok); with only some, the start is undone and the run fails, as a failed start
// would have.
func (s *Service) adoptStarting(ctx context.Context, run store.Run, r *liveRun) (ok bool, err error) {
	ids := make([]string, 0, len(r.byIndex))
	complete := true
	for _, i := range sortedKeys(r.byIndex) {
		if l := r.byIndex[i]; l.vanished {
			complete = false
		} else {
			ids = append(ids, l.id)
		}
	}
	if complete {
		err := s.st.UpdateRunState(ctx, run.ID, []string{run.State}, store.StateRunning, store.RunUpdate{Containers: ids})
		return err == nil, err
	}
	r.cancel()
	msg := "the control stopped while it was starting this run's loaders"
	if err := s.rt.RemoveRun(ctx, run.ID); err != nil {
		s.log.Warn("removing the loaders of an unfinished start failed", "run", run.ID, "err", err)
	}
	return false, s.st.UpdateRunState(ctx, run.ID, []string{run.State}, store.StateFailed, store.RunUpdate{Error: &msg})
}

// markGone ends an active run whose containers are all gone: lost, or stopped when a stop had
// been asked for (the stop evidently happened).
func (s *Service) markGone(ctx context.Context, run store.Run) error {
	state := store.StateLost
	msg := "its loader containers were gone when the control started (removed by hand, or the Docker host was reset)"
	switch run.State {
	case store.StateStopping:
		state, msg = store.StateStopped, "its loader containers were gone when the control started"
	case store.StatePending, store.StateStarting:
		msg = "the control stopped before this run's loaders were started"
	}
	s.log.Warn("run lost its containers", "run", run.ID, "state", state)
	s.goBackground(func(ctx context.Context) { // what may be left: a service's secrets and configs
		if err := s.rt.RemoveRun(ctx, run.ID); err != nil && ctx.Err() == nil {
			s.log.Warn("removing what a lost run left failed", "run", run.ID, "err", err)
		}
	})
	return s.st.UpdateRunState(ctx, run.ID, []string{run.State}, state, store.RunUpdate{Error: &msg})
}
