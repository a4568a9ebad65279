package docker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
)

// A loader of a swarm run is a slot of its service, not a container: Swarm replaces a failed task
// with a new one (a new container, perhaps on another node) in the same slot. Its handle,
// "swarm:<service id>:<slot>", stands where a container ID stands for a container: Inspect, Logs
// and Stop take it, List and Launch return it. Container names cannot contain ':', so the two never
// mix up.
const slotPrefix = "swarm:"

// slotID is the handle of a slot of a service.
func slotID(serviceID string, slot int) string {
	return slotPrefix + serviceID + ":" + strconv.Itoa(slot)
}

// parseSlotID splits a slot handle; ok is false for anything else (a container ID or name).
func parseSlotID(id string) (serviceID string, slot int, ok bool) {
	rest, found := strings.CutPrefix(id, slotPrefix)
	if !found {
		return "", 0, false
	}
	serviceID, n, found := strings.Cut(rest, ":")
	slot, err := strconv.Atoi(n)
	if !found || serviceID == "" || err != nil || slot < 1 {
		return "", 0, false
	}
	return serviceID, slot, true
}

// IsServiceLoader reports whether a loader ID is the handle of a slot of a Swarm service rather than
// a container ID: such a loader's state lives on its service's volumes, and it cannot be copied out
// of or removed alone.
func IsServiceLoader(id string) bool {
	_, _, ok := parseSlotID(id)
	return ok
}

// exitEngineFailure is the exit code reported for a task that failed without a process exit code
// (the node rejected it, e.g. for a missing image, or the node was lost): 125, as `docker run`
// reports a failure of the engine rather than of the program.
const exitEngineFailure = 125

// slotTasks returns the tasks of one slot, oldest first.
func slotTasks(tasks []swarm.Task, slot int) []swarm.Task {
	var out []swarm.Task
	for _, t := range tasks {
		if t.Slot == slot {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b swarm.Task) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Version.Index, b.Version.Index)
	})
	return out
}

// loaderCount is the number of loaders a service was created with (LabelLoaders), else its replicas.
func loaderCount(svc swarm.Service) int {
	if n, err := strconv.Atoi(svc.Spec.Labels[LabelLoaders]); err == nil && n > 0 {
		return n
	}
	return replicas(svc)
}

// replicas is the service's current number of replicas.
func replicas(svc swarm.Service) int {
	if m := svc.Spec.Mode.Replicated; m != nil && m.Replicas != nil {
		return int(*m.Replicas)
	}
	return 0
}

// slotContainer describes a slot of a service from its tasks (oldest first), as a Container whose
// state is the newest task's. ok is false when the slot has no task and the service was scaled
// below it: the slot's loader is gone (stopped, or never to start).
func slotContainer(svc swarm.Service, slot int, tasks []swarm.Task) (Container, bool) {
	spec := svc.Spec.TaskTemplate.ContainerSpec
	c := Container{ID: slotID(svc.ID, slot), Name: svc.Spec.Name + "." + strconv.Itoa(slot), Labels: svc.Spec.Labels,
		RunID: svc.Spec.Labels[LabelRunID], Index: slot - 1, Kind: svc.Spec.Labels[LabelKind]}
	if spec != nil {
		c.Image, c.Env, c.User = spec.Image, spec.Env, spec.User
		c.Confinement = Confinement{ReadOnlyRoot: spec.ReadOnly, CapDrop: spec.CapabilityDrop}
	}
	if res := svc.Spec.TaskTemplate.Resources; res != nil && res.Limits != nil {
		c.Confinement.Memory, c.Confinement.NanoCPUs, c.Confinement.PidsLimit = res.Limits.MemoryBytes, res.Limits.NanoCPUs, res.Limits.Pids
	}
	if nets := svc.Spec.TaskTemplate.Networks; len(nets) > 0 {
		c.Network = nets[0].Target
	}
	policy := svc.Spec.TaskTemplate.RestartPolicy
	if policy != nil && policy.Condition == swarm.RestartPolicyConditionOnFailure && policy.MaxAttempts != nil {
		c.RestartOnFailure = int(*policy.MaxAttempts)
	}
	scaledAway := slot > replicas(svc)
	if len(tasks) == 0 {
		c.State = "created"
		return c, !scaledAway
	}
	t := tasks[len(tasks)-1]
	c.RestartCount = len(tasks) - 1
	c.State = slotState(t, failures(tasks), policy, scaledAway)
	c.Error = t.Status.Err
	if cs := t.Status.ContainerStatus; cs != nil {
		c.ExitCode, c.TaskContainer = cs.ExitCode, cs.ContainerID
	}
	if failedState(t.Status.State) && c.ExitCode == 0 {
		c.ExitCode = exitEngineFailure
	}
	switch c.State {
	case "running":
		c.StartedAt = t.Status.Timestamp
	case "exited", "dead":
		c.FinishedAt = t.Status.Timestamp
	}
	return c, true
}

// failedState reports the task states that end a task in failure.
func failedState(s swarm.TaskState) bool {
	return s == swarm.TaskStateFailed || s == swarm.TaskStateRejected || s == swarm.TaskStateOrphaned
}

