package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// sqliteFiles are the suffixes of a database's files: the database itself, and the WAL, shared
// memory and rollback journal SQLite keeps beside it.
var sqliteFiles = []string{"", "-wal", "-shm", "-journal"}

// createPrivate creates the database file readable and writable by its owner only, before SQLite
// would create it with its default 0644 (less the umask); SQLite gives the WAL and shared-memory
// files the database file's mode. Files of an existing database that an earlier version left
// readable by others are restricted to their owner.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	for _, suffix := range sqliteFiles {
		if err := restrictMode(path + suffix); err != nil {
			return fmt.Errorf("open store %s: %w", path, err)
		}
	}
	return nil
}

// restrictMode takes group and other permissions away from a file, if it exists.
func restrictMode(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(path, perm&0o700); err != nil {
			return fmt.Errorf("restrict %s to its owner: %w", path, err)
		}
	}
	return nil
}
