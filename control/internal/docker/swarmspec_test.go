package docker

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/system"
)

func TestParseSlotID(t *testing.T) {
	tests := []struct {
		name    string
		id      string
		service string
		slot    int
		ok      bool
	}{
		{"a handle made by slotID", slotID("k2x9", 3), "k2x9", 3, true},
		{"a container ID is no handle", "0123456789abcdef", "", 0, false},
		{"a container name is no handle", "trafficinator-run-0-abc", "", 0, false},
		{"slot 0 does not exist", "swarm:k2x9:0", "", 0, false},
		{"no slot", "swarm:k2x9", "", 0, false},
		{"no service", "swarm::2", "", 0, false},
		{"a slot that is not a number", "swarm:k2x9:x", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, slot, ok := parseSlotID(tt.id)
			if svc != tt.service || slot != tt.slot || ok != tt.ok || IsServiceLoader(tt.id) != tt.ok {
				t.Errorf("parseSlotID(%q) = %q, %d, %v; want %q, %d, %v", tt.id, svc, slot, ok, tt.service, tt.slot, tt.ok)
			}
		})
	}
}

// onFailure is the restart policy Launch gives a service whose loaders may restart n times.
func onFailure(n uint64) *swarm.RestartPolicy {
	return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure, MaxAttempts: &n}
}

func TestSlotState(t *testing.T) {
	task := func(s swarm.TaskState) swarm.Task { return swarm.Task{Status: swarm.TaskStatus{State: s}} }
	tests := []struct {
		name       string
		task       swarm.Task
		failed     int
		policy     *swarm.RestartPolicy
		scaledAway bool
		want       string
	}{
		{"a task being scheduled", task(swarm.TaskStatePending), 0, onFailure(3), false, "created"},
		{"a running task", task(swarm.TaskStateRunning), 0, onFailure(3), false, "running"},
		{"a task that completed is not restarted on-failure", task(swarm.TaskStateComplete), 0, onFailure(3), false, "exited"},
		{"the first failure of three allowed restarts", task(swarm.TaskStateFailed), 1, onFailure(3), false, "restarting"},
		{"the third failure, the last restart still to come", task(swarm.TaskStateFailed), 3, onFailure(3), false, "restarting"},
		{"the fourth failure: Swarm gives up", task(swarm.TaskStateFailed), 4, onFailure(3), false, "exited"},
		{"no restart policy: a failure is final", task(swarm.TaskStateFailed), 1, &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}, false, "exited"},
		{"a task a node rejected (no image) counts as a failure", task(swarm.TaskStateRejected), 1, onFailure(1), false, "restarting"},
		{"a task on a lost node is started elsewhere", task(swarm.TaskStateOrphaned), 1, onFailure(3), false, "restarting"},
		{"a failed task of a stopped service is final", task(swarm.TaskStateFailed), 1, onFailure(3), true, "exited"},
		{"a task shut down by a stop is final", task(swarm.TaskStateShutdown), 0, onFailure(3), true, "exited"},
		{"a task shut down by a drain is replaced", task(swarm.TaskStateShutdown), 0, onFailure(3), false, "restarting"},
		{"a task being removed", task(swarm.TaskStateRemove), 0, onFailure(3), true, "removing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slotState(tt.task, tt.failed, tt.policy, tt.scaledAway); got != tt.want {
				t.Errorf("slotState = %q, want %q", got, tt.want)
			}
		})
	}
}

// A slot is described by its newest task; a slot without tasks is starting, unless the service
// was scaled below it; a task that failed without an exit code reports the engine's 125.
func TestSlotContainer(t *testing.T) {
	n := uint64(2)
	svc := swarm.Service{ID: "svc1", Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "trafficinator-r1",
		Labels: map[string]string{LabelRunID: "r1", LabelKind: KindBackfill, LabelLoaders: "2"}},
		TaskTemplate: swarm.TaskSpec{RestartPolicy: onFailure(3)},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}}}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(slot int, created time.Time, s swarm.TaskState, code int, msg string) swarm.Task {
		t := swarm.Task{Slot: slot, Status: swarm.TaskStatus{State: s, Err: msg, Timestamp: created}}
		t.CreatedAt = created
		if code >= 0 {
			t.Status.ContainerStatus = &swarm.ContainerStatus{ContainerID: "c", ExitCode: code}
		}
		return t
	}
	tasks := []swarm.Task{
		mk(2, at.Add(time.Second), swarm.TaskStateRejected, -1, "No such image"),
		mk(1, at.Add(time.Minute), swarm.TaskStateComplete, 0, ""),
		mk(1, at, swarm.TaskStateFailed, 1, "task: non-zero exit (1)"),
	}
	c, ok := slotContainer(svc, 1, slotTasks(tasks, 1))
	if !ok || c.State != "exited" || c.ExitCode != 0 || c.RestartCount != 1 || c.Index != 0 || c.RunID != "r1" || c.Kind != KindBackfill || !c.FinishedAt.Equal(at.Add(time.Minute)) || c.TaskContainer != "c" {
		t.Errorf("slot 1 (failed, then completed): %+v", c)
	}
	c, ok = slotContainer(svc, 2, slotTasks(tasks, 2))
	if !ok || c.State != "restarting" || c.ExitCode != exitEngineFailure || c.Error != "No such image" {
		t.Errorf("slot 2 (rejected): %+v", c)
	}
	if c, ok := slotContainer(svc, 2, nil); !ok || c.State != "created" {
		t.Errorf("slot 2 without tasks: %+v, %v; want created", c, ok)
	}
	zero := uint64(0)
	svc.Spec.Mode.Replicated.Replicas = &zero
	if _, ok := slotContainer(svc, 2, nil); ok {
		t.Errorf("a slot without tasks of a service scaled to zero is still there")
	}
	if loaderCount(svc) != 2 {
		t.Errorf("loaderCount of a stopped service = %d, want its label's 2", loaderCount(svc))
	}
}