// failures counts a slot's tasks that failed: the restarts Swarm has made (or will make) for it.
func failures(tasks []swarm.Task) int {
	n := 0
	for _, t := range tasks {
		if failedState(t.Status.State) {
			n++
		}
	}
	return n
}

// slotState maps a slot's newest task onto the container states the caller knows: "created" before
// it runs, "running", "restarting" when it ended and Swarm will start a new task in the slot
// (the restart policy allows another attempt, or the task was shut down on a node that left while
// the slot is still wanted), "exited" when the slot's loader has ended for good, "removing" while
// Swarm removes it.
func slotState(t swarm.Task, failed int, policy *swarm.RestartPolicy, scaledAway bool) string {
	switch s := t.Status.State; {
	case s == swarm.TaskStateRunning:
		return "running"
	case s == swarm.TaskStateRemove:
		return "removing"
	case s == swarm.TaskStateComplete:
		if !scaledAway && policy != nil && policy.Condition == swarm.RestartPolicyConditionAny {
			return "restarting"
		}
		return "exited"
	case s == swarm.TaskStateShutdown:
		if scaledAway {
			return "exited"
		}
		return "restarting"
	case failedState(s):
		if !scaledAway && restartAllowed(policy, failed) {
			return "restarting"
		}
		return "exited"
	}
	return "created"
}

// restartAllowed reports whether Swarm restarts a slot whose tasks failed failed times: its
// condition is on-failure or any, and MaxAttempts (0: no bound) is not used up.
func restartAllowed(policy *swarm.RestartPolicy, failed int) bool {
	if policy == nil || policy.Condition == swarm.RestartPolicyConditionNone {
		return false
	}
	if policy.MaxAttempts == nil || *policy.MaxAttempts == 0 {
		return true
	}
	return uint64(failed) <= *policy.MaxAttempts
}

// serviceFilters selects the services of this scope, optionally of one run.
func (r *Runtime) serviceFilters(runID string) filters.Args {
	args := filters.NewArgs(
		filters.Arg("label", labelFilter(LabelManaged, LabelManagedValue)),
		filters.Arg("label", labelFilter(LabelScope, r.scope)),
	)
	if runID != "" {
		args.Add("label", labelFilter(LabelRunID, runID))
	}
	return args
}

// listSlots returns a Container per loader slot of this scope's services (running ones only
// unless f.All).
func (r *Runtime) listSlots(ctx context.Context, f Filter) ([]Container, error) {
	sw, err := r.swarmAPI()
	if err != nil {
		return nil, nil // no swarm: no services
	}
	services, err := sw.ServiceList(ctx, swarm.ServiceListOptions{Filters: r.serviceFilters(f.RunID)})
	if err != nil {
		return nil, fmt.Errorf("list loader services of scope %s: %w", r.scope, classify(err))
	}
	var out []Container
	for _, svc := range services {
		tasks, err := sw.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", svc.ID))})
		if err != nil {
			return nil, fmt.Errorf("list tasks of service %s: %w", svc.Spec.Name, classify(err))
		}
		for slot := 1; slot <= loaderCount(svc); slot++ {
			c, _ := slotContainer(svc, slot, slotTasks(tasks, slot))
			if f.All || c.State == "running" {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// inspectSlot reports one slot of a service; ErrNotFound when the service is gone or the slot
// was scaled away with its tasks.
func (r *Runtime) inspectSlot(ctx context.Context, serviceID string, slot int) (Container, error) {
	svc, tasks, err := r.serviceTasks(ctx, serviceID)
	if err != nil {
		return Container{}, err
	}
	c, ok := slotContainer(svc, slot, slotTasks(tasks, slot))
	if !ok {
		return Container{}, fmt.Errorf("slot %d of service %s: %w: it was scaled away", slot, svc.Spec.Name, ErrNotFound)
	}
	return c, nil
}

// serviceTasks inspects a service and lists its tasks.
func (r *Runtime) serviceTasks(ctx context.Context, serviceID string) (swarm.Service, []swarm.Task, error) {
	sw, err := r.swarmAPI()
	if err != nil {
		return swarm.Service{}, nil, fmt.Errorf("service %s: %w", serviceID, err)
	}
	svc, _, err := sw.ServiceInspectWithRaw(ctx, serviceID, swarm.ServiceInspectOptions{})
	if err != nil {
		return swarm.Service{}, nil, fmt.Errorf("inspect service %s: %w", serviceID, classify(err))
	}
	tasks, err := sw.TaskList(ctx, swarm.TaskListOptions{Filters: filters.NewArgs(filters.Arg("service", serviceID))})
	if err != nil {
		return swarm.Service{}, nil, fmt.Errorf("list tasks of service %s: %w", svc.Spec.Name, classify(err))
	}
	return svc, tasks, nil
}

// errNotAlone is returned for operations on one slot that Swarm only offers for a whole service.
var errNotAlone = errors.New("a replica of a Swarm service cannot be removed or copied out of alone")
