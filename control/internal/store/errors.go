package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Sentinel errors. Every error the store returns wraps at most one of them; test with errors.Is.
var (
	// ErrNotFound means the record asked for does not exist (sql.ErrNoRows, a missing id, or a child
	// record written for a run that does not exist).
	ErrNotFound = errors.New("not found")
	// ErrConflict means the write clashes with what is stored: a name already taken (configs, presets,
	// funnels, content sets of one kind), a run whose state is not one the caller expected, or a run
	// that cannot be deleted while it is active.
	ErrConflict = errors.New("conflict")
	// ErrInvalid means the caller passed something the store cannot hold (an unknown run state or
	// mode, malformed JSON, two targets with the same name). The API validates first; this is a guard.
	ErrInvalid = errors.New("invalid")
	// ErrDecrypt means a sealed token could not be opened: the key file is not the one the database
	// was written with, or the stored value is damaged. The message never contains the token.
	ErrDecrypt = errors.New("cannot decrypt token")
)

// classify maps driver errors onto the sentinels, keeping the original error in the chain.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case sqlite3.ErrConstraintForeignKey:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case sqlite3.ErrConstraintCheck:
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	return err
}

// wrap classifies err and prefixes it with what the store was doing.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, classify(err))...)
}