// testRunSpec is a valid RunSpec of three loaders with a token and a content file.
func testRunSpec() RunSpec {
	return RunSpec{
		Loader: Spec{RunID: "r1", Kind: KindBackfill, Image: "img", Env: []string{"A=1"}, User: "65532:65532",
			DataDir: "/data", Network: "host", RestartOnFailure: 3, StopTimeout: 15 * time.Second,
			Memory: 1 << 30, NanoCPUs: 1e9, PidsLimit: 256,
			Files: []File{{Path: "/data/urls.txt", Data: []byte("u")}}},
		Loaders: 3, SlotEnv: "SHARD_SLOT",
		Secrets:   []File{{Path: "/data/secrets/token_auth", Mode: 0o400, UID: 65532, GID: 65532, Data: []byte("tok")}},
		Placement: []string{"node.labels.load==yes"},
		StateKey:  "k1",
	}
}

// The service of a run: one replica per loader, the slot in the environment, files as secrets
// and configs at their paths, the state on a volume per slot, the limits, placement and restart
// policy of the spec, and the ownership labels.
func TestServiceSpec(t *testing.T) {
	rs := testRunSpec()
	spec := rs.serviceSpec("sc", []swarmFile{{File: rs.Secrets[0], id: "s1", name: "n1"}},
		[]swarmFile{{File: rs.Loader.Files[0], id: "c1", name: "n2"}}, StateVolumes{})
	cs, task := spec.TaskTemplate.ContainerSpec, spec.TaskTemplate
	if *spec.Mode.Replicated.Replicas != 3 || spec.Labels[LabelLoaders] != "3" || spec.Labels[LabelScope] != "sc" ||
		spec.Labels[LabelRunID] != "r1" || spec.Labels[LabelState] != "k1" || spec.Labels[LabelManaged] != LabelManagedValue {
		t.Errorf("replicas %d, labels %v", *spec.Mode.Replicated.Replicas, spec.Labels)
	}
	if !slices.Equal(cs.Env, []string{"A=1", "SHARD_SLOT={{.Task.Slot}}"}) || cs.User != "65532:65532" || !cs.ReadOnly ||
		!slices.Equal(cs.CapabilityDrop, []string{"ALL"}) || *cs.StopGracePeriod != 15*time.Second || cs.Labels[LabelManaged] != "" {
		t.Errorf("container spec %+v", cs)
	}
	if s := cs.Secrets[0]; s.SecretID != "s1" || s.File.Name != "/data/secrets/token_auth" || s.File.UID != "65532" || s.File.Mode != 0o400 {
		t.Errorf("secret %+v %+v", s, s.File)
	}
	if c := cs.Configs[0]; c.ConfigID != "c1" || c.File.Name != "/data/urls.txt" || c.File.Mode != defaultConfigMode {
		t.Errorf("config %+v %+v", c, c.File)
	}
	data := cs.Mounts[len(cs.Mounts)-1]
	if data.Type != mount.TypeVolume || data.Source != "trafficinator-state-k1-{{.Task.Slot}}" || data.Target != "/data" ||
		data.VolumeOptions.Labels[LabelState] != "k1" || data.VolumeOptions.DriverConfig != nil {
		t.Errorf("data mount %+v", data)
	}
	if task.Resources.Limits.MemoryBytes != 1<<30 || task.Resources.Limits.NanoCPUs != 1e9 || task.Resources.Limits.Pids != 256 ||
		*task.RestartPolicy.MaxAttempts != 3 || task.RestartPolicy.Condition != swarm.RestartPolicyConditionOnFailure ||
		!slices.Equal(task.Placement.Constraints, rs.Placement) || task.Networks[0].Target != "host" {
		t.Errorf("task spec %+v", task)
	}
	// Shared state volumes take the configured driver; a live run's data directory is a volume of
	// each task's own.
	shared := StateVolumes{Driver: "local", Options: map[string]string{"type": "nfs"}}
	if m := rs.mounts("sc", shared); m[1].VolumeOptions.DriverConfig.Options["type"] != "nfs" {
		t.Errorf("shared state mount %+v", m[1].VolumeOptions)
	}
	rs.StateKey, rs.Loader.RestartOnFailure = "", 0
	if m := rs.mounts("sc", shared); m[1].Type != mount.TypeVolume || m[1].Source != "" || m[1].Target != "/data" || m[1].VolumeOptions.DriverConfig != nil {
		t.Errorf("live data mount %+v", m[1])
	}
	if p := restartPolicy(0); p.Condition != swarm.RestartPolicyConditionNone {
		t.Errorf("no restarts: %+v", p)
	}
}

