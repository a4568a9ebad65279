package dockertest

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// swarmAddr is the address a swarm made for tests advertises: loopback, so it is the machine's
// alone and no other host can join it.
const swarmAddr = "127.0.0.1"

// SwarmRuntime returns a Runtime in swarm mode with a scope of its own, on a single-node swarm.
// When the engine is in no swarm, the test makes one (docker swarm init --advertise-addr
// 127.0.0.1) and leaves it again when it ends; a swarm that was there before is left as it was.
// Whatever the scope holds (services, secrets, configs, state volumes, containers) is removed when
// the test ends, pass or fail. Swarm tests of every test binary on the machine take turns (a lock
// file in the user's cache directory), so that one never leaves a swarm another is using. Without
// an engine, see Need.
func SwarmRuntime(t *testing.T, scope string) *docker.Runtime {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	plain, err := docker.New(ctx, docker.Options{Scope: scope + "-setup", Runtime: docker.RuntimeDocker})
	if err != nil {
		Need(t, "no Docker Engine: %v", err)
	}
	defer plain.Close()
	lockSwarm(t)
	created, err := plain.InitSwarm(ctx, swarmAddr)
	if err != nil {
		t.Fatalf("make a swarm for the test: %v", err)
	}
	if created {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rt, err := docker.New(ctx, docker.Options{Runtime: docker.RuntimeDocker})
			if err == nil {
				err = rt.LeaveSwarm(ctx)
				_ = rt.Close()
			}
			if err != nil {
				t.Errorf("leave the swarm the test made: %v", err)
			}
		})
	}
	rt, err := docker.New(ctx, docker.Options{Scope: scope, Runtime: docker.RuntimeSwarm})
	if err != nil {
		t.Fatalf("a runtime on the swarm: %v", err)
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

// lockSwarm waits for the machine-wide lock of the swarm tests and releases it when the test
// ends (after the swarm has been left). The lock file stays: removing it would let two tests hold
// locks on two different files.
func lockSwarm(t *testing.T) {
	t.Helper()
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "trafficinator")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatalf("swarm test lock: %v", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "swarm-tests.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatalf("swarm test lock: %v", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatalf("swarm test lock: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}
