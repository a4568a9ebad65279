package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// reservedPrefix marks settings the store keeps for itself.
const reservedPrefix = "store."

// keyCheckSetting holds a value sealed with the token key, to tell at Open whether the key file is the
// one the database's tokens were sealed with.
const keyCheckSetting = reservedPrefix + "key_check"

// GetSetting returns a setting's value (for example the hash of the generated API key); ErrNotFound
// when it was never set.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	if err := s.db.GetContext(ctx, &v, `SELECT value FROM settings WHERE key = ?`, key); err != nil {
		return "", wrap(err, "get setting %q", key)
	}
	return v, nil
}

// SetSetting creates or replaces a setting. Keys starting with "store." are reserved (ErrInvalid).
// Never store a secret in clear here: store its hash.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" || strings.HasPrefix(key, reservedPrefix) {
		return fmt.Errorf("set setting %q: %w: empty or reserved key", key, ErrInvalid)
	}
	return s.setSetting(ctx, key, value)
}

func (s *Store) setSetting(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, s.now())
	return wrap(err, "set setting %q", key)
}

// DeleteSetting removes a setting; ErrNotFound when it was not set.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	if strings.HasPrefix(key, reservedPrefix) {
		return fmt.Errorf("delete setting %q: %w: reserved key", key, ErrInvalid)
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
	if err != nil {
		return wrap(err, "delete setting %q", key)
	}
	return expectOne(res, fmt.Sprintf("delete setting %q", key))
}

// checkKey makes sure the key file matches the database. The first Open records a sealed check value.
// Later, a key that cannot open it fails Open with ErrDecrypt, unless no token is stored at all (then
// nothing is lost by adopting the new key, and the check is re-recorded).
func (s *Store) checkKey(ctx context.Context, keyFile string) error {
	check, err := s.GetSetting(ctx, keyCheckSetting)
	switch {
	case errors.Is(err, ErrNotFound):
		return s.recordKeyCheck(ctx)
	case err != nil:
		return err
	}
	if _, err := s.sealer.open(keyCheckSetting, check); err == nil {
		return nil
	}
	var sealed int
	if err := s.db.GetContext(ctx, &sealed, `SELECT
		(SELECT COUNT(*) FROM configs WHERE tokens_json <> '{}') + (SELECT COUNT(*) FROM runs WHERE tokens_json <> '{}')`); err != nil {
		return wrap(err, "check token key")
	}
	if sealed == 0 {
		return s.recordKeyCheck(ctx)
	}
	return fmt.Errorf("%w: key file %s is not the one the %d stored config(s)/run(s) with tokens were sealed with; "+
		"restore the original key file", ErrDecrypt, keyFile, sealed)
}

func (s *Store) recordKeyCheck(ctx context.Context) error {
	v, err := s.sealer.seal(keyCheckSetting, "trafficinator")
	if err != nil {
		return err
	}
	return s.setSetting(ctx, keyCheckSetting, v)
}