func TestRunSpecValidate(t *testing.T) {
	tests := []struct {
		name   string
		mode   string
		change func(*RunSpec)
		want   string // in the error; "" for none
	}{
		{"a valid swarm run", ModeSwarm, func(*RunSpec) {}, ""},
		{"no loaders", ModeSwarm, func(rs *RunSpec) { rs.Loaders = 0 }, "at least 1"},
		{"a secret outside the data directory", ModeSwarm, func(rs *RunSpec) { rs.Secrets[0].Path = "/etc/token" }, "not in the data directory"},
		{"per-loader files on a swarm", ModeSwarm, func(rs *RunSpec) { rs.IndexFiles = map[int][]File{0: {{Path: "/data/x"}}} }, "share one spec"},
		{"a state key that is no volume name", ModeSwarm, func(rs *RunSpec) { rs.StateKey = "../x" }, "state key"},
		{"a secret larger than Swarm takes", ModeSwarm, func(rs *RunSpec) { rs.Secrets[0].Data = make([]byte, MaxSecretBytes+1) }, "secret"},
		{"a file larger than a Swarm config", ModeSwarm, func(rs *RunSpec) { rs.Loader.Files[0].Data = make([]byte, MaxConfigBytes+1) }, "Swarm config"},
		{"placement without a swarm", ModeContainers, func(rs *RunSpec) { rs.StateKey = "" }, "need a swarm"},
		{"containers with files per loader", ModeContainers, func(rs *RunSpec) {
			rs.Placement, rs.StateKey, rs.IndexFiles = nil, "", map[int][]File{2: {{Path: "/data/backfill-state.json"}}}
		}, ""},
		{"files for a loader the run does not have", ModeContainers, func(rs *RunSpec) {
			rs.Placement, rs.StateKey, rs.IndexFiles = nil, "", map[int][]File{3: {{Path: "/data/x"}}}
		}, "loader 3 of 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := testRunSpec()
			tt.change(&rs)
			err := rs.validate(tt.mode)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want ErrInvalidSpec about %q", err, tt.want)
			}
		})
	}
}

// fakeInfo is an engine that answers Info only.
type fakeInfo struct {
	engine
	swarmEngine
	info system.Info
	err  error
}

func (f fakeInfo) Info(context.Context) (system.Info, error) { return f.info, f.err }

func TestDetectMode(t *testing.T) {
	manager := system.Info{Swarm: swarm.Info{LocalNodeState: swarm.LocalNodeStateActive, ControlAvailable: true}}
	worker := system.Info{Swarm: swarm.Info{LocalNodeState: swarm.LocalNodeStateActive}}
	tests := []struct {
		name      string
		info      system.Info
		requested string
		want      string
		wantErr   error
	}{
		{"auto on a plain engine: containers", system.Info{}, RuntimeAuto, ModeContainers, nil},
		{"auto on a swarm manager: swarm", manager, RuntimeAuto, ModeSwarm, nil},
		{"auto on a swarm worker: containers (a worker cannot make services)", worker, RuntimeAuto, ModeContainers, nil},
		{"docker forced on a manager: containers", manager, RuntimeDocker, ModeContainers, nil},
		{"swarm forced on a manager", manager, RuntimeSwarm, ModeSwarm, nil},
		{"swarm forced on a plain engine: refused", system.Info{}, RuntimeSwarm, "", ErrNotManager},
		{"an unknown runtime", manager, "kubernetes", "", ErrInvalidSpec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mode, _, err := detectMode(t.Context(), fakeInfo{info: tt.info}, tt.requested)
			if mode != tt.want || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("detectMode = %q, %v; want %q, %v", mode, err, tt.want, tt.wantErr)
			}
		})
	}
}
