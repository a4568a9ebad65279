package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// Config is a saved configuration. Values holds the tokens in clear when read back (the control needs
// them to start a loader); whatever shows a Config to a user redacts it first (Values.Redacted,
// TokenState).
type Config struct {
	ID            int64
	Name          string
	Description   string
	Values        config.Config
	SchemaVersion int // of Values: always config.SchemaVersion, since older rows are migrated when read
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

type configRow struct {
	ID            int64     `db:"id"`
	Name          string    `db:"name"`
	Description   string    `db:"description"`
	SchemaVersion int       `db:"schema_version"`
	Values        string    `db:"values_json"`
	Tokens        string    `db:"tokens_json"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
}

const configCols = `id, name, description, schema_version, values_json, tokens_json, created_at, updated_at`

func checkName(what, name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: %s name is empty", ErrInvalid, what)
	}
	return nil
}

// CreateConfig stores a new config (c.ID and timestamps are ignored) and returns it as stored.
// Tokens in c.Values are sealed. A taken name yields ErrConflict.
func (s *Store) CreateConfig(ctx context.Context, c Config) (Config, error) {
	if err := checkName("config", c.Name); err != nil {
		return Config{}, fmt.Errorf("create config: %w", err)
	}
	sc, err := s.sealConfig(c.Values, nil, nil)
	if err != nil {
		return Config{}, fmt.Errorf("create config %q: %w", c.Name, err)
	}
	now := s.now()
	row := configRow{Name: c.Name, Description: c.Description, SchemaVersion: config.SchemaVersion,
		Values: sc.values, Tokens: sc.tokens, CreatedAt: now, UpdatedAt: now}
	res, err := s.db.NamedExecContext(ctx, `INSERT INTO configs
		(name, description, schema_version, values_json, tokens_json, created_at, updated_at) VALUES
		(:name, :description, :schema_version, :values_json, :tokens_json, :created_at, :updated_at)`, row)
	if err != nil {
		return Config{}, wrap(err, "create config %q", c.Name)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Config{}, fmt.Errorf("create config %q: %w", c.Name, err)
	}
	return s.GetConfig(ctx, id)
}

// GetConfig returns a config with its tokens decrypted. A config stored under an older schema version
// is migrated and saved back migrated.
func (s *Store) GetConfig(ctx context.Context, id int64) (Config, error) {
	var r configRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+configCols+` FROM configs WHERE id = ?`, id); err != nil {
		return Config{}, wrap(err, "get config %d", id)
	}
	return s.loadConfig(ctx, r)
}

// ListConfigs returns every config, most recently updated first, tokens decrypted as in GetConfig.
func (s *Store) ListConfigs(ctx context.Context) ([]Config, error) {
	var rows []configRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+configCols+` FROM configs ORDER BY updated_at DESC, id DESC`); err != nil {
		return nil, wrap(err, "list configs")
	}
	out := make([]Config, 0, len(rows))
	for _, r := range rows {
		c, err := s.loadConfig(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// UpdateConfig replaces the name, description and values of config c.ID. Tokens are write-only: a
// blank token in c.Values keeps the one stored under the same key (MainToken, or TargetToken of a
// target with the same name), which fixes the original's bug 17 (saving a form wiped the token).
// To remove a stored token, name its key in clearTokens; a token given in c.Values wins over clearing.
// A target that is renamed or removed loses its token.
func (s *Store) UpdateConfig(ctx context.Context, c Config, clearTokens ...string) (Config, error) {
	if err := checkName("config", c.Name); err != nil {
		return Config{}, fmt.Errorf("update config %d: %w", c.ID, err)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var stored string
		if err := tx.GetContext(ctx, &stored, `SELECT tokens_json FROM configs WHERE id = ?`, c.ID); err != nil {
			return wrap(err, "update config %d", c.ID)
		}
		keep, err := parseSealed(stored)
		if err != nil {
			return fmt.Errorf("update config %d: %w", c.ID, err)
		}
		sc, err := s.sealConfig(c.Values, keep, clearTokens)
		if err != nil {
			return fmt.Errorf("update config %d: %w", c.ID, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE configs SET name = ?, description = ?, schema_version = ?,
			values_json = ?, tokens_json = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.Description, config.SchemaVersion, sc.values, sc.tokens, s.now(), c.ID)
		return wrap(err, "update config %d", c.ID)
	})
	if err != nil {
		return Config{}, err
	}
	return s.GetConfig(ctx, c.ID)
}

// DeleteConfig removes a config. Runs made from it keep their own snapshot (their config_id is cleared).
func (s *Store) DeleteConfig(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM configs WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete config %d", id)
	}
	return expectOne(res, fmt.Sprintf("delete config %d", id))
}

// loadConfig opens a row; a row of an older schema version is saved back migrated, once: the update
// only applies while the row still has the version that was read.
func (s *Store) loadConfig(ctx context.Context, r configRow) (Config, error) {
	vals, err := s.openConfig(r.SchemaVersion, r.Values, r.Tokens)
	if err != nil {
		return Config{}, fmt.Errorf("load config %d %q: %w", r.ID, r.Name, err)
	}
	if r.SchemaVersion != config.SchemaVersion {
		sc, err := s.sealConfig(vals, nil, nil)
		if err != nil {
			return Config{}, fmt.Errorf("migrate config %d: %w", r.ID, err)
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE configs SET schema_version = ?, values_json = ?, tokens_json = ?
			WHERE id = ? AND schema_version = ?`, config.SchemaVersion, sc.values, sc.tokens, r.ID, r.SchemaVersion); err != nil {
			return Config{}, wrap(err, "save migrated config %d", r.ID)
		}
	}
	return Config{ID: r.ID, Name: r.Name, Description: r.Description, Values: vals,
		SchemaVersion: config.SchemaVersion, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}, nil
}
