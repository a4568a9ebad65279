package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Get returns a run: its record, with live figures while it runs and the last saved ones after.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	run, err := s.st.GetRun(ctx, id)
	if err != nil {
		return View{}, fmt.Errorf("get run %s: %w", id, err)
	}
	v := s.view(run)
	if run.Mode == ModeBackfill {
		days, err := s.st.ListRunDays(ctx, id)
		if err != nil {
			return View{}, fmt.Errorf("get run %s: %w", id, err)
		}
		v.Days = days
	}
	return v, nil
}

// List returns runs newest first (only active ones when activeOnly), without backfill days.
func (s *Service) List(ctx context.Context, f ListFilter) ([]View, error) {
	runs, err := s.st.ListRuns(ctx, store.RunFilter{ActiveOnly: f.ActiveOnly, Limit: f.Limit})
	if err != nil {
		return nil, fmt.Errorf("list runs: %w", err)
	}
	out := make([]View, 0, len(runs))
	for _, run := range runs {
		out = append(out, s.view(run))
	}
	return out, nil
}

// view builds a View from a stored run and, if the run is watched, its live state. Tokens never
// reach it: the config map is built from the redacted config.
func (s *Service) view(run store.Run) View {
	v := View{
		ID: run.ID, Name: run.Name, Mode: run.Mode, State: run.State, ConfigID: run.ConfigID,
		Config: config.ToMap(run.Config.Redacted()), TokenSet: tokenSet(run.Config),
		CreatedAt: run.CreatedAt, ExitCode: run.ExitCode, Error: run.Error,
		Loaders: max(run.Config.ShardCount, 1), Limits: storedLimits(run.Limits), Summary: run.Summary, Targets: []TargetState{},
		Placement: run.Placement, Runtime: runtimeOf(run.Containers),
	}
	if !run.StartedAt.IsZero() {
		started := run.StartedAt
		v.StartedAt = &started
		end := time.Now()
		if !run.FinishedAt.IsZero() {
			end = run.FinishedAt
		}
		v.Uptime = max(end.Sub(started).Seconds(), 0)
	}
	if !run.FinishedAt.IsZero() {
		finished := run.FinishedAt
		v.FinishedAt = &finished
	}
	var stats *runStats
	if r := s.watched(run.ID); r != nil {
		r.mu.Lock()
		stats, v.Progress = r.runStatsLocked(), r.progressLocked()
		r.mu.Unlock()
	}
	if stats == nil {
		stats = storedStats(run)
	}
	if stats != nil {
		v.Targets, v.Total = targetStates(stats.Targets, stats.Health), stats.Total
	}
	return v
}

// runtimeOf says how a run's loaders run, from their IDs: "swarm" for the slots of a service,
// "containers" for containers, "" before any was started.
func runtimeOf(ids []string) string {
	for _, id := range ids {
		if docker.IsServiceLoader(id) {
			return docker.ModeSwarm
		}
	}
	if len(ids) > 0 {
		return docker.ModeContainers
	}
	return ""
}

// storedStats reads a run's final figures: its summary's counters when it has one, else its last
// stats', with the health saved with the last stats.
func storedStats(run store.Run) *runStats {
	var last *runStats
	if len(run.LastStats) > 0 {
		var st runStats
		if json.Unmarshal(run.LastStats, &st) == nil {
			last = &st
		}
	}
	if len(run.Summary) > 0 {
		var sum report.Summary
		if json.Unmarshal(run.Summary, &sum) == nil {
			st := &runStats{Stats: report.Stats{Targets: sum.Targets, Total: sum.Total}}
			if last != nil {
				st.Health = last.Health
			}
			return st
		}
	}
	return last
}

// Logs returns a run's recent log lines (the last tail of them; all that are kept when tail ≤ 0,
// at most 1000) and, with follow, the lines that come after, until ctx ends or the run finishes.
// Lines of finished runs are kept in the data directory. Report records (stdout) are included;
// tokens are masked.
func (s *Service) Logs(ctx context.Context, id string, tail int, follow bool) (<-chan LogLine, error) {
	if _, err := s.st.GetRun(ctx, id); err != nil {
		return nil, fmt.Errorf("logs of run %s: %w", id, err)
	}
	r := s.lookup(id)
	if r == nil {
		lines, err := s.savedLogs(id, tail)
		if err != nil {
			return nil, err
		}
		return sendAll(ctx, lines, nil, nil), nil
	}
	r.mu.Lock()
	lines := r.logs.last(tail)
	var sub chan LogLine
	if follow {
		sub = r.logSubs.subscribe()
	}
	r.mu.Unlock()
	return sendAll(ctx, lines, sub, func() {
		r.mu.Lock()
		r.logSubs.unsubscribe(sub)
		r.mu.Unlock()
	}), nil
}

// Events streams a run's report records as they arrive, until ctx ends or the run finishes. The
// channel of a run that is not active is closed at once.
func (s *Service) Events(ctx context.Context, id string) (<-chan Event, error) {
	if _, err := s.st.GetRun(ctx, id); err != nil {
		return nil, fmt.Errorf("events of run %s: %w", id, err)
	}
	r := s.watched(id)
	if r == nil {
		return sendAll[Event](ctx, nil, nil, nil), nil
	}
	r.mu.Lock()
	sub := r.eventSubs.subscribe()
	r.mu.Unlock()
	return sendAll(ctx, nil, sub, func() {
		r.mu.Lock()
		r.eventSubs.unsubscribe(sub)
		r.mu.Unlock()
	}), nil
}

// sendAll returns a channel that yields first, then everything sub yields, and is closed when
// sub is closed (or nil) or ctx ends; done runs then.
func sendAll[T any](ctx context.Context, first []T, sub <-chan T, done func()) <-chan T {
	out := make(chan T)
	go func() {
		defer close(out)
		if done != nil {
			defer done()
		}
		for _, v := range first {
			select {
			case out <- v:
			case <-ctx.Done():
				return
			}
		}
		if sub == nil {
			return
		}
		for {
			select {
			case v, ok := <-sub:
				if !ok {
					return
				}
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
