package docker

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"
	"github.com/trafficinator/trafficinator/control/internal/docker/swarmfixture"
)

// swarmRuntime returns a Runtime in swarm mode with a scope unique to the test, on a single-node
// swarm (see swarmfixture). It is dockertest.SwarmRuntime for this package, which dockertest
// cannot serve (it imports it).
func swarmRuntime(t *testing.T) *Runtime {
	t.Helper()
	if testing.Short() {
		t.Skip("needs the Docker Engine; skipped with -short")
	}
	scope := testScope(t)
	open := func(ctx context.Context, swarm bool) (*Runtime, error) {
		if swarm {
			return New(ctx, Options{Scope: scope, Runtime: RuntimeSwarm})
		}
		return New(ctx, Options{Scope: scope + "-setup", Runtime: RuntimeDocker})
	}
	return swarmfixture.Swarm(t, open, func(err error) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Docker Engine is required in CI: %v", err)
		}
		t.Skipf("no Docker Engine: %v", err)
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
