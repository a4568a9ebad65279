package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// MaxRunRecordBytes bounds one stored report record: a loader's records are a few hundred bytes
// to a few kilobytes; anything larger is not a record worth keeping.
const MaxRunRecordBytes = 256 << 10

// RunRecord is one report record of a run (a pkg/report line) and the loader that printed it.
type RunRecord struct {
	Loader int
	Type   string
	Time   time.Time
	Record json.RawMessage
}

// AddRunRecords stores records of a run in the order given, skipping any stored before (the same
// loader, type, time and content), so a log read twice stores nothing twice. ErrNotFound for an
// unknown run; ErrInvalid for a record that is not a JSON object or is too large, in which case
// nothing is stored.
func (s *Store) AddRunRecords(ctx context.Context, runID string, recs []RunRecord) error {
	for _, r := range recs {
		if len(r.Record) > MaxRunRecordBytes || !json.Valid(r.Record) || r.Type == "" {
			return fmt.Errorf("save records of run %s: %w: a %q record of %d bytes (want a JSON object of at most %d)",
				runID, ErrInvalid, r.Type, len(r.Record), MaxRunRecordBytes)
		}
	}
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, r := range recs {
			sum := sha256.Sum256(r.Record)
			if _, err := tx.ExecContext(ctx, `INSERT INTO run_records (run_id, loader, type, time, digest, record)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, runID, r.Loader, r.Type,
				r.Time.UTC().Format(time.RFC3339Nano), hex.EncodeToString(sum[:]), string(r.Record)); err != nil {
				return wrap(err, "save a %s record of run %s", r.Type, runID)
			}
		}
		return nil
	})
}

// ListRunRecords returns a run's records in the order they were stored; ErrNotFound for an
// unknown run.
func (s *Store) ListRunRecords(ctx context.Context, runID string) ([]RunRecord, error) {
	if err := s.runExists(ctx, runID); err != nil {
		return nil, err
	}
	var rows []struct {
		Loader int    `db:"loader"`
		Type   string `db:"type"`
		Time   string `db:"time"`
		Record string `db:"record"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT loader, type, time, record FROM run_records
		WHERE run_id = ? ORDER BY seq`, runID); err != nil {
		return nil, wrap(err, "list records of run %s", runID)
	}
	out := make([]RunRecord, len(rows))
	for i, r := range rows {
		at, err := time.Parse(time.RFC3339Nano, r.Time)
		if err != nil {
			return nil, fmt.Errorf("list records of run %s: time %q: %w", runID, r.Time, err)
		}
		out[i] = RunRecord{Loader: r.Loader, Type: r.Type, Time: at, Record: json.RawMessage(r.Record)}
	}
	return out, nil
}
