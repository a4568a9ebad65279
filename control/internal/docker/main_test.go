package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests below that need a real Docker Engine share one image, built once from
// testdata/fakeloader (a static program, so FROM scratch works without a registry) and removed
// when the package's tests end.
var fakeImage struct {
	once sync.Once
	tag  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fakeImage.tag != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if rt, err := New(ctx, Options{}); err == nil {
			if err := rt.RemoveImage(ctx, fakeImage.tag); err != nil {
				fmt.Fprintln(os.Stderr, "remove test image:", err)
			}
			_ = rt.Close()
		}
		cancel()
	}
	os.Exit(code)
}

// randomHex returns n random bytes as hex, for unique tags, scopes and run ids.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// nonScopeChars are replaced when a test name becomes part of a scope label.
var nonScopeChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// dockerRuntime returns a Runtime on the real engine with a scope unique to this test, whose
// containers are all removed when the test ends, pass or fail. Without an engine the test fails
// in CI (CI=true) and is skipped elsewhere; -short always skips.
func dockerRuntime(t *testing.T) *Runtime {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Docker Engine; skipped with -short")
	}
	// Containers even on a swarm manager: these tests are about containers.
	rt, err := New(t.Context(), Options{Scope: testScope(t), Runtime: RuntimeDocker})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Docker Engine is required in CI: %v", err)
		}
		t.Skipf("no Docker Engine: %v", err)
	}
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		left, err := rt.List(ctx, Filter{All: true})
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

// testScope is a scope label unique to the test.
func testScope(t *testing.T) string {
	return "test-" + nonScopeChars.ReplaceAllString(t.Name(), "_") + "-" + randomHex(4)
}

// testImage builds the fakeloader image on first use and returns its tag.
func testImage(t *testing.T, rt *Runtime) string {
	t.Helper()
	fakeImage.once.Do(func() {
		fakeImage.tag, fakeImage.err = buildFakeImage(rt)
	})
	if fakeImage.err != nil {
		t.Fatalf("build the fakeloader image: %v", fakeImage.err)
	}
	return fakeImage.tag
}

// buildFakeImage compiles testdata/fakeloader statically and builds a FROM-scratch image of it.
// It uses its own context: the first test's context ends before later tests use the image.
func buildFakeImage(rt *Runtime) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "fakeloader-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", filepath.Join(dir, "fakeloader"), "./testdata/fakeloader")
	// GOFLAGS is cleared so a -race in it cannot clash with the static, cgo-free build.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build fakeloader: %w: %s", err, out)
	}
	// /data belongs to uid 65532, as in the loader's image, so a volume mounted there does too.
	dockerfile := "FROM scratch\nCOPY --chown=65532:65532 data/ /data/\nCOPY fakeloader /fakeloader\nENTRYPOINT [\"/fakeloader\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "data", ".keep"), nil, 0o644); err != nil {
		return "", err
	}
	tag := "trafficinator-test/fakeloader:" + randomHex(6)
	// The tag is recorded before building, so TestMain removes a half-built image too.
	fakeImage.tag = tag
	if err := rt.BuildImage(ctx, tag, dir, "", map[string]string{"io.trafficinator.test": "true"}); err != nil {
		return tag, err
	}
	return tag, nil
}

// fakeSpec is a spec for the fakeloader with the given FAKE_* environment.
func fakeSpec(t *testing.T, rt *Runtime, runID string, index int, env ...string) Spec {
	t.Helper()
	return Spec{RunID: runID, Index: index, Kind: KindLive, Image: testImage(t, rt), Env: env, StopTimeout: 5 * time.Second}
}

// startFake starts a fakeloader container and fails the test if it cannot.
func startFake(t *testing.T, rt *Runtime, spec Spec) Container {
	t.Helper()
	c, err := rt.Start(t.Context(), spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return c
}

// followUntil follows a container's log until a stdout line contains want, with a bound, so a
// test knows the program reached a point (e.g. installed its SIGTERM handler) without sleeping.
func followUntil(t *testing.T, rt *Runtime, id, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	lines, errs := rt.Logs(ctx, id, LogOptions{Follow: true})
	for l := range lines {
		if strings.Contains(l.Text, want) {
			return
		}
	}
	t.Fatalf("log of %s ended before a line containing %q: %v", shortID(id), want, <-errs)
}

// allLogs reads a container's whole log after it has exited.
func allLogs(t *testing.T, rt *Runtime, id string) []LogLine {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	got, err := collect(rt.Logs(ctx, id, LogOptions{}))
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	return got
}
