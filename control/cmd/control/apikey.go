package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/trafficinator/trafficinator/control/internal/store"
)

// apiKeyFile is where a generated API key is kept, in the data directory.
const apiKeyFile = "api-key"

// keyFingerprintSetting remembers a hash of the key in use, so that a changed key is logged (the
// scripts that use the old one will get 403s).
const keyFingerprintSetting = "api_key_sha256"

// loadAPIKey returns the API key: the configured one, or the one kept in <dir>/api-key, which is
// generated on first start (32 random bytes, mode 0600). generated reports a new key; main prints
// it once. The key itself is never logged.
func loadAPIKey(configured, dir string) (key, path string, generated bool, err error) {
	if configured != "" {
		return configured, "", false, nil
	}
	path = filepath.Join(dir, apiKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key = strings.TrimSpace(string(b))
		if len(key) < minKeyLen {
			return "", path, false, fmt.Errorf("API key file %s holds no usable key (at least %d characters); delete it to have a new one generated", path, minKeyLen)
		}
		if err := tightenMode(path); err != nil {
			return "", path, false, err
		}
		return key, path, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", path, false, fmt.Errorf("read API key file: %w", err)
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails
	key = base64.RawURLEncoding.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", path, false, fmt.Errorf("create API key file: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", path, false, fmt.Errorf("write API key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", path, false, fmt.Errorf("write API key file: %w", err)
	}
	return key, path, true, nil
}

// tightenMode makes the key file readable by its owner only, whatever an earlier copy left.
func tightenMode(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("stat API key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("restrict API key file to its owner: %w", err)
		}
	}
	return nil
}

// noteKeyChange logs when the key differs from the one used at the last start.
func noteKeyChange(ctx context.Context, st *store.Store, key string, log *slog.Logger) {
	sum := sha256.Sum256([]byte(key))
	fp := hex.EncodeToString(sum[:])
	prev, err := st.GetSetting(ctx, keyFingerprintSetting)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		log.Warn("reading the API key fingerprint", "err", err)
		return
	case prev != fp:
		log.Info("the API key differs from the one of the last start; clients with the old key get 403")
	}
	if prev != fp {
		if err := st.SetSetting(ctx, keyFingerprintSetting, fp); err != nil {
			log.Warn("saving the API key fingerprint", "err", err)
		}
	}
}
