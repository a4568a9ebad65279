package docker

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/system"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
)

// How a Runtime runs loaders (Runtime.Mode, Platform.Mode).
const (
	// ModeContainers runs each loader as a container of the control's own Docker Engine.
	ModeContainers = "containers"
	// ModeSwarm runs a run's loaders as one Swarm service with a replica per loader, on the
	// nodes of the swarm the control's engine manages.
	ModeSwarm = "swarm"
)

// Values of Options.Runtime (the control's CONTROL_RUNTIME).
const (
	// RuntimeAuto picks ModeSwarm when the engine is a swarm manager, else ModeContainers.
	RuntimeAuto = ""
	// RuntimeDocker forces ModeContainers, even on a swarm manager.
	RuntimeDocker = "docker"
	// RuntimeSwarm forces ModeSwarm; New fails (ErrNotManager) when the engine is no swarm manager.
	RuntimeSwarm = "swarm"
)

// ErrNotManager is returned by New with Options.Runtime RuntimeSwarm when the engine is not a
// manager of an active swarm: only a manager can create and watch services.
var ErrNotManager = errors.New("the docker engine is not a swarm manager")

// swarmEngine lists the SDK calls of swarm mode. It is kept out of engine (and asserted at run
// time, as copyFromEngine is), so that the container-mode fakes need not implement it. *client.Client
// has it.
type swarmEngine interface {
	Info(ctx context.Context) (system.Info, error)

	ServiceCreate(ctx context.Context, spec swarm.ServiceSpec, opts swarm.ServiceCreateOptions) (swarm.ServiceCreateResponse, error)
	ServiceInspectWithRaw(ctx context.Context, id string, opts swarm.ServiceInspectOptions) (swarm.Service, []byte, error)
	ServiceList(ctx context.Context, opts swarm.ServiceListOptions) ([]swarm.Service, error)
	ServiceUpdate(ctx context.Context, id string, version swarm.Version, spec swarm.ServiceSpec, opts swarm.ServiceUpdateOptions) (swarm.ServiceUpdateResponse, error)
	ServiceRemove(ctx context.Context, id string) error
	TaskList(ctx context.Context, opts swarm.TaskListOptions) ([]swarm.Task, error)
	TaskInspectWithRaw(ctx context.Context, id string) (swarm.Task, []byte, error)
	TaskLogs(ctx context.Context, id string, opts container.LogsOptions) (io.ReadCloser, error)

	SecretCreate(ctx context.Context, spec swarm.SecretSpec) (swarm.SecretCreateResponse, error)
	SecretList(ctx context.Context, opts swarm.SecretListOptions) ([]swarm.Secret, error)
	SecretRemove(ctx context.Context, id string) error
	ConfigCreate(ctx context.Context, spec swarm.ConfigSpec) (swarm.ConfigCreateResponse, error)
	ConfigList(ctx context.Context, opts swarm.ConfigListOptions) ([]swarm.Config, error)
	ConfigRemove(ctx context.Context, id string) error
	VolumeList(ctx context.Context, opts volume.ListOptions) (volume.ListResponse, error)
	VolumeRemove(ctx context.Context, id string, force bool) error
}

var _ swarmEngine = (*client.Client)(nil)

// StateVolumes says how a swarm run's state volumes are created (Options.StateVolumes).
type StateVolumes struct {
	// Driver is the volume driver; empty means the engine's "local" driver, whose volumes stay on
	// the node that made them.
	Driver string
	// Options are the driver's options, e.g. for the local driver and NFS
	// {"type": "nfs", "o": "addr=10.0.0.5,nfsvers=4,rw", "device": ":/srv/trafficinator"}.
	Options map[string]string
}

// Shared reports whether volumes are configured to be reachable from every node: any driver or
// driver options. The Runtime cannot verify it; the operator who sets them vouches for it.
func (v StateVolumes) Shared() bool { return v.Driver != "" || len(v.Options) > 0 }

// Platform is what runs a Runtime's loaders, as the run service needs to know it to plan a run.
type Platform struct {
	// Mode is ModeContainers or ModeSwarm.
	Mode string
	// Nodes is the number of nodes of the swarm (0 in ModeContainers).
	Nodes int
	// SharedState reports that swarm state volumes are configured as shared (StateVolumes.Shared),
	// so that a task rescheduled onto another node finds its state.
	SharedState bool
}

// detectMode decides the Runtime's mode from the engine's swarm state and the requested runtime.
// It returns whether the engine is a swarm manager too: services can then be listed and
// followed even in ModeContainers (runs a control started before CONTROL_RUNTIME changed).
func detectMode(ctx context.Context, api engine, requested string) (mode string, manager bool, err error) {
	switch requested {
	case RuntimeAuto, RuntimeDocker, RuntimeSwarm:
	default:
		return "", false, fmt.Errorf("runtime %q: %w: use %q, %q or leave it empty", requested, ErrInvalidSpec, RuntimeDocker, RuntimeSwarm)
	}
	sw, ok := api.(swarmEngine)
	if ok {
		info, err := sw.Info(ctx)
		if err != nil {
			return "", false, fmt.Errorf("docker engine info: %w", classify(err))
		}
		manager = info.Swarm.LocalNodeState == swarm.LocalNodeStateActive && info.Swarm.ControlAvailable
	}
	switch {
	case requested == RuntimeDocker, requested == RuntimeAuto && !manager:
		return ModeContainers, manager, nil
	case !manager:
		return "", false, fmt.Errorf("%w: run `docker swarm init` on it, point DOCKER_HOST at a manager, or unset CONTROL_RUNTIME", ErrNotManager)
	}
	return ModeSwarm, true, nil
}

// Mode reports how this Runtime runs loaders: ModeContainers or ModeSwarm.
func (r *Runtime) Mode() string { return r.mode }

// Platform reports the Runtime's mode and, on a swarm, its number of nodes.
func (r *Runtime) Platform(ctx context.Context) (Platform, error) {
	p := Platform{Mode: r.mode}
	if r.mode != ModeSwarm {
		return p, nil
	}
	info, err := r.sw.Info(ctx)
	if err != nil {
		return Platform{}, fmt.Errorf("docker engine info: %w", classify(err))
	}
	p.Nodes, p.SharedState = info.Swarm.Nodes, r.volumes.Shared()
	return p, nil
}

// swarmAPI returns the swarm client, or an error when the engine is not a swarm manager.
func (r *Runtime) swarmAPI() (swarmEngine, error) {
	if !r.manager || r.sw == nil {
		return nil, ErrNotManager
	}
	return r.sw, nil
}
