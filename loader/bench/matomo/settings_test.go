package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		name   string
		url    string
		remote bool
		ok     bool
	}{
		// The usual local Matomo.
		{"ipv4 loopback", "http://127.0.0.1:8081", false, true},
		// All of 127.0.0.0/8 is loopback.
		{"other 127 address", "http://127.3.2.1", false, true},
		// IPv6 loopback in brackets.
		{"ipv6 loopback", "http://[::1]:8081", false, true},
		// The name localhost, any case.
		{"localhost", "https://LocalHost:8443/matomo", false, true},
		// A public address is refused by default...
		{"public ip", "http://192.0.2.10", false, false},
		// ...and so is a name, even one that might resolve to loopback: names are not resolved.
		{"name", "https://analytics.example.org", false, false},
		// A name that merely starts with localhost is not localhost.
		{"localhost lookalike", "http://localhost.example.org", false, false},
		// 0.0.0.0 is not loopback.
		{"unspecified", "http://0.0.0.0:8081", false, false},
		// MATOMO_BENCH_ALLOW_REMOTE=1 lets a remote Matomo through.
		{"remote allowed", "https://analytics.example.org", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkLoopback(tt.url, tt.remote)
			if (err == nil) != tt.ok {
				t.Errorf("checkLoopback(%q, %v) = %v, want ok=%v", tt.url, tt.remote, err, tt.ok)
			}
		})
	}
}

func TestNormalizeBase(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		// A trailing slash goes.
		{"root", "http://127.0.0.1:8081/", "http://127.0.0.1:8081", true},
		// index.php and matomo.php name endpoints, not the root.
		{"index.php", "http://127.0.0.1:8081/index.php", "http://127.0.0.1:8081", true},
		{"tracker in a sub-path", "http://127.0.0.1/analytics/matomo.php", "http://127.0.0.1/analytics", true},
		// A sub-path is kept.
		{"sub-path", "http://localhost/matomo/", "http://localhost/matomo", true},
		// A query could carry a token: refused.
		{"query", "http://127.0.0.1:8081/?token_auth=x", "", false},
		// Only http and https.
		{"scheme", "ftp://127.0.0.1/", "", false},
		// No host.
		{"no host", "http:///index.php", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := normalizeBase(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("normalizeBase(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseSettings(t *testing.T) {
	wd := t.TempDir()
	bin := filepath.Join(wd, "bin", "loader")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(wd, "loader") // as when run from loader/: ../bin/loader
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	base := []string{"MATOMO_BENCH_URL", "http://127.0.0.1:8081/", "MATOMO_BENCH_TOKEN", "t0k3n\n"}

	t.Run("defaults", func(t *testing.T) {
		s, err := parseSettings(env(base...), sub)
		if err != nil {
			t.Fatal(err)
		}
		want := settings{BaseURL: "http://127.0.0.1:8081", Token: "t0k3n", Days: 4, Visits: 1250,
			Parallel: []int{4, 8, 16}, Loader: bin, Seed: 42, Timeout: 2 * time.Hour}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("got %+v\nwant %+v", s, want)
		}
	})
	t.Run("values", func(t *testing.T) {
		s, err := parseSettings(env(append(base, "MATOMO_BENCH_DAYS", "1", "MATOMO_BENCH_VISITS", "200",
			"MATOMO_BENCH_PARALLEL", "2, 6", "MATOMO_BENCH_SEED", "7", "MATOMO_BENCH_LOADER", bin,
			"MATOMO_BENCH_TIMEOUT", "30m")...), wd)
		if err != nil {
			t.Fatal(err)
		}
		if s.Days != 1 || s.Visits != 200 || !reflect.DeepEqual(s.Parallel, []int{2, 6}) || s.Seed != 7 ||
			s.Loader != bin || s.Timeout != 30*time.Minute {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("every problem at once", func(t *testing.T) {
		_, err := parseSettings(env("MATOMO_BENCH_URL", "http://192.0.2.1/", "MATOMO_BENCH_DAYS", "0",
			"MATOMO_BENCH_VISITS", "x", "MATOMO_BENCH_PARALLEL", "4,0", "MATOMO_BENCH_LOADER", "nope"), wd)
		if err == nil {
			t.Fatal("accepted")
		}
		for _, want := range []string{"loopback", "MATOMO_BENCH_TOKEN", "MATOMO_BENCH_DAYS", "MATOMO_BENCH_VISITS",
			"MATOMO_BENCH_PARALLEL", "MATOMO_BENCH_LOADER"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not mention %s: %v", want, err)
			}
		}
	})
	t.Run("token never echoed", func(t *testing.T) {
		_, err := parseSettings(env("MATOMO_BENCH_URL", "http://192.0.2.1/", "MATOMO_BENCH_TOKEN", "s3cr3tt0k3n"), wd)
		if err == nil || strings.Contains(err.Error(), "s3cr3tt0k3n") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestBenchWindow(t *testing.T) {
	now := time.Date(2026, 3, 2, 23, 30, 0, 0, time.FixedZone("X", -5*3600)) // 2026-03-03 04:30 UTC
	got := benchWindow(now, 4)
	want := []string{"2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("benchWindow = %v, want %v", got, want)
	}
}
