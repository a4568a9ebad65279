package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// RunUpdate carries the fields UpdateRunState sets along with the state; nil fields are kept.
type RunUpdate struct {
	ExitCode   *int
	Error      *string
	Containers []string   // nil keeps the stored list; an empty slice clears it
	StartedAt  *time.Time // default: now, the first time the run becomes running
	FinishedAt *time.Time // default: now, the first time the run reaches a final state
}

// UpdateRunState moves run id to state to, but only if its current state is one of from (compare and
// set): two parties racing to move a run (a user's stop and the loader's exit, say) cannot both win.
// It returns ErrConflict when the current state is not in from, ErrNotFound for an unknown run, and
// ErrInvalid for an unknown state or an empty from.
func (s *Store) UpdateRunState(ctx context.Context, id string, from []string, to string, u RunUpdate) error {
	if !knownState(to) || len(from) == 0 {
		return fmt.Errorf("update run %s: %w: move from %v to %q", id, ErrInvalid, from, to)
	}
	now := s.now()
	set := []string{"state = :to", "updated_at = :now"}
	args := map[string]any{"id": id, "to": to, "from": from, "now": now}
	if u.ExitCode != nil {
		set, args["exit_code"] = append(set, "exit_code = :exit_code"), *u.ExitCode
	}
	if u.Error != nil {
		set, args["error"] = append(set, "error = :error"), *u.Error
	}
	if u.Containers != nil {
		b, err := json.Marshal(u.Containers)
		if err != nil {
			return fmt.Errorf("update run %s: containers: %w", id, err)
		}
		set, args["containers"] = append(set, "containers_json = :containers"), string(b)
	}
	switch {
	case u.StartedAt != nil:
		set, args["started_at"] = append(set, "started_at = :started_at"), u.StartedAt.UTC()
	case to == StateRunning:
		set = append(set, "started_at = COALESCE(started_at, :now)")
	}
	switch {
	case u.FinishedAt != nil:
		set, args["finished_at"] = append(set, "finished_at = :finished_at"), u.FinishedAt.UTC()
	case !IsActive(to):
		set = append(set, "finished_at = COALESCE(finished_at, :now)")
	}
	q := `UPDATE runs SET ` + strings.Join(set, ", ") + ` WHERE id = :id AND state IN (:from)`
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		query, qargs, err := sqlx.Named(q, args)
		if err == nil {
			query, qargs, err = sqlx.In(query, qargs...)
		}
		if err != nil {
			return fmt.Errorf("update run %s: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(query), qargs...)
		if err != nil {
			return wrap(err, "update run %s", id)
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var current string
		if err := tx.GetContext(ctx, &current, `SELECT state FROM runs WHERE id = ?`, id); err != nil {
			return wrap(err, "update run %s", id)
		}
		return fmt.Errorf("update run %s to %s: %w: it is %s, not one of %v", id, to, ErrConflict, current, from)
	})
}

// SaveRunStats records the latest stats record of a run (a pkg/report Stats line, or the control's
// sum over a run's shards) and, in the same transaction, each target's counters from it.
func (s *Store) SaveRunStats(ctx context.Context, id string, stats []byte) error {
	var rec report.Stats
	if err := json.Unmarshal(stats, &rec); err != nil {
		return fmt.Errorf("save stats of run %s: %w: not a stats record: %w", id, ErrInvalid, err)
	}
	return s.saveRunRecord(ctx, id, "last_stats", stats, rec.Targets)
}

// SaveRunSummary records a run's final summary (a pkg/report Summary line) and its final per-target
// counters.
func (s *Store) SaveRunSummary(ctx context.Context, id string, summary []byte) error {
	var rec report.Summary
	if err := json.Unmarshal(summary, &rec); err != nil {
		return fmt.Errorf("save summary of run %s: %w: not a summary record: %w", id, ErrInvalid, err)
	}
	return s.saveRunRecord(ctx, id, "summary", summary, rec.Targets)
}

// saveRunRecord stores raw in column col (a constant of this file) and upserts the targets' counters.
func (s *Store) saveRunRecord(ctx context.Context, id, col string, raw []byte, targets []report.TargetStats) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE runs SET `+col+` = ?, updated_at = ? WHERE id = ?`, string(raw), now, id)
		if err != nil {
			return wrap(err, "save %s of run %s", col, id)
		}
		if err := expectOne(res, fmt.Sprintf("save %s of run %s", col, id)); err != nil {
			return err
		}
		for _, t := range targets {
			counters, err := json.Marshal(t)
			if err != nil {
				return fmt.Errorf("save counters of run %s: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO run_targets (run_id, target, counters, updated_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (run_id, target) DO UPDATE SET counters = excluded.counters,
				updated_at = excluded.updated_at`, id, t.Target, string(counters), now); err != nil {
				return wrap(err, "save counters of run %s target %q", id, t.Target)
			}
		}
		return nil
	})
}

// RunTarget is the latest cumulative counters of one target of a run (a pkg/report TargetStats).
type RunTarget struct {
	Target    string
	Counters  json.RawMessage
	UpdatedAt time.Time
}

// ListRunTargets returns a run's per-target counters by target name; ErrNotFound for an unknown run.
func (s *Store) ListRunTargets(ctx context.Context, id string) ([]RunTarget, error) {
	if err := s.runExists(ctx, id); err != nil {
		return nil, err
	}
	var rows []struct {
		Target    string    `db:"target"`
		Counters  string    `db:"counters"`
		UpdatedAt time.Time `db:"updated_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT target, counters, updated_at FROM run_targets
		WHERE run_id = ? ORDER BY target`, id); err != nil {
		return nil, wrap(err, "list counters of run %s", id)
	}
	out := make([]RunTarget, len(rows))
	for i, r := range rows {
		out[i] = RunTarget{Target: r.Target, Counters: json.RawMessage(r.Counters), UpdatedAt: r.UpdatedAt}
	}
	return out, nil
}

func (s *Store) runExists(ctx context.Context, id string) error {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM runs WHERE id = ?`, id); err != nil {
		return wrap(err, "find run %s", id)
	}
	if n == 0 {
		return fmt.Errorf("run %s: %w", id, ErrNotFound)
	}
	return nil
}
