package docker

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
)

// Container is what the engine reports about one loader container.
type Container struct {
	// ID is the engine's container ID, the handle every other call takes.
	ID string
	// Name is the container name without Docker's leading slash (for humans only).
	Name string
	// Image is the image reference the container was created from.
	Image string
	// RunID, Index and Kind are read back from the ownership labels. Index is -1 when the label is
	// missing or malformed (a container someone else labelled by hand).
	RunID string
	Index int
	Kind  string
	// State is Docker's state: created, running, paused, restarting, removing, exited or dead.
	State string
	// ExitCode is the last exit code; meaningful once State is exited or dead.
	ExitCode int
	// OOMKilled reports that the kernel killed the process for exceeding its memory limit.
	OOMKilled bool
	// StartedAt and FinishedAt are zero when the container has not started / not finished yet.
	// Do not compute durations from them for short-lived containers: for a process that exits at
	// once, the engine records FinishedAt slightly before StartedAt (seen with Docker 20.10).
	StartedAt  time.Time
	FinishedAt time.Time
	// RestartOnFailure is the configured maximum of on-failure restarts (0: policy "no"), and
	// RestartCount how many restarts the engine has made so far.
	RestartOnFailure int
	RestartCount     int
	// Network is the container's network mode ("default"/"bridge", "host", or a network name).
	Network string
	// Labels are all of the container's labels, ownership labels included.
	Labels map[string]string
	// Env and User are the environment and user the process runs with, as `docker inspect`
	// shows them to anyone who may use the engine.
	Env  []string
	User string
	// Confinement is how the container is confined and limited.
	Confinement Confinement
	// Error is why the engine ended it, when it says: a Swarm task's error ("task: non-zero exit
	// (1)", "No such image: …"); empty for containers.
	Error string
	// TaskContainer is, for a slot of a Swarm service, the container of its newest task, on
	// whichever node runs it (`docker logs` of it on that node shows the task's output); empty
	// for containers, and before the task has one.
	TaskContainer string
}

// Confinement is a container's confinement and resource limits, as the engine reports them.
type Confinement struct {
	ReadOnlyRoot bool
	CapDrop      []string
	SecurityOpt  []string
	Memory       int64 // bytes; 0: none
	NanoCPUs     int64 // 0: none
	PidsLimit    int64 // 0: none
	// Volumes are the destinations of the container's volumes (its data directory).
	Volumes []string
}

// Start creates a loader container with its ownership labels, copies Spec.Files into it and
// starts it. If any step after creation fails, the half-made container is removed. The returned
// Container is inspected after the start, so it may already show the loader as exited.
func (r *Runtime) Start(ctx context.Context, spec Spec) (Container, error) {
	if err := spec.validate(); err != nil {
		return Container{}, fmt.Errorf("start loader %s/%d: %w", spec.RunID, spec.Index, err)
	}
	cfg, hostCfg := spec.configs(r.scope)
	created, err := r.api.ContainerCreate(ctx, cfg, hostCfg, nil, nil, containerName(spec.RunID, spec.Index))
	if err != nil {
		return Container{}, fmt.Errorf("start loader %s/%d: create container: %w", spec.RunID, spec.Index, classify(err))
	}
	if err := r.copyAndStart(ctx, created.ID, spec.DataDir, spec.Files); err != nil {
		err = fmt.Errorf("start loader %s/%d: %w", spec.RunID, spec.Index, err)
		return Container{}, errors.Join(err, r.cleanup(ctx, created.ID))
	}
	c, err := r.Inspect(ctx, created.ID)
	if err != nil {
		return Container{}, fmt.Errorf("start loader %s/%d: %w", spec.RunID, spec.Index, err)
	}
	return c, nil
}

// copyAndStart copies the files into dir before the start, so the loader never runs without them.
func (r *Runtime) copyAndStart(ctx context.Context, id, dir string, files []File) error {
	if len(files) > 0 {
		archive, err := filesTar(dir, files)
		if err != nil {
			return err
		}
		if err := r.api.CopyToContainer(ctx, id, dir, archive, container.CopyToContainerOptions{}); err != nil {
			return fmt.Errorf("copy files into %s: %w", shortID(id), classify(err))
		}
	}
	if err := r.api.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return fmt.Errorf("start container %s: %w", shortID(id), classify(err))
	}
	return nil
}

