// Package swarmfixture is the test fixture of a single-node Docker Swarm, apart from the docker
// package so that both that package's own tests and dockertest (which imports it) can use it.
// It takes the machine-wide lock of the swarm tests, makes a swarm when the engine is in none and
// leaves it again when the test ends, and purges the runtime's scope, pass or fail.
package swarmfixture

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Addr is the address a swarm made for tests advertises: loopback, so it is the machine's alone
// and no other host can join it.
const Addr = "127.0.0.1"

// Runtime is what the fixture needs of a container runtime (the docker package's Runtime).
type Runtime interface {
	InitSwarm(ctx context.Context, advertiseAddr string) (created bool, err error)
	LeaveSwarm(ctx context.Context) error
	Purge(ctx context.Context) error
	Close() error
}

// Open opens a runtime: on the plain engine (swarm false), or on the swarm in the test's scope.
type Open[R Runtime] func(ctx context.Context, swarm bool) (R, error)

// Swarm returns open(ctx, true) on a single-node swarm. missing is called (and must end the test)
// when the plain engine cannot be reached. Swarm tests of every test binary on the machine take
// turns, so that one never leaves a swarm another is using.
func Swarm[R Runtime](t testing.TB, open Open[R], missing func(error)) R {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	plain, err := open(ctx, false)
	if err != nil {
		missing(err)
	}
	defer plain.Close()
	lock(t)
	created, err := plain.InitSwarm(ctx, Addr)
	if err != nil {
		t.Fatalf("make a swarm for the test: %v", err)
	}
	if created {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			rt, err := open(ctx, false)
			if err == nil {
				err = rt.LeaveSwarm(ctx)
				_ = rt.Close()
			}
			if err != nil {
				t.Errorf("leave the swarm the test made: %v", err)
			}
		})
	}
	rt, err := open(ctx, true)
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

// lock waits for the machine-wide lock of the swarm tests and releases it when the test ends
// (after the swarm has been left: cleanups run last-registered first). The lock file stays:
// removing it would let two tests hold locks on two different files.
func lock(t testing.TB) {
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
