package webtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// screenshotsDir, when set, makes TestBrowser also write PNGs of every tab (light and dark).
var screenshotsDir = flag.String("screenshots", "", "directory to write UI screenshots into (make screenshots)")

// The loader and matomo-sink images are built once from the repository's own programs (static
// binaries in FROM-scratch images: no registry is reachable) and removed by TestMain.
var images struct {
	once         sync.Once
	loader, sink string
	err          error
	built        []string
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if len(images.built) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if rt, err := docker.New(ctx, docker.Options{}); err == nil {
			for _, tag := range images.built {
				if err := rt.RemoveImage(ctx, tag); err != nil {
					fmt.Fprintln(os.Stderr, "remove test image:", err)
				}
			}
			_ = rt.Close()
		}
		cancel()
	}
	os.Exit(code)
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// inCI tells whether a missing Docker Engine or Chromium must fail the test instead of skipping it.
func inCI() bool { return os.Getenv("CI") == "true" }

// need fails the test in CI and skips it elsewhere.
func need(t *testing.T, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf("required in CI: "+format, args...)
	}
	t.Skipf("skipped: "+format, args...)
}

// dockerRuntime connects to the real engine with a scope of its own, whose containers are all
// removed when the test ends, whatever its outcome.
func dockerRuntime(t *testing.T, scope string) *docker.Runtime {
	t.Helper()
	rt, err := docker.New(t.Context(), docker.Options{Scope: scope})
	if err != nil {
		need(t, "no Docker Engine: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		left, err := rt.List(ctx, docker.Filter{All: true})
		if err != nil {
			t.Errorf("cleanup: %v", err)
		}
		for _, c := range left {
			if err := rt.Remove(ctx, c.ID); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
		_ = rt.Close()
	})
	return rt
}

// testImages builds the loader and matomo-sink images on first use.
func testImages(t *testing.T, rt *docker.Runtime) (loader, sink string) {
	t.Helper()
	images.once.Do(func() { images.err = buildImages(rt) })
	if images.err != nil {
		t.Fatalf("build the test images: %v", images.err)
	}
	return images.loader, images.sink
}

// buildImages compiles both programs statically and builds an image of each.
func buildImages(rt *docker.Runtime) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := repoRoot()
	if err != nil {
		return err
	}
	suffix := randomHex(6)
	for _, prog := range []struct {
		name string
		tag  *string
	}{{"loader", &images.loader}, {"matomo-sink", &images.sink}} {
		dir, err := os.MkdirTemp("", "webtest-image-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", filepath.Join(dir, prog.name), "./cmd/"+prog.name)
		cmd.Dir = filepath.Join(root, "loader")
		// GOFLAGS is cleared so a -race in it cannot clash with the static, cgo-free build.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %w: %s", prog.name, err, out)
		}
		dockerfile := fmt.Sprintf("FROM scratch\nCOPY %[1]s /%[1]s\nENTRYPOINT [\"/%[1]s\"]\n", prog.name)
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
			return err
		}
		*prog.tag = "trafficinator-test/webtest-" + prog.name + ":" + suffix
		images.built = append(images.built, *prog.tag) // recorded first: a half-built image is removed too
		if err := rt.BuildImage(ctx, *prog.tag, dir, "", map[string]string{"io.trafficinator.test": "true"}); err != nil {
			return fmt.Errorf("build image %s: %w", *prog.tag, err)
		}
	}
	return nil
}

// repoRoot walks up from the working directory to the directory holding go.work.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 20 {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no go.work above the working directory")
}