// cleanup removes a container whose start failed. It runs even when ctx is already cancelled
// (a cancelled start must not leave a half-made container behind), bounded by cleanupTimeout.
func (r *Runtime) cleanup(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return r.Remove(ctx, id)
}

// Stop stops a container gracefully: SIGTERM, then SIGKILL once timeout has passed (rounded up to
// whole seconds; a negative timeout uses the container's StopTimeout or the engine's 10 s). The
// call blocks until the container has stopped, so ctx must outlive timeout. Stopping a container
// that is not running succeeds; a missing one yields ErrNotFound.
//
// A slot of a Swarm service cannot be stopped alone: Stop scales its whole service to zero replicas
// (once, whichever of its slots is stopped first; Swarm sends each task SIGTERM, then SIGKILL after
// the service's stop grace period) and waits until the slot's task has ended, at most timeout
// plus a margin. Swarm then removes the stopped tasks with their containers.
func (r *Runtime) Stop(ctx context.Context, id string, timeout time.Duration) error {
	if svcID, slot, ok := parseSlotID(id); ok {
		return r.stopSlot(ctx, svcID, slot, timeout)
	}
	opts := container.StopOptions{}
	if timeout >= 0 {
		secs := durationSeconds(timeout)
		opts.Timeout = &secs
	}
	if err := r.api.ContainerStop(ctx, id, opts); err != nil {
		return fmt.Errorf("stop container %s: %w", shortID(id), classify(err))
	}
	return nil
}

// Kill sends SIGKILL to a loader container, or to the container of a Swarm slot's newest task
// when it runs on this engine's node: what a crash or a lost node does to a loader, with no
// chance to save anything. A container restarts by its restart policy, a slot by its service's.
// A container that is not running, or a task on another node, yields an error (ErrNotFound when
// it is gone).
func (r *Runtime) Kill(ctx context.Context, id string) error {
	target := id
	if IsServiceLoader(id) {
		c, err := r.Inspect(ctx, id)
		if err != nil {
			return fmt.Errorf("kill %s: %w", id, err)
		}
		if c.TaskContainer == "" {
			return fmt.Errorf("kill %s: %w: its task has no container yet", id, ErrNotFound)
		}
		target = c.TaskContainer
	}
	if err := r.api.ContainerKill(ctx, target, "KILL"); err != nil {
		return fmt.Errorf("kill container %s: %w", shortID(target), classify(err))
	}
	return nil
}

// Remove force-removes a container (killing it if it still runs) with its anonymous volumes.
// A container that does not exist counts as removed, so Remove is idempotent. A slot of a Swarm
// service cannot be removed alone (the error wraps ErrInvalidSpec): remove its run (RemoveRun).
func (r *Runtime) Remove(ctx context.Context, id string) error {
	if IsServiceLoader(id) {
		return fmt.Errorf("remove %s: %w: %w", id, ErrInvalidSpec, errNotAlone)
	}
	err := r.api.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !errors.Is(classify(err), ErrNotFound) {
		return fmt.Errorf("remove container %s: %w", shortID(id), classify(err))
	}
	return nil
}

// StopAndRemove stops gracefully (see Stop), then removes. It follows watchtower's order, so a
// loader gets its SIGTERM and can print its final summary before it disappears. A container
// that is already gone counts as success.
func (r *Runtime) StopAndRemove(ctx context.Context, id string, timeout time.Duration) error {
	if err := r.Stop(ctx, id, timeout); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return r.Remove(ctx, id)
}

// Filter narrows List.
type Filter struct {
	// RunID keeps only the loaders of one run; empty keeps every run.
	RunID string
	// All includes containers that are not running (created, exited, dead), as `docker ps -a`.
	All bool
}

// List returns the loader containers of this Runtime's scope, each inspected so that exit codes
// and times are filled in. A container removed between listing and inspecting is left out. On a
// swarm manager it also returns a Container for every loader slot of the scope's services (see
// slots.go), whatever the Runtime's mode, so that runs started in either mode are found again.
func (r *Runtime) List(ctx context.Context, f Filter) ([]Container, error) {
	out, err := r.listContainers(ctx, f)
	if err != nil {
		return nil, err
	}
	slots, err := r.listSlots(ctx, f)
	if err != nil {
		return nil, err
	}
	return append(out, slots...), nil
}

