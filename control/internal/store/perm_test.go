package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// The database, its WAL and shared-memory files and the token key are readable by their owner
// only: on a fresh start, and after a start of an earlier version left them readable by others.
func TestOpenKeepsFilesPrivate(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, path string) // what is on disk before Open
	}{
		// A fresh data directory: SQLite alone would create the files 0644 (less the umask).
		{"fresh", func(*testing.T, string) {}},
		// A database an earlier version created 0644, its WAL left behind by a crash, a copied key.
		{"loose files of an earlier version", func(t *testing.T, path string) {
			s, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if err := os.WriteFile(path+"-wal", nil, 0o644); err != nil { // empty: nothing to replay
				t.Fatal(err)
			}
			for _, f := range []string{path, path + "-wal", filepath.Join(filepath.Dir(path), "secret.key")} {
				if err := os.Chmod(f, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "control.db")
			tt.before(t, path)
			s, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if err := s.SetSetting(context.Background(), "k", "v"); err != nil { // a write: the WAL is in use
				t.Fatal(err)
			}
			for _, name := range []string{"control.db", "control.db-wal", "control.db-shm", "secret.key"} {
				st, err := os.Stat(filepath.Join(filepath.Dir(path), name))
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if perm := st.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s has mode %#o, want 0600", name, perm)
				}
			}
		})
	}
}
