package docker

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// swarmRuntime returns a Runtime in swarm mode with a scope unique to the test, on a single-node
// swarm that the test makes when the engine is in none (and then leaves when it ends; a swarm
// that was there is left alone). Everything of the scope is purged at the end, pass or fail.
// It is dockertest.SwarmRuntime for this package, which dockertest cannot serve (it imports it),
// and takes the same machine-wide lock.
func swarmRuntime(t *testing.T) *Runtime {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Docker Engine; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	plain, err := New(ctx, Options{Scope: testScope(t), Runtime: RuntimeDocker})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Docker Engine is required in CI: %v", err)
		}
		t.Skipf("no Docker Engine: %v", err)
	}
	defer plain.Close()
	lockSwarmTests(t)
	created, err := plain.InitSwarm(ctx, "127.0.0.1")
	if err != nil {
		t.Fatalf("InitSwarm: %v", err)
	}
	if created {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rt, err := New(ctx, Options{Runtime: RuntimeDocker})
			if err == nil {
				err = rt.LeaveSwarm(ctx)
				_ = rt.Close()
			}
			if err != nil {
				t.Errorf("leave the swarm: %v", err)
			}
		})
	}
	rt, err := New(ctx, Options{Scope: testScope(t), Runtime: RuntimeSwarm})
	if err != nil {
		t.Fatalf("New on the swarm: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := rt.Purge(ctx); err != nil {
			t.Errorf("cleanup: %v", err)
		}
		_ = rt.Close()
	})
	return rt
}

// lockSwarmTests takes the lock dockertest's swarm tests take (see dockertest.SwarmRuntime).
func lockSwarmTests(t *testing.T) {
	t.Helper()
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "trafficinator")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "swarm-tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}

// swarmClient is the runtime's SDK client, for a test to look at what the engine holds.
func swarmClient(rt *Runtime) *client.Client { return rt.api.(*client.Client) }

// slotRecords reads a slot's whole log (its tasks', oldest first) and returns its JSON records.
func slotRecords(t *testing.T, rt *Runtime, id string) []map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	lines, err := collect(rt.Logs(ctx, id, LogOptions{}))
	if err != nil {
		t.Fatalf("Logs %s: %v", id, err)
	}
	var out []map[string]any
	for _, l := range lines {
		var rec map[string]any
		if l.Stream == StreamStdout && strings.HasPrefix(l.Text, "{") && json.Unmarshal([]byte(l.Text), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// waitSlot polls a slot until cond holds, at most a minute.
func waitSlot(t *testing.T, rt *Runtime, id, what string, cond func(Container, error) bool) Container {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		c, err := rt.Inspect(t.Context(), id)
		if cond(c, err) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s not reached in a minute: %+v, %v", id, what, c, err)
		}
		select {
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		case <-time.After(200 * time.Millisecond): // test-side polling
		}
	}
}
