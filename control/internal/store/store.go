package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// maxOpenConns bounds the pool. WAL lets readers run beside the one writer; BEGIN IMMEDIATE and the busy
// timeout queue writers instead of failing them, so a small pool is enough and never starves readers.
const maxOpenConns = 4

// Options tune Open.
type Options struct {
	// KeyFile holds the 32-byte AES-256 key that seals tokens. Default: secret.key in the directory of
	// the database. It is created (mode 0600, 32 random bytes) on first use. Keep it with the database
	// but out of backups that leave the machine: without it stored tokens cannot be read.
	KeyFile string
}

// Store is the control's storage. It is safe for concurrent use.
type Store struct {
	db     *sqlx.DB
	sealer *sealer
	now    func() time.Time
}

// dsn returns the go-sqlite3 (v1.14) data source name: WAL so readers never block the writer, foreign
// keys enforced, writers wait up to 5 s for the lock instead of failing, transactions BEGIN IMMEDIATE
// (a deferred transaction that later writes can fail with SQLITE_BUSY regardless of the timeout), and
// deleted content overwritten so a replaced token does not linger in free pages.
func dsn(path string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	q.Set("_secure_delete", "on")
	return path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path, applies pending migrations and loads the
// token key. Opening a database with a key file other than the one its tokens were sealed with fails
// with ErrDecrypt rather than failing later, token by token.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, len(migrations)); err != nil {
		db.Close()
		return nil, err
	}
	keyFile := opts.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(filepath.Dir(path), "secret.key")
	}
	sl, err := loadSealer(keyFile)
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Store{db: db, sealer: sl, now: func() time.Time { return time.Now().UTC() }}
	if err := s.checkKey(ctx, keyFile); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openDB opens the pool and proves the file is usable (the driver opens lazily).
func openDB(ctx context.Context, path string) (*sqlx.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open store %q: %w: the path must be a plain file name without ? or #", path, ErrInvalid)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sqlx.Open("sqlite3", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

// Close releases the database. Pending writes are already committed; WAL content is checkpointed.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// inTx runs fn in one (immediate) transaction: everything or nothing is applied.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

func rollback(tx *sqlx.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// expectOne turns "no row changed" into ErrNotFound for updates and deletes by id.
func expectOne(res interface{ RowsAffected() (int64, error) }, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}
