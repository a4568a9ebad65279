package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs serve on a free loopback port and waits until /health answers.
func startServe(t *testing.T, set settings) (base string, out *bytes.Buffer, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	set.Addr = ln.Addr().String()
	ln.Close()
	out = &bytes.Buffer{}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, set, slog.New(slog.DiscardHandler), out) }()
	base = "http://" + set.Addr
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 500 {
			cancel()
			t.Fatalf("control did not come up: %v", err)
		}
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("serve ended: %v", err)
		case <-tick.C:
		}
	}
	return base, out, func() error {
		cancel()
		return <-errc
	}
}

func get(t *testing.T, url, key string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// The control starts without Docker: it generates and prints its API key once, serves configs,
// answers run endpoints with 503, and shuts down cleanly.
func TestServeWithoutDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	set := settings{DataDir: filepath.Join(t.TempDir(), "data"), RateLimit: -1}
	base, out, stop := startServe(t, set)
	keyBytes, err := os.ReadFile(filepath.Join(set.DataDir, apiKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(keyBytes))

	code, body := get(t, base+"/health", "")
	var h struct{ Docker string }
	if code != http.StatusOK || json.Unmarshal(body, &h) != nil || h.Docker != "unavailable" {
		t.Errorf("health %d %s", code, body)
	}
	if code, _ := get(t, base+"/api/configs", ""); code != http.StatusUnauthorized {
		t.Errorf("no key: %d", code)
	}
	if code, body := get(t, base+"/api/configs", key); code != http.StatusOK {
		t.Errorf("configs %d %s", code, body)
	}
	if code, body := get(t, base+"/api/runs", key); code != http.StatusServiceUnavailable || !strings.Contains(string(body), "Docker") {
		t.Errorf("runs without docker %d %s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if want := "API key: " + key + "  (stored in " + filepath.Join(set.DataDir, apiKeyFile) + ")"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}
	// The second start uses the stored key and prints nothing.
	base, out, stop = startServe(t, set)
	if code, _ := get(t, base+"/api/configs", key); code != http.StatusOK {
		t.Errorf("stored key not used: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("second start printed %q", out.String())
	}
}

// The data directory and every file the control keeps in it are for the control's user only.
func TestServeKeepsDataPrivate(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		// A first start creates the directory.
		{"new directory", func(*testing.T, string) {}},
		// An existing directory open to others (an image's /data, or an earlier version's) is restricted.
		{"existing open directory", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
			set := settings{DataDir: filepath.Join(t.TempDir(), "data"), RateLimit: -1}
			tt.setup(t, set.DataDir)
			_, _, stop := startServe(t, set)
			defer func() {
				if err := stop(); err != nil {
					t.Error(err)
				}
			}()
			want := map[string]os.FileMode{".": 0o700, "control.db": 0o600, "control.db-wal": 0o600,
				"control.db-shm": 0o600, "secret.key": 0o600, apiKeyFile: 0o600}
			for name, mode := range want {
				st, err := os.Stat(filepath.Join(set.DataDir, name))
				if err != nil {
					t.Errorf("%s: %v", name, err)
				} else if st.Mode().Perm() != mode {
					t.Errorf("%s has mode %#o, want %#o", name, st.Mode().Perm(), mode)
				}
			}
		})
	}
}
