package runs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// finish ends a run whose loaders have all ended: for a backfill it first saves the checkpoint
// out of the container (so a resumed run continues exactly where this one stopped; on a swarm the
// state stays on its volumes), then it saves the final stats and summary and the last log lines,
// records the final state, and removes the containers, or the service with its secrets and
// configs. It runs on a context of its own: a control shutting down still finishes a run whose
// end it has seen.
func (s *Service) finish(r *liveRun) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), finishTimeout)
	defer cancel()
	r.mu.Lock()
	state, code, msg := r.outcomeLocked()
	stats, summary := r.runStatsLocked(), r.summaryLocked()
	loaders := make([]*loader, 0, len(r.byIndex))
	for _, i := range sortedKeys(r.byIndex) {
		loaders = append(loaders, r.byIndex[i])
	}
	r.mu.Unlock()

	if r.mode == ModeBackfill && !onSwarm(loaders) {
		if err := s.saveCheckpoint(ctx, r.id, loaders); err != nil {
			s.log.Error("saving the backfill checkpoint failed", "run", r.id, "err", err)
			if state != store.StateCompleted {
				msg = joinMsg(msg, "the checkpoint could not be saved, so this run cannot be resumed")
			}
		}
	}
	s.saveFinal(ctx, r, stats, summary)
	if err := s.saveLogs(r); err != nil {
		s.log.Warn("saving the run's last log lines failed", "run", r.id, "err", err)
	}
	upd := store.RunUpdate{ExitCode: code, Error: &msg}
	if err := s.st.UpdateRunState(ctx, r.id, store.ActiveStates(), state, upd); err != nil {
		s.log.Error("recording the end of a run failed", "run", r.id, "state", state, "err", err)
	}
	if err := s.rt.RemoveRun(ctx, r.id); err != nil {
		s.log.Warn("removing the run's loaders failed", "run", r.id, "err", err)
	}
	s.log.Info("run ended", "run", r.id, "state", state, "error", msg)
	s.closeRun(r)
}

// onSwarm reports whether a run's loaders are slots of a Swarm service.
func onSwarm(loaders []*loader) bool {
	for _, l := range loaders {
		if docker.IsServiceLoader(l.id) {
			return true
		}
	}
	return false
}

// closeRun ends the run's subscriptions and followers and moves it to the finished list.
func (s *Service) closeRun(r *liveRun) {
	r.mu.Lock()
	r.finished = true
	r.logSubs.close()
	r.eventSubs.close()
	r.mu.Unlock()
	close(r.done)
	r.cancel()
	s.untrack(r)
}

// saveFinal saves the run's final summed stats and summary (either may be nil).
func (s *Service) saveFinal(ctx context.Context, r *liveRun, stats *runStats, summary *report.Summary) {
	if stats != nil {
		s.saveRecord(ctx, r.id, stats, s.st.SaveRunStats)
	}
	if summary != nil {
		s.saveRecord(ctx, r.id, summary, s.st.SaveRunSummary)
	}
}

// saveRecord encodes a record and saves it with save, logging a failure.
func (s *Service) saveRecord(ctx context.Context, id string, rec any, save func(context.Context, string, []byte) error) {
	b, err := marshalRecord(rec)
	if err == nil {
		err = save(ctx, id, b)
	}
	if err != nil {
		s.log.Warn("saving the final figures failed", "run", id, "err", err)
	}
}

// outcomeLocked decides the final state, exit code and message of a run whose loaders ended.
// A requested stop wins; otherwise the run completed when every loader exited with 0, and
// failed with the first failing loader's code and reason.
func (r *liveRun) outcomeLocked() (state string, code *int, msg string) {
	var bad *loader
	for _, i := range sortedKeys(r.byIndex) {
		if l := r.byIndex[i]; l.vanished || l.exitCode != 0 {
			bad = l
			break
		}
	}
	zero := 0
	switch {
	case bad == nil && r.stopRequested:
		return store.StateStopped, &zero, ""
	case bad == nil:
		if i, ok := r.interruptedLocked(); ok {
			return store.StateStopped, &zero, fmt.Sprintf("loader %d was stopped from outside the control before its share was done (its summary says %q); resume the run to finish it", i, reasonSignal)
		}
		return store.StateCompleted, &zero, ""
	}
	if !bad.vanished {
		c := bad.exitCode
		code = &c
	}
	if r.stopRequested {
		if bad.vanished {
			return store.StateStopped, nil, ""
		}
		return store.StateStopped, code, fmt.Sprintf("loader %d ended with code %d while stopping", bad.index, bad.exitCode)
	}
	return store.StateFailed, code, r.failureLocked(bad)
}

// reasonSignal is the reason of a loader's summary when a signal ended it (pkg/report Summary).
const reasonSignal = "signal"

// interruptedLocked finds a backfill loader that exited 0 because something outside the control
// sent it SIGTERM (a `docker stop` on its node, say): its share is not done, so the run did not
// complete, and on a swarm its task, which ended well, is not started again.
func (r *liveRun) interruptedLocked() (int, bool) {
	if r.mode != ModeBackfill {
		return 0, false
	}
	for _, i := range sortedKeys(r.cur) {
		if s := r.cur[i].summary; s != nil && s.Reason == reasonSignal {
			return i, true
		}
	}
	return 0, false
}

// failureLocked says why a loader failed, in words a user can act on.
func (r *liveRun) failureLocked(l *loader) string {
	var msg string
	switch {
	case l.vanished:
		return fmt.Sprintf("loader %d's container disappeared before it finished (removed outside the control?)", l.index)
	case l.oom:
		msg = fmt.Sprintf("loader %d was killed for running out of memory (exit code %d)", l.index, l.exitCode)
	case l.exitCode == 2:
		msg = fmt.Sprintf("loader %d exited with code 2: its configuration or content files are invalid", l.index)
	default:
		msg = fmt.Sprintf("loader %d exited with code %d", l.index, l.exitCode)
	}
	if l.engineErr != "" {
		msg += " (" + r.scrub(l.engineErr) + ")"
	}
	if last := r.lastErrorLocked(); last != "" {
		return msg + ": " + last
	}
	if last := r.lastLogLocked(l.index); last != "" {
		return msg + "; its last log line: " + last
	}
	return msg
}

// lastLogLocked is the gist of the last stderr line of a loader: the message and error of a
// JSON log record, or the line itself (cut to a sensible length).
func (r *liveRun) lastLogLocked(index int) string {
	lines := r.logs.last(0)
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if l.Loader != index || l.Stream != "stderr" {
			continue
		}
		var rec struct {
			Msg   string `json:"msg"`
			Error string `json:"error"`
			Err   string `json:"err"`
		}
		text := l.Text
		if json.Unmarshal([]byte(text), &rec) == nil && rec.Msg != "" {
			text = rec.Msg
			if e := rec.Error + rec.Err; e != "" {
				text += ": " + e
			}
		}
		if len(text) > 300 {
			text = text[:300] + "…"
		}
		return text
	}
	return ""
}

// joinMsg appends a sentence to a message.
func joinMsg(msg, more string) string {
	if msg == "" {
		return more
	}
	return msg + "; " + more
}
