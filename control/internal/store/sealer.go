package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

const (
	keySize      = 32 // AES-256
	sealedPrefix = "v1:"
)

// sealer encrypts tokens for storage. Each value gets a fresh random nonce, and the token's key
// ("MATOMO_TOKEN_AUTH", "target:<name>") is authenticated with it, so a sealed value copied onto
// another field does not open.
type sealer struct {
	aead cipher.AEAD
}

// loadSealer reads the key file, creating it with a new random key when it does not exist.
func loadSealer(keyFile string) (*sealer, error) {
	key, err := readOrCreateKey(keyFile)
	if err != nil {
		return nil, err
	}
	return newSealer(key)
}

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func readOrCreateKey(keyFile string) ([]byte, error) {
	key, err := os.ReadFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		if err := createKey(keyFile); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		key, err = os.ReadFile(keyFile) // ours, or the one a concurrent first start wrote
	}
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", keyFile, err)
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("key file %s: %w: holds %d bytes, want %d", keyFile, ErrInvalid, len(key), keySize)
	}
	if err := restrictMode(keyFile); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	return key, nil
}

// createKey writes a new random key, readable by the owner only. O_EXCL makes sure an existing key is
// never overwritten: that would make every stored token unreadable.
func createKey(keyFile string) error {
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create key file %s: %w", keyFile, err)
	}
	_, werr := f.Write(key)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(keyFile) // a short key file would be refused on the next start anyway
		return fmt.Errorf("write key file %s: %w", keyFile, err)
	}
	return nil
}

// seal encrypts plaintext for the field named by label: "v1:" + base64(nonce | ciphertext+tag).
func (s *sealer) seal(label, plaintext string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal %s: %w", label, err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(label))
	return sealedPrefix + base64.StdEncoding.EncodeToString(out), nil
}

// open decrypts a value made by seal for the same label. Errors wrap ErrDecrypt and never include the
// sealed or the plain value.
func (s *sealer) open(label, sealed string) (string, error) {
	b64, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", fmt.Errorf("%w %s: unknown format", ErrDecrypt, label)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return "", fmt.Errorf("%w %s: damaged value", ErrDecrypt, label)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(label))
	if err != nil {
		return "", fmt.Errorf("%w %s: the key file does not match the one it was sealed with", ErrDecrypt, label)
	}
	return string(plain), nil
}
