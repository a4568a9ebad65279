package runs

import (
	"context"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// Runtime is what the service needs from the Docker Engine: the subset of *docker.Runtime it calls,
// declared here so that tests can put a fake in its place.
type Runtime interface {
	// Start creates a loader container, copies the spec's files in and starts it.
	Start(ctx context.Context, spec docker.Spec) (docker.Container, error)
	// Stop stops a container gracefully (SIGTERM, then SIGKILL after timeout).
	Stop(ctx context.Context, id string, timeout time.Duration) error
	// Remove force-removes a container; a missing one counts as removed.
	Remove(ctx context.Context, id string) error
	// StopAndRemove stops gracefully, then removes.
	StopAndRemove(ctx context.Context, id string, timeout time.Duration) error
	// List returns the loader containers of the runtime's scope.
	List(ctx context.Context, f docker.Filter) ([]docker.Container, error)
	// Inspect reports one container; docker.ErrNotFound when it is gone.
	Inspect(ctx context.Context, id string) (docker.Container, error)
	// Logs streams a container's log lines.
	Logs(ctx context.Context, id string, opts docker.LogOptions) (<-chan docker.LogLine, <-chan error)
	// Events watches the scope's containers for start, die, stop, destroy and oom.
	Events(ctx context.Context) (<-chan docker.Event, <-chan error)
	// CopyOut reads the matching files of a directory of a container (backfill checkpoints).
	CopyOut(ctx context.Context, id, dir string, match func(name string) bool) ([]docker.File, error)
	// Ping reports whether the engine answers.
	Ping(ctx context.Context) error
}

var _ Runtime = (*docker.Runtime)(nil)
