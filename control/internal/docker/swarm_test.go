package docker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/volume"
)

// fakeRunSpec is a RunSpec of n fakeloaders on a swarm, each greeting with its slot.
func fakeRunSpec(t *testing.T, rt *Runtime, runID string, n int, env ...string) RunSpec {
	t.Helper()
	l := fakeSpec(t, rt, runID, 0, env...)
	l.User, l.DataDir, l.Network = "65532:65532", "/data", "host"
	return RunSpec{Loader: l, Loaders: n, SlotEnv: "FAKE_GREETING"}
}

// A run of 3 loaders on a swarm is one service of 3 replicas: each task gets its slot in the
// environment, its token from a Swarm secret and its other files from Swarm configs, at the paths
// a container gets them; the token is nowhere in the service's spec. Stopping a slot scales the
// service to zero and a follower of its log still reads the task's last lines. RemoveRun leaves
// nothing of the run.
func TestSwarmServiceRunsLoaders(t *testing.T) {
	rt := swarmRuntime(t)
	const token = "swarm-secret-0123456789abcdef"
	rs := fakeRunSpec(t, rt, "run-svc", 3, "FAKE_WAIT=true", "FAKE_FILE=/data/secrets/token,/data/funnels.json",
		"FAKE_WRITE=/data/x,/tmp/x,/x")
	rs.Secrets = []File{{Path: "/data/secrets/token", Mode: 0o400, UID: 65532, GID: 65532, Data: []byte(token)}}
	rs.Loader.Files = []File{{Path: "/data/funnels.json", Data: []byte(`{"funnels":[]}`)}}
	rs.Loader.Memory, rs.Loader.NanoCPUs, rs.Loader.PidsLimit = 128<<20, 500_000_000, 64
	rs.Placement = []string{"node.role==manager"}
	loaders, err := rt.Launch(t.Context(), rs)
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if len(loaders) != 3 {
		t.Fatalf("Launch returned %d loaders, want 3", len(loaders))
	}
	for i, c := range loaders {
		if !IsServiceLoader(c.ID) || c.Index != i || c.RunID != "run-svc" || c.Kind != KindLive {
			t.Errorf("loader %d: %+v", i, c)
		}
		waitSlot(t, rt, c.ID, "running", func(c Container, err error) bool { return err == nil && c.State == "running" })
		followUntil(t, rt, c.ID, "waiting")
		checkSlotFiles(t, rt, c, map[string]string{"/data/secrets/token": token, "/data/funnels.json": `{"funnels":[]}`},
			map[string]string{"/data/x": "ok", "/tmp/x": "ok", "/x": "read-only file system"})
	}
	checkServiceSpec(t, rt, "run-svc", token)
	if running, err := rt.List(t.Context(), Filter{RunID: "run-svc"}); err != nil || len(running) != 3 {
		t.Errorf("List = %d loaders, %v; want 3 running", len(running), err)
	}

	followed := make(chan []LogLine, 1)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	go func() {
		got, _ := collect(rt.Logs(ctx, loaders[0].ID, LogOptions{Follow: true}))
		followed <- got
	}()
	if err := rt.Stop(t.Context(), loaders[1].ID, 10*time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for _, c := range loaders {
		waitSlot(t, rt, c.ID, "stopped", func(c Container, err error) bool {
			return errors.Is(err, ErrNotFound) || err == nil && c.State == "exited"
		})
	}
	if got := <-followed; !slices.ContainsFunc(got, func(l LogLine) bool { return l.Text == "stopping" }) {
		t.Errorf("the follower of slot 1 did not read its last line %q: %v", "stopping", got)
	}
	if err := rt.RemoveRun(t.Context(), "run-svc"); err != nil {
		t.Fatalf("RemoveRun: %v", err)
	}
	checkNothingLeft(t, rt, "run-svc")
	// The tasks' own data volumes went with them.
	args := filters.NewArgs(filters.Arg("label", labelFilter(LabelRunID, "run-svc")), filters.Arg("label", labelFilter(LabelScope, rt.scope)))
	waitSlot(t, rt, loaders[0].ID, "the tasks' volumes to go", func(Container, error) bool {
		vols, err := swarmClient(rt).VolumeList(t.Context(), volume.ListOptions{Filters: args})
		return err == nil && len(vols.Volumes) == 0
	})
}

// checkSlotFiles checks the files a slot's task read and wrote, and its greeting: its slot.
func checkSlotFiles(t *testing.T, rt *Runtime, c Container, want, writes map[string]string) {
	t.Helper()
	for _, rec := range slotRecords(t, rt, c.ID) {
		switch rec["event"] {
		case "hello":
			if rec["greeting"] != fmt.Sprint(c.Index+1) {
				t.Errorf("loader %d greets with slot %v, want %d", c.Index, rec["greeting"], c.Index+1)
			}
		case "file":
			path, _ := rec["path"].(string)
			if rec["content"] != want[path] {
				t.Errorf("loader %d read %s: %v", c.Index, path, rec)
			}
			delete(want, path)
		case "write":
			path, _ := rec["path"].(string)
			if result, _ := rec["result"].(string); !strings.Contains(result, writes[path]) {
				t.Errorf("loader %d wrote %s: %q, want %q", c.Index, path, result, writes[path])
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("loader %d did not read %v", c.Index, want)
	}
}

// checkServiceSpec checks the service as the engine shows it (`docker service inspect`).
func checkServiceSpec(t *testing.T, rt *Runtime, runID, token string) {
	t.Helper()
	api := swarmClient(rt)
	services, err := api.ServiceList(t.Context(), swarm.ServiceListOptions{Filters: rt.serviceFilters(runID)})
	if err != nil || len(services) != 1 {
		t.Fatalf("services of the run: %d, %v; want 1", len(services), err)
	}
	_, raw, err := api.ServiceInspectWithRaw(t.Context(), services[0].ID, swarm.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), token) {
		t.Errorf("the token is in `docker service inspect`")
	}
	spec := services[0].Spec
	cs := spec.TaskTemplate.ContainerSpec
	lim := spec.TaskTemplate.Resources.Limits
	if spec.Labels[LabelScope] != rt.scope || spec.Labels[LabelLoaders] != "3" || len(cs.Secrets) != 1 || len(cs.Configs) != 1 ||
		!cs.ReadOnly || lim.MemoryBytes != 128<<20 || lim.Pids != 64 || !slices.Equal(spec.TaskTemplate.Placement.Constraints, []string{"node.role==manager"}) {
		t.Errorf("service spec: labels %v, %d secrets, %d configs, read-only %v, limits %+v, placement %+v",
			spec.Labels, len(cs.Secrets), len(cs.Configs), cs.ReadOnly, lim, spec.TaskTemplate.Placement)
	}
}

// checkNothingLeft checks that a run has no service, secret or config left.
func checkNothingLeft(t *testing.T, rt *Runtime, runID string) {
	t.Helper()
	api, args := swarmClient(rt), rt.serviceFilters(runID)
	services, err1 := api.ServiceList(t.Context(), swarm.ServiceListOptions{Filters: args})
	secrets, err2 := api.SecretList(t.Context(), swarm.SecretListOptions{Filters: args})
	configs, err3 := api.ConfigList(t.Context(), swarm.ConfigListOptions{Filters: args})
	if len(services)+len(secrets)+len(configs) > 0 || errors.Join(err1, err2, err3) != nil {
		t.Errorf("left behind: %d services, %d secrets, %d configs (%v)", len(services), len(secrets), len(configs), errors.Join(err1, err2, err3))
	}
}

// A slot whose task fails is started again by Swarm in the same slot, with the same state volume,
// until the restart policy is used up; Inspect reports the slot restarting meanwhile and its final
// exit once Swarm gives up or the task succeeds, and Logs reads every task of the slot in order.
func TestSwarmRestartKeepsSlotState(t *testing.T) {
	rt := swarmRuntime(t)
	tests := []struct {
		name      string
		failUntil int   // the fakeloader exits 1 while its counter is below this
		restarts  int   // Swarm's restart attempts
		wantCode  int   // the slot's final exit code
		wantCount []any // the counter values the slot's tasks printed, in order
	}{
		// Two failures, then success within three restarts: the third task finds the count of two.
		{"succeeds on the third task", 3, 3, 0, []any{1.0, 2.0, 3.0}},
		// Swarm gives up after one restart: the slot ends with the task's exit code.
		{"fails for good", 10, 1, 1, []any{1.0, 2.0}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runID := fmt.Sprintf("run-restart-%d", i)
			rs := fakeRunSpec(t, rt, runID, 2, "FAKE_COUNTER=/data/counter", fmt.Sprintf("FAKE_FAIL_UNTIL=%d", tt.failUntil))
			rs.Loader.Kind, rs.Loader.RestartOnFailure, rs.StateKey = KindBackfill, tt.restarts, "test-"+randomHex(6)
			loaders, err := rt.Launch(t.Context(), rs)
			if err != nil {
				t.Fatalf("Launch: %v", err)
			}
			for _, l := range loaders {
				c := waitSlot(t, rt, l.ID, "its end", func(c Container, err error) bool { return err == nil && c.State == "exited" })
				if c.ExitCode != tt.wantCode || c.RestartCount != len(tt.wantCount)-1 {
					t.Errorf("slot %d: exit code %d after %d restarts; want %d after %d (%q)", c.Index+1, c.ExitCode, c.RestartCount, tt.wantCode, len(tt.wantCount)-1, c.Error)
				}
				var counts []any
				for _, rec := range slotRecords(t, rt, l.ID) {
					if rec["event"] == "counter" {
						counts = append(counts, rec["value"])
					}
				}
				if !slices.Equal(counts, tt.wantCount) {
					t.Errorf("slot %d counted %v, want %v", c.Index+1, counts, tt.wantCount)
				}
			}
			checkStateVolumes(t, rt, runID, rs.StateKey, 2)
		})
	}
}

// checkStateVolumes removes a finished run and checks that its n state volumes stay until
// RemoveState.
func checkStateVolumes(t *testing.T, rt *Runtime, runID, key string, n int) {
	t.Helper()
	if err := rt.RemoveRun(t.Context(), runID); err != nil {
		t.Fatalf("RemoveRun: %v", err)
	}
	checkNothingLeft(t, rt, runID)
	api := swarmClient(rt)
	args := filters.NewArgs(filters.Arg("label", labelFilter(LabelState, key)))
	vols, err := api.VolumeList(t.Context(), volume.ListOptions{Filters: args})
	if err != nil || len(vols.Volumes) != n {
		t.Fatalf("state volumes after RemoveRun: %d, %v; want %d", len(vols.Volumes), err, n)
	}
	for slot := 1; slot <= n; slot++ {
		name := stateVolume(key, fmt.Sprint(slot))
		if !slices.ContainsFunc(vols.Volumes, func(v *volume.Volume) bool { return v.Name == name }) {
			t.Errorf("no state volume %s", name)
		}
	}
	if err := rt.RemoveState(t.Context(), key); err != nil {
		t.Fatalf("RemoveState: %v", err)
	}
	if vols, err := api.VolumeList(t.Context(), volume.ListOptions{Filters: args}); err != nil || len(vols.Volumes) != 0 {
		t.Errorf("state volumes after RemoveState: %d, %v", len(vols.Volumes), err)
	}
}
