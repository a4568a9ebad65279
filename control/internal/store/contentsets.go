package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Content set kinds.
const (
	KindURLs       = "urls"       // a URL list (one URL, optional title, per line)
	KindEvents     = "events"     // an events definition (JSON)
	KindScenarios  = "scenarios"  // a scenario of audience segments (YAML or JSON, pkg/scenario)
	KindCampaigns  = "campaigns"  // a campaign catalogue (JSON or CSV, pkg/content)
	KindDimensions = "dimensions" // custom dimension definitions (JSON, pkg/content)
)

// kinds are the content set kinds the store accepts.
var kinds = []string{KindURLs, KindEvents, KindScenarios, KindCampaigns, KindDimensions}

// ContentSet is a user-edited URL list, events definition, scenario, campaign catalogue or set of custom
// dimension definitions. The control validates Content (pkg/content) before storing it. At most
// one set per kind is the default, used by configs that name none.
type ContentSet struct {
	ID        int64
	Kind      string
	Name      string
	Content   string // empty in ListContentSets: lists can be megabytes (the original's bug 28); see Size
	Size      int64  // length of Content in bytes
	IsDefault bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

type contentSetRow struct {
	ID        int64     `db:"id"`
	Kind      string    `db:"kind"`
	Name      string    `db:"name"`
	Content   string    `db:"content"`
	Size      int64     `db:"size"`
	IsDefault bool      `db:"is_default"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

func (r contentSetRow) set() ContentSet {
	return ContentSet(r)
}

func checkContentSet(cs ContentSet) error {
	if !slices.Contains(kinds, cs.Kind) {
		return fmt.Errorf("%w: content set kind %q (want one of %s)", ErrInvalid, cs.Kind, strings.Join(kinds, ", "))
	}
	return checkName(cs.Kind+" set", cs.Name)
}

// CreateContentSet stores a new set. A name taken within the kind yields ErrConflict. When cs.IsDefault
// is set, the previous default of the kind stops being the default.
func (s *Store) CreateContentSet(ctx context.Context, cs ContentSet) (ContentSet, error) {
	if err := checkContentSet(cs); err != nil {
		return ContentSet{}, fmt.Errorf("create content set: %w", err)
	}
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := clearDefault(ctx, tx, cs); err != nil {
			return err
		}
		now := s.now()
		row := contentSetRow{Kind: cs.Kind, Name: cs.Name, Content: cs.Content, IsDefault: cs.IsDefault,
			CreatedAt: now, UpdatedAt: now}
		res, err := tx.NamedExecContext(ctx, `INSERT INTO content_sets
			(kind, name, content, is_default, created_at, updated_at) VALUES
			(:kind, :name, :content, :is_default, :created_at, :updated_at)`, row)
		if err != nil {
			return wrap(err, "create %s set %q", cs.Kind, cs.Name)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return ContentSet{}, err
	}
	return s.GetContentSet(ctx, id)
}

// GetContentSet returns a set with its content.
func (s *Store) GetContentSet(ctx context.Context, id int64) (ContentSet, error) {
	var r contentSetRow
	if err := s.db.GetContext(ctx, &r, `SELECT id, kind, name, content, length(CAST(content AS BLOB)) AS size,
		is_default, created_at, updated_at FROM content_sets WHERE id = ?`, id); err != nil {
		return ContentSet{}, wrap(err, "get content set %d", id)
	}
	return r.set(), nil
}

// DefaultContentSet returns the default set of a kind, with its content; ErrNotFound when none is.
func (s *Store) DefaultContentSet(ctx context.Context, kind string) (ContentSet, error) {
	var id int64
	if err := s.db.GetContext(ctx, &id, `SELECT id FROM content_sets WHERE kind = ? AND is_default = 1`, kind); err != nil {
		return ContentSet{}, wrap(err, "default %s set", kind)
	}
	return s.GetContentSet(ctx, id)
}

// ListContentSets returns the sets of a kind ("" for all kinds) by kind and name, without Content.
func (s *Store) ListContentSets(ctx context.Context, kind string) ([]ContentSet, error) {
	var rows []contentSetRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, kind, name, '' AS content,
		length(CAST(content AS BLOB)) AS size, is_default, created_at, updated_at
		FROM content_sets WHERE kind = ? OR ? = '' ORDER BY kind, name`, kind, kind); err != nil {
		return nil, wrap(err, "list content sets")
	}
	out := make([]ContentSet, len(rows))
	for i, r := range rows {
		out[i] = r.set()
	}
	return out, nil
}

// UpdateContentSet replaces the name, content and default flag of set cs.ID; its kind cannot change
// (cs.Kind must match the stored one).
func (s *Store) UpdateContentSet(ctx context.Context, cs ContentSet) (ContentSet, error) {
	if err := checkContentSet(cs); err != nil {
		return ContentSet{}, fmt.Errorf("update content set %d: %w", cs.ID, err)
	}
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var kind string
		if err := tx.GetContext(ctx, &kind, `SELECT kind FROM content_sets WHERE id = ?`, cs.ID); err != nil {
			return wrap(err, "update content set %d", cs.ID)
		}
		if kind != cs.Kind {
			return fmt.Errorf("update content set %d: %w: it is a %s set, not %s", cs.ID, ErrInvalid, kind, cs.Kind)
		}
		if err := clearDefault(ctx, tx, cs); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE content_sets SET name = ?, content = ?, is_default = ?, updated_at = ?
			WHERE id = ?`, cs.Name, cs.Content, cs.IsDefault, s.now(), cs.ID)
		return wrap(err, "update content set %d", cs.ID)
	})
	if err != nil {
		return ContentSet{}, err
	}
	return s.GetContentSet(ctx, cs.ID)
}

// DeleteContentSet removes a set.
func (s *Store) DeleteContentSet(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM content_sets WHERE id = ?`, id)
	if err != nil {
		return wrap(err, "delete content set %d", id)
	}
	return expectOne(res, fmt.Sprintf("delete content set %d", id))
}

// clearDefault unsets the kind's default before cs becomes it (the unique index allows one).
func clearDefault(ctx context.Context, tx *sqlx.Tx, cs ContentSet) error {
	if !cs.IsDefault {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE content_sets SET is_default = 0 WHERE kind = ? AND is_default = 1 AND id <> ?`,
		cs.Kind, cs.ID)
	return wrap(err, "clear default %s set", cs.Kind)
}
