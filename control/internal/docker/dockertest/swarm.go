package dockertest

import (
	"context"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/docker/swarmfixture"
)

// SwarmRuntime returns a Runtime in swarm mode with a scope of its own, on a single-node swarm.
// When the engine is in no swarm, the test makes one (docker swarm init --advertise-addr
// 127.0.0.1) and leaves it again when it ends; a swarm that was there before is left as it was.
// Whatever the scope holds (services, secrets, configs, state volumes, containers) is removed when
// the test ends, pass or fail. Swarm tests of every test binary on the machine take turns (a lock
// file in the user's cache directory), so that one never leaves a swarm another is using. Without
// an engine, see Need.
func SwarmRuntime(t *testing.T, scope string) *docker.Runtime {
	t.Helper()
	open := func(ctx context.Context, swarm bool) (*docker.Runtime, error) {
		if swarm {
			return docker.New(ctx, docker.Options{Scope: scope, Runtime: docker.RuntimeSwarm})
		}
		return docker.New(ctx, docker.Options{Scope: scope + "-setup", Runtime: docker.RuntimeDocker})
	}
	return swarmfixture.Swarm(t, open, func(err error) { Need(t, "no Docker Engine: %v", err) })
}
