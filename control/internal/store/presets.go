package store

import (
	"context"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Preset is a user preset: a named set of values to start a config from. Built-in presets are not
// stored here. A preset never holds a token: the original stored them in clear (its bug 24), and a
// preset is meant to be shared between targets.
type Preset struct {
	ID            int64
	Name          string
	Description   string
	Values        config.Config // tokens always blank
	SchemaVersion int           // of Values: always config.SchemaVersion, since older rows are migrated when read
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

type presetRow struct {
	ID            int64     `db:"id"`
	Name          string    `db:"name"`
	Description   string    `db:"description"`
	SchemaVersion int       `db:"schema_version"`
	Values        string    `db:"values_json"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
}

const presetCols = `id, name, description, schema_version, values_json, created_at, updated_at`

// CreatePreset stores a new preset, dropping any token in p.Values. A taken name yields ErrConflict.
func (s *Store) CreatePreset(ctx context.Context, p Preset) (Preset, error) {
	if err := checkName("preset", p.Name); err != nil {
		return Preset{}, fmt.Errorf("create preset: %w", err)
	}
	values, err := encodeValues(p.Values) // redacts
	if err != nil {
		return Preset{}, fmt.Errorf("create preset %q: %w", p.Name, err)
	}
	now := s.now()
	row := presetRow{Name: p.Name, Description: p.Description, SchemaVersion: config.SchemaVersion,
		Values: values, CreatedAt: now, UpdatedAt: now}
	res, err := s.db.NamedExecContext(ctx, `INSERT INTO presets
		(name, description, schema_version, values_json, created_at, updated_at) VALUES
		(:name, :description, :schema_version, :values_json, :created_at, :updated_at)`, row)
	if err != nil {
		return Preset{}, wrap(err, "create preset %q", p.Name)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Preset{}, fmt.Errorf("create preset %q: %w", p.Name, err)
	}
	return s.GetPreset(ctx, id)
}

// GetPreset returns a preset; one stored under an older schema version is migrated and saved back.
func (s *Store) GetPreset(ctx context.Context, id int64) (Preset, error) {
	var r presetRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+presetCols+` FROM presets WHERE id = ?`, id); err != nil {
		return Preset{}, wrap(err, "get preset %d", id)
	}
	return s.loadPreset(ctx, r)
}

// ListPresets returns every user preset, most recently updated first.
func (s *Store) ListPresets(ctx context.Context) ([]Preset, error) {
	var rows []presetRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+presetCols+` FROM presets ORDER BY updated_at DESC, id DESC`); err != nil {
		return nil, wrap(err, "list presets")
	}
	out := make([]Preset, 0, len(rows))
	for _, r := range rows {
		p, err := s.loadPreset(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// UpdatePreset replaces the name, description and values of preset p.ID (tokens dropped).
func (s *Store) UpdatePreset(ctx context.Context, p Preset) (Preset, error) {
	if err := checkName("preset", p.Name); err != nil {
		return Preset{}, fmt.Errorf("update preset %d: %w", p.ID, err)
	}
	values, err := encodeValues(p.Values)
	if err != nil {
		return Preset{}, fmt.Errorf("update preset %d: %w", p.ID, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE presets SET name = ?, description = ?, schema_version = ?,
		values_json = ?, updated_at = ? WHERE id = ?`, p.Name, p.Description, config.SchemaVersion, values, s.now(), p.ID)
	if err != nil {
		return Preset{}, wrap(err, "update preset %d", p.ID)
	}
	if err := expectOne(res, fmt.Sprintf("update preset %d", p.ID)); err != nil {
		return Preset{}, err
	}
	return s.GetPreset(ctx, p.ID)
}

// DeletePreset removes a user preset.
func (s *Store) DeletePreset(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM presets WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete preset %d", id)
	}
	return expectOne(res, fmt.Sprintf("delete preset %d", id))
}

// loadPreset decodes a row. An older row is saved back migrated, which also removes a token that a
// preset imported from the original tool held in clear.
func (s *Store) loadPreset(ctx context.Context, r presetRow) (Preset, error) {
	vals, err := decodeValues(r.SchemaVersion, r.Values)
	if err != nil {
		return Preset{}, fmt.Errorf("load preset %d %q: %w", r.ID, r.Name, err)
	}
	vals = vals.Redacted()
	if r.SchemaVersion != config.SchemaVersion {
		values, err := encodeValues(vals)
		if err != nil {
			return Preset{}, fmt.Errorf("migrate preset %d: %w", r.ID, err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE presets SET schema_version = ?, values_json = ?
			WHERE id = ? AND schema_version = ?`, config.SchemaVersion, values, r.ID, r.SchemaVersion); err != nil {
			return Preset{}, wrap(err, "save migrated preset %d", r.ID)
		}
	}
	return Preset{ID: r.ID, Name: r.Name, Description: r.Description, Values: vals,
		SchemaVersion: config.SchemaVersion, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}
