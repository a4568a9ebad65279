package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// RunDay is one backfill day's progress on one target of a run, as the loader's "day" records report
// it (pkg/report Day). Done days are final.
type RunDay struct {
	Date      string    `db:"date" json:"date"` // YYYY-MM-DD in the run's TIMEZONE
	Target    string    `db:"target" json:"target"`
	Planned   int64     `db:"planned" json:"planned"`
	Sent      int64     `db:"sent" json:"sent"`
	Tracked   int64     `db:"tracked" json:"tracked"`
	Invalid   int64     `db:"invalid" json:"invalid"`
	Dropped   int64     `db:"dropped" json:"dropped"`
	Seconds   float64   `db:"seconds" json:"seconds"`
	Done      bool      `db:"done" json:"done"`
	Skipped   string    `db:"skipped" json:"skipped,omitempty"` // why the day was not sent (already complete, cap reached)
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// DayFromReport converts a loader's day record.
func DayFromReport(d report.Day) RunDay {
	return RunDay{Date: d.Date, Target: d.Target, Planned: d.Planned, Sent: d.Sent, Tracked: d.Tracked,
		Invalid: d.Invalid, Dropped: d.Dropped, Seconds: d.Seconds, Done: d.Done, Skipped: d.Skipped}
}

// UpsertRunDay records the latest progress of (run, d.Date, d.Target). A day once done stays done: a
// late or repeated record cannot make a finished day look unfinished. ErrNotFound for an unknown run.
func (s *Store) UpsertRunDay(ctx context.Context, runID string, d RunDay) error {
	if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
		return fmt.Errorf("save day of run %s: %w: date %q is not YYYY-MM-DD", runID, ErrInvalid, d.Date)
	}
	d.UpdatedAt = s.now()
	args := struct {
		RunID string `db:"run_id"`
		RunDay
	}{runID, d}
	_, err := s.db.NamedExecContext(ctx, `INSERT INTO run_days
		(run_id, date, target, planned, sent, tracked, invalid, dropped, seconds, done, skipped, updated_at) VALUES
		(:run_id, :date, :target, :planned, :sent, :tracked, :invalid, :dropped, :seconds, :done, :skipped, :updated_at)
		ON CONFLICT (run_id, date, target) DO UPDATE SET
			planned = excluded.planned, sent = excluded.sent, tracked = excluded.tracked, invalid = excluded.invalid,
			dropped = excluded.dropped, seconds = excluded.seconds, skipped = excluded.skipped,
			updated_at = excluded.updated_at, done = excluded.done
		WHERE run_days.done = 0`, args)
	return wrap(err, "save day %s of run %s", d.Date, runID)
}

// ListRunDays returns a run's day records by date, then target; ErrNotFound for an unknown run.
func (s *Store) ListRunDays(ctx context.Context, runID string) ([]RunDay, error) {
	if err := s.runExists(ctx, runID); err != nil {
		return nil, err
	}
	var out []RunDay
	if err := s.db.SelectContext(ctx, &out, `SELECT date, target, planned, sent, tracked, invalid, dropped,
		seconds, done, skipped, updated_at FROM run_days WHERE run_id = ? ORDER BY date, target`, runID); err != nil {
		return nil, wrap(err, "list days of run %s", runID)
	}
	return out, nil
}
