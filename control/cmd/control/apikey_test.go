package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAPIKeyGeneratedOnce(t *testing.T) {
	dir := t.TempDir()
	key, path, generated, err := loadAPIKey("", dir)
	if err != nil || !generated || len(key) < minKeyLen || path != filepath.Join(dir, apiKeyFile) {
		t.Fatalf("first start: %q %q %v %v", key, path, generated, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v)", st.Mode().Perm(), err)
	}
	// The next start reads the same key and does not announce it again.
	again, _, generated, err := loadAPIKey("", dir)
	if err != nil || generated || again != key {
		t.Errorf("second start: same key %v, generated %v, %v", again == key, generated, err)
	}
	// A copy that others can read is restricted to its owner.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := loadAPIKey("", dir); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode after restart %v", st.Mode().Perm())
	}
	// A configured key wins and nothing is written.
	other := t.TempDir()
	k, _, generated, err := loadAPIKey("configured-key-0123456789", other)
	if err != nil || generated || k != "configured-key-0123456789" {
		t.Errorf("configured: %q %v %v", k, generated, err)
	}
	if _, err := os.Stat(filepath.Join(other, apiKeyFile)); !os.IsNotExist(err) {
		t.Error("a key file was written although a key was configured")
	}
	// A damaged file is an error, not a silent new key.
	if err := os.WriteFile(path, []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := loadAPIKey("", dir); err == nil {
		t.Error("a damaged key file was accepted")
	}
}
