package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Funnel is one funnel definition in the original funnels.json schema. The control validates JSON
// (pkg/content) before storing it; Enabled, Priority and Probability are copies of the JSON's fields
// kept as columns for ordering and filtering.
type Funnel struct {
	ID          int64
	Name        string
	Description string
	Enabled     bool
	Priority    int
	Probability float64
	JSON        json.RawMessage
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

type funnelRow struct {
	ID          int64     `db:"id"`
	Name        string    `db:"name"`
	Description string    `db:"description"`
	Enabled     bool      `db:"enabled"`
	Priority    int       `db:"priority"`
	Probability float64   `db:"probability"`
	JSON        string    `db:"funnel_json"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
}

const funnelCols = `id, name, description, enabled, priority, probability, funnel_json, created_at, updated_at`

func (r funnelRow) funnel() Funnel {
	return Funnel{ID: r.ID, Name: r.Name, Description: r.Description, Enabled: r.Enabled, Priority: r.Priority,
		Probability: r.Probability, JSON: json.RawMessage(r.JSON), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func checkFunnel(f Funnel) error {
	if err := checkName("funnel", f.Name); err != nil {
		return err
	}
	if !json.Valid(f.JSON) {
		return fmt.Errorf("%w: funnel %q: definition is not valid JSON", ErrInvalid, f.Name)
	}
	return nil
}

// CreateFunnel stores a new funnel. A taken name yields ErrConflict.
func (s *Store) CreateFunnel(ctx context.Context, f Funnel) (Funnel, error) {
	if err := checkFunnel(f); err != nil {
		return Funnel{}, fmt.Errorf("create funnel: %w", err)
	}
	now := s.now()
	row := funnelRow{Name: f.Name, Description: f.Description, Enabled: f.Enabled, Priority: f.Priority,
		Probability: f.Probability, JSON: string(f.JSON), CreatedAt: now, UpdatedAt: now}
	res, err := s.db.NamedExecContext(ctx, `INSERT INTO funnels
		(name, description, enabled, priority, probability, funnel_json, created_at, updated_at) VALUES
		(:name, :description, :enabled, :priority, :probability, :funnel_json, :created_at, :updated_at)`, row)
	if err != nil {
		return Funnel{}, wrap(err, "create funnel %q", f.Name)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Funnel{}, fmt.Errorf("create funnel %q: %w", f.Name, err)
	}
	return s.GetFunnel(ctx, id)
}

// GetFunnel returns one funnel.
func (s *Store) GetFunnel(ctx context.Context, id int64) (Funnel, error) {
	var r funnelRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+funnelCols+` FROM funnels WHERE id = ?`, id); err != nil {
		return Funnel{}, wrap(err, "get funnel %d", id)
	}
	return r.funnel(), nil
}

// ListFunnels returns every funnel by priority (lowest first, as the original ran them), then most
// recently updated first. enabledOnly leaves out disabled funnels (what a run exports).
func (s *Store) ListFunnels(ctx context.Context, enabledOnly bool) ([]Funnel, error) {
	var rows []funnelRow
	q := `SELECT ` + funnelCols + ` FROM funnels WHERE enabled = 1 OR ? = 0 ORDER BY priority ASC, updated_at DESC, id DESC`
	if err := s.db.SelectContext(ctx, &rows, q, enabledOnly); err != nil {
		return nil, wrap(err, "list funnels")
	}
	out := make([]Funnel, len(rows))
	for i, r := range rows {
		out[i] = r.funnel()
	}
	return out, nil
}

// UpdateFunnel replaces funnel f.ID as a whole.
func (s *Store) UpdateFunnel(ctx context.Context, f Funnel) (Funnel, error) {
	if err := checkFunnel(f); err != nil {
		return Funnel{}, fmt.Errorf("update funnel %d: %w", f.ID, err)
	}
	row := funnelRow{ID: f.ID, Name: f.Name, Description: f.Description, Enabled: f.Enabled, Priority: f.Priority,
		Probability: f.Probability, JSON: string(f.JSON), UpdatedAt: s.now()}
	res, err := s.db.NamedExecContext(ctx, `UPDATE funnels SET name = :name, description = :description,
		enabled = :enabled, priority = :priority, probability = :probability, funnel_json = :funnel_json,
		updated_at = :updated_at WHERE id = :id`, row)
	if err != nil {
		return Funnel{}, wrap(err, "update funnel %d", f.ID)
	}
	if err := expectOne(res, fmt.Sprintf("update funnel %d", f.ID)); err != nil {
		return Funnel{}, err
	}
	return s.GetFunnel(ctx, f.ID)
}

// DeleteFunnel removes a funnel.
func (s *Store) DeleteFunnel(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM funnels WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete funnel %d", id)
	}
	return expectOne(res, fmt.Sprintf("delete funnel %d", id))
}
