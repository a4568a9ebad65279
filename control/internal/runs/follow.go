package runs

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
)

// Pauses of a follower between looks at a container that is not running (restarting, or the
// engine not answering).
const (
	followPauseMin = 250 * time.Millisecond
	followPauseMax = 5 * time.Second
)

// follow starts the follower of one loader container. The follower is the one place that decides
// a container has ended: it reads the log until the stream closes (the process exited), then
// inspects the container. A container Docker is restarting is followed again from the last line
// read; an exited one records its exit, and the last loader of a run to end finishes the run.
func (s *Service) follow(r *liveRun, l *loader) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.followLoop(r, l)
	}()
}

func (s *Service) followLoop(r *liveRun, l *loader) {
	pause := followPauseMin
	for {
		read := s.readLogs(r, l)
		if r.ctx.Err() != nil {
			return
		}
		c, err := s.rt.Inspect(r.ctx, l.id)
		switch {
		case r.ctx.Err() != nil:
			return
		case errors.Is(err, docker.ErrNotFound):
			s.loaderEnded(r, l, docker.Container{}, true)
			return
		case err != nil:
			s.log.Warn("cannot inspect loader", "run", r.id, "loader", l.index, "err", err)
		case c.State == "exited" || c.State == "dead":
			s.loaderEnded(r, l, c, false)
			return
		case c.State == "running" && read > 0:
			pause = followPauseMin
			continue // restarted already: read on
		}
		if !wait(r.ctx, pause, l.poke) {
			return
		}
		pause = min(2*pause, followPauseMax)
	}
}

// readLogs follows the container's log from just after the last line read (from the start the
// first time, which is also how a restarted control rebuilds a run's state: report records are
// cumulative, and day records are upserts). It returns the number of lines read.
func (s *Service) readLogs(r *liveRun, l *loader) int {
	r.mu.Lock()
	since := l.lastSeen
	r.mu.Unlock()
	if !since.IsZero() {
		since = since.Add(time.Nanosecond)
	}
	lines, errs := s.rt.Logs(r.ctx, l.id, docker.LogOptions{Follow: true, Since: since})
	n := 0
	for line := range lines {
		n++
		got := r.ingest(l, line.Stream, line.Time, line.Text)
		s.persist(r, got)
	}
	if err := <-errs; err != nil && r.ctx.Err() == nil && !errors.Is(err, docker.ErrNotFound) {
		s.log.Warn("reading loader log failed", "run", r.id, "loader", l.index, "err", err)
	}
	return n
}

// persist saves what a record changed that must survive the control: backfill days at once
// (they are few), the records a comparison is built from, and the summed summary when a
// loader's summary arrives.
func (s *Service) persist(r *liveRun, got ingested) {
	if got.day != nil {
		if err := s.st.UpsertRunDay(r.ctx, r.id, store.DayFromReport(*got.day)); err != nil && r.ctx.Err() == nil {
			s.log.Warn("saving a backfill day failed", "run", r.id, "date", got.day.Date, "err", err)
		}
	}
	if got.record != nil {
		if err := s.st.AddRunRecords(r.ctx, r.id, []store.RunRecord{*got.record}); err != nil && r.ctx.Err() == nil {
			s.log.Warn("saving a report record failed", "run", r.id, "type", got.record.Type, "err", err)
		}
	}
	if got.summary != nil {
		b, err := marshalRecord(got.summary)
		if err == nil {
			err = s.st.SaveRunSummary(r.ctx, r.id, b)
		}
		if err != nil && r.ctx.Err() == nil {
			s.log.Warn("saving the run summary failed", "run", r.id, "err", err)
		}
	}
}

// loaderEnded records the end of one loader; the last one to end finishes the run.
func (s *Service) loaderEnded(r *liveRun, l *loader, c docker.Container, vanished bool) {
	r.mu.Lock()
	l.exited, l.vanished, l.exitCode, l.oom, l.engineErr = true, vanished, c.ExitCode, c.OOMKilled, c.Error
	finish := r.readyToFinishLocked()
	// A loader that failed for good leaves its run failed: the others are stopped rather than
	// left running a partial run nobody watches.
	failRest := !finish && !r.stopRequested && !r.starting && (vanished || c.ExitCode != 0)
	r.mu.Unlock()
	if failRest {
		s.log.Warn("a loader failed; stopping the run's other loaders", "run", r.id, "loader", l.index)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.stopLoaders(r); err != nil {
				s.log.Warn("stopping the other loaders failed", "run", r.id, "err", err)
			}
		}()
	}
	if vanished {
		s.log.Warn("loader container vanished", "run", r.id, "loader", l.index)
	} else {
		s.log.Info("loader exited", "run", r.id, "loader", l.index, "exit_code", c.ExitCode)
	}
	if finish {
		s.finish(r)
	}
}

// readyToFinishLocked reports whether every loader has ended and the run is not being started
// or finished already; when it returns true the caller must finish the run.
func (r *liveRun) readyToFinishLocked() bool {
	if r.starting || r.finalizing || len(r.byIndex) < r.loaders {
		return false
	}
	for _, l := range r.byIndex {
		if !l.exited {
			return false
		}
	}
	r.finalizing = true
	return true
}

// marshalRecord encodes a record for the store.
func marshalRecord(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	return b, nil
}