// listContainers returns the scope's loader containers, inspected.
func (r *Runtime) listContainers(ctx context.Context, f Filter) ([]Container, error) {
	args := filters.NewArgs(
		filters.Arg("label", labelFilter(LabelManaged, LabelManagedValue)),
		filters.Arg("label", labelFilter(LabelScope, r.scope)),
	)
	if f.RunID != "" {
		args.Add("label", labelFilter(LabelRunID, f.RunID))
	}
	summaries, err := r.api.ContainerList(ctx, container.ListOptions{All: f.All, Filters: args})
	if err != nil {
		return nil, fmt.Errorf("list loaders of scope %s: %w", r.scope, classify(err))
	}
	out := make([]Container, 0, len(summaries))
	for _, s := range summaries {
		c, err := r.Inspect(ctx, s.ID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list loaders of scope %s: %w", r.scope, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Inspect reports one container by ID (or name), or one slot of a Swarm service by its handle.
// It does not check the scope: the ID is the caller's, typically from List, Launch or Events.
func (r *Runtime) Inspect(ctx context.Context, id string) (Container, error) {
	if svcID, slot, ok := parseSlotID(id); ok {
		return r.inspectSlot(ctx, svcID, slot)
	}
	resp, err := r.api.ContainerInspect(ctx, id)
	if err != nil {
		return Container{}, fmt.Errorf("inspect container %s: %w", shortID(id), classify(err))
	}
	return fromInspect(resp), nil
}

// Wait blocks until the container is not running and returns its exit code. It returns at once
// for a container that has already exited. With a restart policy it returns at the first exit.
func (r *Runtime) Wait(ctx context.Context, id string) (int, error) {
	respc, errc := r.api.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	select {
	case resp := <-respc:
		if resp.Error != nil && resp.Error.Message != "" {
			return 0, fmt.Errorf("wait for container %s: %s", shortID(id), resp.Error.Message)
		}
		return int(resp.StatusCode), nil
	case err := <-errc:
		return 0, fmt.Errorf("wait for container %s: %w", shortID(id), classify(err))
	}
}

// fromInspect translates the SDK's inspect response into a Container.
func fromInspect(resp container.InspectResponse) Container {
	c := Container{ID: resp.ID, Name: strings.TrimPrefix(resp.Name, "/"), RestartCount: resp.RestartCount}
	if resp.Config != nil {
		c.Image, c.Labels, c.Env, c.User = resp.Config.Image, resp.Config.Labels, resp.Config.Env, resp.Config.User
	}
	c.RunID, c.Index, c.Kind = identity(c.Labels)
	if st := resp.State; st != nil {
		c.State = string(st.Status)
		c.ExitCode = st.ExitCode
		c.OOMKilled = st.OOMKilled
		c.StartedAt = parseEngineTime(st.StartedAt)
		c.FinishedAt = parseEngineTime(st.FinishedAt)
	}
	if hc := resp.HostConfig; hc != nil {
		c.Network = string(hc.NetworkMode)
		c.Confinement = confinementOf(hc, resp.Mounts)
		if hc.RestartPolicy.Name == container.RestartPolicyOnFailure {
			c.RestartOnFailure = hc.RestartPolicy.MaximumRetryCount
		}
	}
	return c
}

// confinementOf reads a container's confinement from its host config and mounts.
func confinementOf(hc *container.HostConfig, mounts []container.MountPoint) Confinement {
	c := Confinement{ReadOnlyRoot: hc.ReadonlyRootfs, CapDrop: hc.CapDrop, SecurityOpt: hc.SecurityOpt,
		Memory: hc.Memory, NanoCPUs: hc.NanoCPUs}
	if hc.PidsLimit != nil {
		c.PidsLimit = *hc.PidsLimit
	}
	for _, m := range mounts {
		if m.Type == mount.TypeVolume {
			c.Volumes = append(c.Volumes, m.Destination)
		}
	}
	return c
}

// identity reads run id, index and kind from ownership labels; index is -1 when unusable.
func identity(labels map[string]string) (runID string, index int, kind string) {
	index, err := strconv.Atoi(labels[LabelIndex])
	if err != nil || index < 0 {
		index = -1
	}
	return labels[LabelRunID], index, labels[LabelKind]
}

// parseEngineTime reads the engine's RFC 3339 times; its "never" (0001-01-01T00:00:00Z) and
// anything unparsable become the zero time.
func parseEngineTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}

// shortID shortens a container ID for error messages, as `docker ps` does.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
