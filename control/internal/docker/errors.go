package docker

import (
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
)

// Sentinel errors. Every error this package returns is wrapped with the operation and container it
// concerns; callers classify with errors.Is, never by comparing text.
var (
	// ErrUnavailable is returned when the Docker Engine does not answer: New could not ping it, or a
	// later call could not connect. The control maps it to HTTP 503: the request may succeed once the
	// engine is back.
	ErrUnavailable = errors.New("docker engine unavailable")
	// ErrNotFound is returned when a container or image does not exist (any more). Remove and
	// RemoveImage treat it as success; Inspect, Stop, Logs and Stats return it.
	ErrNotFound = errors.New("not found")
	// ErrInvalidSpec is returned by Start when a Spec cannot describe a loader (no image, unknown
	// kind, a relative file path, a reserved label, …); nothing is created in that case.
	ErrInvalidSpec = errors.New("invalid loader spec")
)

// classify adds this package's sentinels to an SDK error, keeping the SDK error in the chain for
// its text. Errors that are neither not-found nor connection failures pass through unchanged.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case client.IsErrConnectionFailed(err):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	default:
		return err
	}
}
