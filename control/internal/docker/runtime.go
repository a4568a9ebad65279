// Package docker runs loader containers on a Docker Engine, or on the Docker Swarm that engine
// manages. It is the only package of the project that imports the Docker SDK, so that an SDK
// migration (github.com/docker/docker is frozen at v28; its successor is
// github.com/moby/moby/client) touches nothing else, and so that no SDK type leaks into the control:
// callers see Spec, RunSpec, Container, LogLine and Event.
//
// Containers are owned by labels (see labels.go), never by names. A Runtime is bound to one scope
// and only ever lists, watches or reports the containers of that scope.
//
// On a swarm manager (Mode ModeSwarm) a run's loaders are one service with a replica per loader
// (swarm.go, service.go): each task takes its shard from its slot, tokens are Swarm secrets and the
// other files Swarm configs, and a backfill's shards keep their state on a volume per slot. The
// caller still sees one Container per loader, identified by a handle for the service's slot
// (slots.go), which Inspect, Logs and Stop accept like a container ID.
//
// The engine may be older than the SDK (Docker 20.10 speaks API 1.41 while the SDK defaults to a
// newer one), so the client negotiates the API version. There is no image registry in the
// environments this runs in: images are built locally (BuildImage) from FROM-scratch Dockerfiles,
// and loader files are copied into the container before it starts instead of being mounted.
package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/docker/docker/api/types"
	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// pingTimeout bounds the liveness check in New, so that an engine address that swallows packets
// yields ErrUnavailable promptly instead of hanging the control's start-up.
const pingTimeout = 10 * time.Second

// cleanupTimeout bounds the best-effort removal of a container whose start failed half-way.
const cleanupTimeout = 15 * time.Second

// engine lists exactly the SDK calls this package makes. *client.Client satisfies it; unit tests
// use a fake that embeds engine and overrides only what they exercise (a call nobody overrode
// panics on the nil embedded interface, which is what a test should do).
type engine interface {
	Ping(ctx context.Context) (types.Ping, error)
	Close() error

	ContainerCreate(ctx context.Context, config *container.Config, hostConfig *container.HostConfig,
		networkingConfig *network.NetworkingConfig, platform *ocispec.Platform, containerName string) (container.CreateResponse, error)
	CopyToContainer(ctx context.Context, containerID, dstPath string, content io.Reader, options container.CopyToContainerOptions) error
	ContainerStart(ctx context.Context, containerID string, options container.StartOptions) error
	ContainerStop(ctx context.Context, containerID string, options container.StopOptions) error
	ContainerKill(ctx context.Context, containerID, signal string) error
	ContainerRemove(ctx context.Context, containerID string, options container.RemoveOptions) error
	ContainerWait(ctx context.Context, containerID string, condition container.WaitCondition) (<-chan container.WaitResponse, <-chan error)
	ContainerList(ctx context.Context, options container.ListOptions) ([]container.Summary, error)
	ContainerInspect(ctx context.Context, containerID string) (container.InspectResponse, error)
	ContainerLogs(ctx context.Context, containerID string, options container.LogsOptions) (io.ReadCloser, error)
	Events(ctx context.Context, options events.ListOptions) (<-chan events.Message, <-chan error)

	ImageBuild(ctx context.Context, buildContext io.Reader, options build.ImageBuildOptions) (build.ImageBuildResponse, error)
	ImageRemove(ctx context.Context, imageID string, options image.RemoveOptions) ([]image.DeleteResponse, error)
}

var _ engine = (*client.Client)(nil)

// Options configures New.
type Options struct {
	// Host is the engine address ("unix:///var/run/docker.sock", "tcp://host:2375"). Empty means the
	// standard environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, else the local socket).
	Host string
	// Scope is the value of LabelScope on every container this Runtime creates, and the only scope
	// it lists and watches. Empty means DefaultScope. Tests use a unique scope each.
	Scope string
	// Runtime chooses how loaders run: RuntimeAuto (a swarm manager runs services, any other engine
	// containers), RuntimeDocker or RuntimeSwarm.
	Runtime string
	// StateVolumes configures the volumes that keep the state of a swarm backfill's shards.
	StateVolumes StateVolumes
}

// Runtime starts, watches and removes the loader containers of one scope. It is safe for
// concurrent use. Close it when done.
type Runtime struct {
	api   engine
	scope string

	mode    string       // ModeContainers or ModeSwarm
	manager bool         // the engine manages a swarm: services may be listed and followed
	sw      swarmEngine  // the swarm calls of api; nil when api lacks them (test fakes)
	volumes StateVolumes // how swarm state volumes are created
	scaleMu sync.Mutex   // one scale-down of a service at a time (Stop of its loaders runs in parallel)
}

// New connects to the Docker Engine and checks that it answers. When it does not, the error wraps
// ErrUnavailable. The client negotiates the API version with the engine on first use. It then
// decides the mode (see Options.Runtime); with RuntimeSwarm on an engine that manages no swarm, the
// error wraps ErrNotManager.
func New(ctx context.Context, opts Options) (*Runtime, error) {
	clientOpts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if opts.Host != "" {
		clientOpts = append(clientOpts, client.WithHost(opts.Host))
	}
	cli, err := client.NewClientWithOpts(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := cli.Ping(pingCtx); err != nil {
		closeErr := cli.Close()
		return nil, errors.Join(fmt.Errorf("ping docker engine at %s: %w: %w", cli.DaemonHost(), ErrUnavailable, err), closeErr)
	}
	r := newRuntime(cli, opts.Scope)
	r.mode, r.manager, err = detectMode(ctx, cli, opts.Runtime)
	if err != nil {
		return nil, errors.Join(err, cli.Close())
	}
	r.volumes = opts.StateVolumes
	return r, nil
}

// newRuntime binds an engine to a scope, in ModeContainers; tests use it to inject a fake engine.
func newRuntime(api engine, scope string) *Runtime {
	if scope == "" {
		scope = DefaultScope
	}
	r := &Runtime{api: api, scope: scope, mode: ModeContainers}
	r.sw, _ = api.(swarmEngine)
	return r
}

// Scope returns the scope this Runtime owns.
func (r *Runtime) Scope() string { return r.scope }

// Close releases the client's connections. Containers keep running: stopping them is the caller's
// decision (a control restart must not stop its runs).
func (r *Runtime) Close() error {
	if err := r.api.Close(); err != nil {
		return fmt.Errorf("close docker client: %w", err)
	}
	return nil
}
