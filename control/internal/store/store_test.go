package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// openTest opens a store on a fresh file in a temp dir and closes it when the test ends.
func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "control.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// tick makes s's clock advance one second per call, so orderings by time are deterministic.
func tick(s *Store) {
	var mu sync.Mutex
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

// testValues is a config with a token on the legacy target and on each named target.
func testValues(mainToken string, targets ...config.Target) config.Config {
	c := config.Default()
	c.MatomoURL = "http://127.0.0.1:8080/matomo.php"
	c.SiteID = 3
	c.TokenAuth = mainToken
	c.VisitsPerDay = 1234
	seed := int64(1<<62 + 7) // beyond float64 precision: must survive storage exactly
	c.Seed = &seed
	c.Targets = targets
	return c
}

func TestOpenCreatesKeyAndSchema(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(migrations))
	}
	st, err := os.Stat(filepath.Join(filepath.Dir(path), "secret.key"))
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	if st.Mode().Perm() != 0o600 || st.Size() != keySize {
		t.Errorf("key file mode %v size %d; want 0600 and %d bytes", st.Mode().Perm(), st.Size(), keySize)
	}
	var journal string
	if err := s.db.GetContext(ctx, &journal, `PRAGMA journal_mode`); err != nil || journal != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", journal, err)
	}
	pragmas := []struct {
		name string
		want int
	}{
		// Deleting a run must cascade to its counters and days.
		{"foreign_keys", 1},
		// Writers wait for the lock instead of failing at once.
		{"busy_timeout", 5000},
		// Replaced token ciphertexts are zeroed, not left in free pages.
		{"secure_delete", 1},
	}
	for _, p := range pragmas {
		var got int
		if err := s.db.GetContext(ctx, &got, `PRAGMA `+p.name); err != nil || got != p.want {
			t.Errorf("PRAGMA %s = %d, %v; want %d", p.name, got, err, p.want)
		}
	}
	s.Close()

	// Re-opening applies nothing twice and keeps the key.
	key1, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "secret.key"))
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	defer s2.Close()
	var n int
	if err := s2.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM schema_migrations`); err != nil || n != len(migrations) {
		t.Errorf("schema_migrations rows = %d, %v; want %d", n, err, len(migrations))
	}
	key2, _ := os.ReadFile(filepath.Join(filepath.Dir(path), "secret.key"))
	if string(key1) != string(key2) {
		t.Error("re-opening replaced the key file")
	}
}

// A database left at an earlier schema version (holding data) is brought up to date by Open
// without losing its rows.
func TestMigrateFromPreviousVersion(t *testing.T) {
	tests := []struct {
		version int
		missing string // a query that fails at that version: the database really is that old
	}{
		// Before per-day progress.
		{1, `SELECT 1 FROM run_days`},
		// Before runs recorded their loaders' limits.
		{2, `SELECT limits_json FROM runs`},
		// Before runs recorded their loaders' placement on a swarm.
		{3, `SELECT placement_json FROM runs`},
		// Before runs kept their report records for comparisons.
		{4, `SELECT 1 FROM run_records`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("from ", tt.version), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "old.db")
			db, err := openDB(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, db, tt.version); err != nil {
				t.Fatalf("migrate to %d: %v", tt.version, err)
			}
			now := time.Now().UTC()
			if _, err := db.ExecContext(ctx, `INSERT INTO runs (id, mode, schema_version, config_json, state, created_at, updated_at)
				VALUES ('0123456789ab', 'backfill', 1, '{"MATOMO_SITE_ID": 9}', 'completed', ?, ?)`, now, now); err != nil {
				t.Fatalf("insert run at %d: %v", tt.version, err)
			}
			if _, err := db.ExecContext(ctx, tt.missing); err == nil {
				t.Fatalf("%s works at version %d: the database is not that old", tt.missing, tt.version)
			}
			db.Close()

			s, err := Open(ctx, path, Options{})
			if err != nil {
				t.Fatalf("Open at %d: %v", tt.version, err)
			}
			defer s.Close()
			if v, _ := s.SchemaVersion(ctx); v != len(migrations) {
				t.Fatalf("SchemaVersion = %d; want %d", v, len(migrations))
			}
			r, err := s.GetRun(ctx, "0123456789ab")
			if err != nil || r.Config.SiteID != 9 || r.State != StateCompleted || string(r.Limits) != "{}" || r.Placement == nil || len(r.Placement) != 0 {
				t.Fatalf("old run after migration = %+v, %v", r, err)
			}
			if err := s.UpsertRunDay(ctx, r.ID, RunDay{Date: "2025-01-02", Target: "default", Planned: 10, Done: true}); err != nil {
				t.Fatalf("UpsertRunDay on migrated database: %v", err)
			}
			days, err := s.ListRunDays(ctx, r.ID)
			if err != nil || len(days) != 1 {
				t.Fatalf("ListRunDays = %v, %v", days, err)
			}
			if recs, err := s.ListRunRecords(ctx, r.ID); err != nil || len(recs) != 0 {
				t.Fatalf("ListRunRecords on migrated database = %v, %v", recs, err)
			}
		})
	}
}

// A database written by a newer control is refused instead of being used half-understood.
func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 'future.sql', ?)`, len(migrations)+1, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(ctx, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer database = %v; want a 'newer' error", err)
	}
}

func TestLoadMigrationsChecksNames(t *testing.T) {
	file := &fstest.MapFile{Data: []byte("SELECT 1;")}
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr bool
	}{
		// Consecutive versions from 1 load in order.
		{"ok", fstest.MapFS{"migrations/0002_b.sql": file, "migrations/0001_a.sql": file}, false},
		// A missing version would silently skip a schema change.
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file, "migrations/0003_c.sql": file}, true},
		// A file without a number cannot be ordered.
		{"unnumbered", fstest.MapFS{"migrations/init.sql": file}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.files)
			if (err != nil) != tt.wantErr {
				t.Fatalf("loadMigrations = %v, %v; wantErr %v", ms, err, tt.wantErr)
			}
			if err == nil && (ms[0].version != 1 || ms[1].version != 2) {
				t.Errorf("order = %+v", ms)
			}
		})
	}
}

func TestOpenRejectsBadPath(t *testing.T) {
	_, err := Open(context.Background(), "", Options{})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Open(\"\") = %v; want ErrInvalid", err)
	}
}

func TestSettings(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.GetSetting(ctx, "api_key_hash"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetSetting of an unset key = %v; want ErrNotFound", err)
	}
	for _, v := range []string{"first", "second"} {
		if err := s.SetSetting(ctx, "api_key_hash", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.GetSetting(ctx, "api_key_hash"); err != nil || got != v {
			t.Fatalf("GetSetting = %q, %v; want %q", got, err, v)
		}
	}
	if err := s.SetSetting(ctx, keyCheckSetting, "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("SetSetting of a reserved key = %v; want ErrInvalid", err)
	}
	if err := s.DeleteSetting(ctx, "api_key_hash"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSetting(ctx, "api_key_hash"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteSetting = %v; want ErrNotFound", err)
	}
}
