package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed default URL list must be exactly what the generator produces, so nobody
// edits it by hand and the generator stays deterministic.
func TestCommittedListIsCurrent(t *testing.T) {
	data, err := os.ReadFile("../../data/urls.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := generate(); got != string(committed) {
		t.Error("data/urls.txt.gz is stale: run `go generate ./...` in pkg/content")
	}
}

func TestWriteRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		// .gz files are compressed.
		{"gzip", "urls.txt.gz"},
		// Other names are written as plain text.
		{"plain", "urls.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := write(path, "https://example.test/\tHome\n"); err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(tt.file, ".gz") {
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				if raw, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			if string(raw) != "https://example.test/\tHome\n" {
				t.Errorf("read back %q", raw)
			}
		})
	}
}

func TestSlugify(t *testing.T) {
	tests := []struct{ in, want string }{
		// Punctuation collapses to single dashes.
		{"A/B Testing: fast exports!", "a-b-testing-fast-exports"},
		// Accents are folded.
		{"Life in São Paulo", "life-in-sao-paulo"},
		// Version numbers keep their digits.
		{"Version 4.12: open APIs", "version-4-12-open-apis"},
	}
	for _, tt := range tests {
		if got := slugify(tt.in); got != tt.want {
			t.Errorf("slugify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
