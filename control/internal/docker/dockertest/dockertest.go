// Package dockertest is what the control's tests need to run the project's own programs in the real
// Docker Engine, as net/http/httptest is for HTTP: a runtime whose containers are removed when the
// test ends, and FROM-scratch images of the loader and matomo-sink built from this repository (no
// registry is reachable, so nothing is pulled).
package dockertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// InCI tells whether a missing Docker Engine (or browser, or compose) must fail a test instead of
// skipping it: CI sets CI=true.
func InCI() bool { return os.Getenv("CI") == "true" }

// Need fails the test in CI and skips it elsewhere, with the reason.
func Need(t testing.TB, format string, args ...any) {
	t.Helper()
	if InCI() {
		t.Fatalf("required in CI: "+format, args...)
	}
	t.Skipf("skipped: "+format, args...)
}

// RandomHex returns n random bytes as hex, for unique names, scopes and tags.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Runtime connects to the real engine with a scope of its own, running loaders as containers;
// every container of that scope is removed when the test ends, whatever its outcome. Without an
// engine, see Need.
func Runtime(t *testing.T, scope string) *docker.Runtime {
	t.Helper()
	// Containers even on a swarm manager: a test that wants a swarm asks for one (SwarmRuntime).
	rt, err := docker.New(t.Context(), docker.Options{Scope: scope, Runtime: docker.RuntimeDocker})
	if err != nil {
		Need(t, "no Docker Engine: %v", err)
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

// Images builds, once per test binary, FROM-scratch images of the loader and matomo-sink compiled
// statically from this repository. Call Remove from TestMain after m.Run.
type Images struct {
	// Prefix names the images: trafficinator-test/<prefix>-<program>:<random>.
	Prefix string

	once         sync.Once
	loader, sink string
	err          error
	built        []string
}

// Get returns the two image tags, building them on first use.
func (im *Images) Get(t *testing.T, rt *docker.Runtime) (loader, sink string) {
	t.Helper()
	im.once.Do(func() { im.err = im.build(rt) })
	if im.err != nil {
		t.Fatalf("build the test images: %v", im.err)
	}
	return im.loader, im.sink
}

// Remove deletes the images that were built (also half-built ones).
func (im *Images) Remove() {
	if len(im.built) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rt, err := docker.New(ctx, docker.Options{})
	if err != nil {
		return
	}
	defer rt.Close()
	for _, tag := range im.built {
		if err := rt.RemoveImage(ctx, tag); err != nil {
			fmt.Fprintln(os.Stderr, "remove test image:", err)
		}
	}
}

// build compiles both programs statically and builds an image of each.
func (im *Images) build(rt *docker.Runtime) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	suffix := RandomHex(6)
	for _, prog := range []struct {
		name string
		tag  *string
	}{{"loader", &im.loader}, {"matomo-sink", &im.sink}} {
		dir, err := os.MkdirTemp("", "dockertest-image-")
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
		// /data belongs to uid 65532, as in deploy/loader.Dockerfile: the control runs loaders as
		// that user, with a volume at /data that takes the directory's owner.
		dockerfile := fmt.Sprintf("FROM scratch\nCOPY --chown=65532:65532 data/ /data/\nCOPY %[1]s /%[1]s\nENTRYPOINT [\"/%[1]s\"]\n", prog.name)
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "data", ".keep"), nil, 0o644); err != nil {
			return err
		}
		*prog.tag = "trafficinator-test/" + im.Prefix + "-" + prog.name + ":" + suffix
		im.built = append(im.built, *prog.tag) // recorded first: a half-built image is removed too
		if err := rt.BuildImage(ctx, *prog.tag, dir, "", map[string]string{"io.trafficinator.test": "true"}); err != nil {
			return fmt.Errorf("build image %s: %w", *prog.tag, err)
		}
	}
	return nil
}

// RepoRoot walks up from the working directory to the directory holding go.work.
func RepoRoot() (string, error) {
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
