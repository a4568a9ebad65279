package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testSealer(t *testing.T) *sealer {
	t.Helper()
	sl, err := loadSealer(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	return sl
}

func TestSealRoundTrip(t *testing.T) {
	sl := testSealer(t)
	a, err := sl.seal(MainToken, "abc123token")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := sl.seal(MainToken, "abc123token")
	if !strings.HasPrefix(a, sealedPrefix) || a == b {
		t.Fatalf("sealed values %q, %q: want the v1: prefix and a fresh nonce each time", a, b)
	}
	if strings.Contains(a, "abc123token") {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := sl.open(MainToken, a)
	if err != nil || got != "abc123token" {
		t.Fatalf("open = %q, %v", got, err)
	}
}

func TestOpenFailsCleanly(t *testing.T) {
	sl := testSealer(t)
	other := testSealer(t)
	good, _ := sl.seal("target:a", "secret-token-value")
	tampered := []byte(good)
	tampered[len(tampered)-3] ^= 1
	tests := []struct {
		name   string
		sealer *sealer
		label  string
		value  string
	}{
		// A different key file cannot open the value.
		{"wrong key", other, "target:a", good},
		// A sealed value moved onto another token slot does not open there.
		{"other label", sl, "target:b", good},
		// A flipped bit is detected by GCM's tag.
		{"tampered", sl, "target:a", string(tampered)},
		// Garbage and foreign formats are errors, not panics.
		{"not base64", sl, "target:a", "v1:!!!"},
		{"too short", sl, "target:a", "v1:AAAA"},
		{"no prefix", sl, "target:a", "secret-token-value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.sealer.open(tt.label, tt.value)
			if !errors.Is(err, ErrDecrypt) || got != "" {
				t.Fatalf("open = %q, %v; want ErrDecrypt", got, err)
			}
			if strings.Contains(err.Error(), "secret-token-value") {
				t.Fatalf("error leaks the value: %v", err)
			}
		})
	}
}

func TestKeyFileOfWrongSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadSealer(path); !errors.Is(err, ErrInvalid) {
		t.Fatalf("loadSealer of a 5-byte key = %v; want ErrInvalid", err)
	}
}

// Opening a database whose tokens were sealed under another key fails at Open with a clear error;
// a database without tokens simply adopts the new key.
func TestOpenWithWrongKeyFile(t *testing.T) {
	ctx := context.Background()
	for _, withToken := range []bool{true, false} {
		dir := t.TempDir()
		path := filepath.Join(dir, "c.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		token := ""
		if withToken {
			token = "tok-wrongkey-0123456789"
		}
		if _, err := s.CreateConfig(ctx, Config{Name: "c", Values: testValues(token)}); err != nil {
			t.Fatal(err)
		}
		s.Close()
		other := make([]byte, keySize)
		rand.Read(other)
		if err := os.WriteFile(filepath.Join(dir, "secret.key"), other, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err = Open(ctx, path, Options{})
		if withToken {
			if !errors.Is(err, ErrDecrypt) || !strings.Contains(err.Error(), "secret.key") {
				t.Fatalf("Open with another key = %v; want ErrDecrypt naming the key file", err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Open of a token-less database with a new key = %v", err)
		}
		s.Close()
	}
}

// A damaged sealed token in a row surfaces as ErrDecrypt on read, never a panic or a wrong token.
func TestDamagedTokenOnRead(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	c, err := s.CreateConfig(ctx, Config{Name: "c", Values: testValues("tok-damaged-1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE configs SET tokens_json = '{"MATOMO_TOKEN_AUTH":"v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetConfig(ctx, c.ID); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("GetConfig with a damaged token = %v; want ErrDecrypt", err)
	}
	if _, err := s.ListConfigs(ctx); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("ListConfigs with a damaged token = %v; want ErrDecrypt", err)
	}
}

// No token, from a config, a run snapshot or a preset, is ever written to the database files in clear.
func TestTokensNeverInDatabaseFiles(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	tokens := []string{"tok-main-7f3a9c2e51", "tok-target-a-88d1e0", "tok-target-b-c0ffee", "tok-preset-5e5e5e"}
	vals := testValues(tokens[0],
		targetOf("a", tokens[1]), targetOf("b", tokens[2]))
	c, err := s.CreateConfig(ctx, Config{Name: "secret", Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateConfig(ctx, Config{ID: c.ID, Name: "secret2", Values: vals.Redacted()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateRun(ctx, Run{Mode: ModeLive, ConfigID: &c.ID, Config: vals}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePreset(ctx, Preset{Name: "p", Values: testValues(tokens[3])}); err != nil {
		t.Fatal(err)
	}
	assertNotInFiles(t, filepath.Dir(path), tokens) // WAL still holds the writes
	s.Close()
	assertNotInFiles(t, filepath.Dir(path), tokens) // after the checkpoint into the main file
}

func assertNotInFiles(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.db*"))
	if len(files) == 0 {
		t.Fatal("no database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range secrets {
			if bytes.Contains(b, []byte(sec)) {
				t.Errorf("%s contains token %q in clear", filepath.Base(f), sec)
			}
		}
	}
}
