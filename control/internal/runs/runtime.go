package runs

import (
	"context"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// Runtime is what the service needs from the Docker Engine: the subset of *docker.Runtime it calls,
// declared here so that tests can put a fake in its place. The same interface serves both ways of
// running loaders (docker.Platform): as containers of the control's engine, or as one Swarm service
// per run whose slots stand for its loaders. A loader's ID is a container ID or a slot's handle;
// the service never needs to tell them apart, except that a slot has no container to copy a
// checkpoint out of (docker.IsServiceLoader).
type Runtime interface {
	// Platform reports how loaders run (containers or a swarm) and, on a swarm, its nodes.
	Platform(ctx context.Context) (docker.Platform, error)
	// Launch starts every loader of a run (a container each, or one service with a replica
	// each), in loader order; on failure it removes what it made.
	Launch(ctx context.Context, spec docker.RunSpec) ([]docker.Container, error)
	// Stop stops a loader gracefully (SIGTERM, then SIGKILL after timeout). On a swarm it stops
	// every loader of the run's service: loaders are always stopped together.
	Stop(ctx context.Context, id string, timeout time.Duration) error
	// StopAndRemove stops a loader container gracefully, then removes it (an extra container of
	// an active run).
	StopAndRemove(ctx context.Context, id string, timeout time.Duration) error
	// RemoveRun removes everything a run has in the engine but its state volumes; nothing left
	// counts as success.
	RemoveRun(ctx context.Context, runID string) error
	// RemoveState removes the state volumes of a swarm backfill's state key.
	RemoveState(ctx context.Context, key string) error
	// List returns the loaders of the runtime's scope.
	List(ctx context.Context, f docker.Filter) ([]docker.Container, error)
	// Inspect reports one loader; docker.ErrNotFound when it is gone.
	Inspect(ctx context.Context, id string) (docker.Container, error)
	// Logs streams a loader's log lines; the stream ends when the loader does.
	Logs(ctx context.Context, id string, opts docker.LogOptions) (<-chan docker.LogLine, <-chan error)
	// Events watches the scope's containers for start, die, stop, destroy and oom.
	Events(ctx context.Context) (<-chan docker.Event, <-chan error)
	// CopyOut reads the matching files of a directory of a container (backfill checkpoints).
	CopyOut(ctx context.Context, id, dir string, match func(name string) bool) ([]docker.File, error)
	// Ping reports whether the engine answers.
	Ping(ctx context.Context) error
}

var _ Runtime = (*docker.Runtime)(nil)
