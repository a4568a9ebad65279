package runs

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// swarmEnv is a service on a fake engine that runs loaders as the slots of Swarm services.
func swarmEnv(t *testing.T, p docker.Platform) (*fakeRuntime, *Service) {
	t.Helper()
	rt := newFakeRuntime()
	p.Mode = docker.ModeSwarm
	rt.platform = p
	return rt, newEnv(t, rt, Options{}).start(t)
}

// How a run is planned depends on where its loaders run: a Docker Swarm runs a sharded backfill,
// keeps its state on volumes of its own key and pins its window; placement is for a swarm only,
// and on a swarm of several nodes a backfill needs its state reachable from every node.
func TestSwarmPlan(t *testing.T) {
	today := func() *config.Config {
		c := backfillConfig()
		back, days := 2, 3 // the day before yesterday to today
		c.BackfillDaysBack, c.BackfillDuration = &back, &days
		return c
	}
	tests := []struct {
		name     string
		platform docker.Platform // Mode "" is containers
		req      StartRequest
		bad      string // the field of the one problem expected; "" to start
	}{
		{"a sharded live run on a swarm", docker.Platform{Mode: docker.ModeSwarm, Nodes: 1},
			StartRequest{Config: liveConfig(), Loaders: 3, Placement: []string{"node.role==worker"}}, ""},
		{"a sharded backfill on a swarm", docker.Platform{Mode: docker.ModeSwarm, Nodes: 1},
			StartRequest{Config: backfillConfig(), Loaders: 3}, ""},
		{"a sharded backfill as containers", docker.Platform{},
			StartRequest{Config: backfillConfig(), Loaders: 3}, "loaders"},
		{"placement without a swarm", docker.Platform{},
			StartRequest{Config: liveConfig(), Placement: []string{"node.role==worker"}}, "placement"},
		{"a placement Swarm would not take", docker.Platform{Mode: docker.ModeSwarm},
			StartRequest{Config: liveConfig(), Placement: []string{"role = worker"}}, "placement[0]"},
		{"a sharded backfill that ends today", docker.Platform{Mode: docker.ModeSwarm, Nodes: 1},
			StartRequest{Config: today(), Loaders: 3}, "BACKFILL_END_DATE"},
		{"one loader may backfill today", docker.Platform{Mode: docker.ModeSwarm, Nodes: 1},
			StartRequest{Config: today(), Loaders: 1}, ""},
		{"a backfill on three nodes with local volumes", docker.Platform{Mode: docker.ModeSwarm, Nodes: 3},
			StartRequest{Config: backfillConfig(), Loaders: 3}, "placement"},
		{"a backfill on three nodes, pinned to one", docker.Platform{Mode: docker.ModeSwarm, Nodes: 3},
			StartRequest{Config: backfillConfig(), Loaders: 3, Placement: []string{"node.hostname==load-1"}}, ""},
		{"a backfill on three nodes with shared volumes", docker.Platform{Mode: docker.ModeSwarm, Nodes: 3, SharedState: true},
			StartRequest{Config: backfillConfig(), Loaders: 3}, ""},
		{"a live run on three nodes needs no state", docker.Platform{Mode: docker.ModeSwarm, Nodes: 3},
			StartRequest{Config: liveConfig(), Loaders: 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newFakeRuntime()
			rt.platform = tt.platform
			svc := newEnv(t, rt, Options{}).start(t)
			_, err := svc.Start(t.Context(), tt.req)
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("Start: %v", err)
				}
				return
			}
			var ps config.Problems
			if !errors.As(err, &ps) || !errors.Is(err, ErrInvalid) || !slices.ContainsFunc(ps, func(p config.Problem) bool { return p.Field == tt.bad }) {
				t.Fatalf("Start: %v; want a problem about %s", err, tt.bad)
			}
			if len(rt.runSpecs) > 0 {
				t.Errorf("a refused run launched loaders")
			}
		})
	}
}

// A sharded backfill on a swarm is one service of a replica per shard: each takes its shard from
// its slot, keeps its state file on its slot's volume of the run's state key, is restarted by
// Swarm when it fails (it resumes from its state), and plans the absolute days its window stood
// for when the run started.
func TestSwarmBackfillSpec(t *testing.T) {
	rt, svc := swarmEnv(t, docker.Platform{Nodes: 1})
	v, err := svc.Start(t.Context(), StartRequest{Config: backfillConfig(), Loaders: 3, Placement: []string{"node.labels.load==yes"}})
	if err != nil {
		t.Fatal(err)
	}
	rs := rt.runSpecs[0]
	key := rs.StateKey
	if key == "" || rs.Loaders != 3 || rs.SlotEnv != config.EnvShardSlot || !slices.Equal(rs.Placement, []string{"node.labels.load==yes"}) ||
		rs.Loader.RestartOnFailure != DefaultRestartRetries || rs.Loader.Kind != docker.KindBackfill || len(rs.IndexFiles) != 0 {
		t.Fatalf("run spec %+v", rs)
	}
	cet, err := time.LoadLocation("CET") // backfillConfig's time zone: 5 days back, 3 days
	if err != nil {
		t.Fatal(err)
	}
	wantStart := time.Now().In(cet).AddDate(0, 0, -5).Format(config.DateLayout)
	for _, kv := range []string{"BACKFILL_STATE_FILE=/data/" + key + "/backfill-state-{shard}.json", "SHARD_COUNT=3", "BACKFILL_START_DATE=" + wantStart} {
		if !slices.Contains(rs.Loader.Env, kv) {
			t.Errorf("env lacks %s", kv)
		}
	}
	if slices.ContainsFunc(rs.Loader.Env, func(kv string) bool { return strings.HasPrefix(kv, "BACKFILL_DAYS_BACK=") }) {
		t.Errorf("the relative window is still in the env")
	}
	if v.Runtime != docker.ModeSwarm || !slices.Equal(v.Placement, []string{"node.labels.load==yes"}) {
		t.Errorf("view runtime %q placement %v", v.Runtime, v.Placement)
	}
}

// A swarm backfill is resumed on its own state: the same key, loaders and placement; nothing is
// copied out of or into containers. Its state volumes go when the last run that uses them is
// deleted.
func TestSwarmResumeAndDelete(t *testing.T) {
	rt, svc := swarmEnv(t, docker.Platform{Nodes: 1})
	first, err := svc.Start(t.Context(), StartRequest{Config: backfillConfig(), Loaders: 2, Placement: []string{"node.role==worker"}})
	if err != nil {
		t.Fatal(err)
	}
	key := rt.runSpecs[0].StateKey
	for i := range 2 {
		rt.setState(containerOf(t, rt, first.ID, i), "exited", 1)
	}
	waitState(t, svc, first.ID, store.StateFailed)
	next, err := svc.Restart(t.Context(), first.ID)
	if err != nil {
		t.Fatalf("Restart: %v", err)
	}
	rs := rt.runSpecs[1]
	if rs.StateKey != key || rs.Loaders != 2 || !slices.Equal(rs.Placement, []string{"node.role==worker"}) || len(rs.IndexFiles) != 0 {
		t.Errorf("resumed run spec: key %q (want %q), %d loaders, placement %v, %d checkpoint files", rs.StateKey, key, rs.Loaders, rs.Placement, len(rs.IndexFiles))
	}
	if _, err := svc.Start(t.Context(), StartRequest{ResumeOf: first.ID, Loaders: 3}); !errors.Is(err, ErrInvalid) {
		t.Errorf("resuming 2 shards as 3: %v, want ErrInvalid", err)
	}
	if _, err := svc.Stop(t.Context(), next.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.Delete(t.Context(), first.ID); err != nil {
		t.Fatal(err)
	}
	if len(rt.states) != 0 {
		t.Fatalf("state %v removed while the resumed run still uses it", rt.states)
	}
	if err := svc.Delete(t.Context(), next.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rt.states, []string{key}) {
		t.Errorf("state removed: %v, want [%s]", rt.states, key)
	}
}

// A backfill is resumed where its state is: a swarm's on a swarm, a container's checkpoint with
// containers.
func TestResumeAcrossRuntimesRefused(t *testing.T) {
	rt, svc := swarmEnv(t, docker.Platform{Nodes: 1})
	v, err := svc.Start(t.Context(), StartRequest{Config: backfillConfig()})
	if err != nil {
		t.Fatal(err)
	}
	rt.setState(containerOf(t, rt, v.ID, 0), "exited", 1)
	waitState(t, svc, v.ID, store.StateFailed)
	svc.platform = docker.Platform{Mode: docker.ModeContainers}
	if _, err := svc.Start(t.Context(), StartRequest{ResumeOf: v.ID}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Swarm") {
		t.Errorf("resuming a swarm backfill as containers: %v, want ErrInvalid", err)
	}
}

// dayOf is a shard's record of one backfill day.
func dayOf(date string, planned, sent int64, done bool, skipped string) *report.Day {
	return &report.Day{Date: date, Target: "default", Planned: planned, Sent: sent, Tracked: sent, Done: done, Skipped: skipped}
}

// A run's record of a backfill day sums its shards' records, and is done once every shard is.
func TestSumDay(t *testing.T) {
	type rec struct {
		loader int
		day    *report.Day
	}
	tests := []struct {
		name        string
		loaders     int
		recs        []rec
		wantSent    int64
		wantPlanned int64
		wantDone    bool
		wantSkipped string
	}{
		{"one loader's record is the run's", 1, []rec{{0, dayOf("2025-01-01", 50, 50, true, "")}}, 50, 50, true, ""},
		{"two of three shards done: not done yet", 3, []rec{{0, dayOf("2025-01-01", 17, 17, true, "")}, {2, dayOf("2025-01-01", 16, 16, true, "")}}, 33, 33, false, ""},
		{"all three shards done: exact", 3, []rec{{0, dayOf("2025-01-01", 17, 17, true, "")}, {1, dayOf("2025-01-01", 17, 17, true, "")},
			{2, dayOf("2025-01-01", 16, 16, true, "")}}, 50, 50, true, ""},
		{"a restarted shard's record replaces its earlier one", 2, []rec{{0, dayOf("2025-01-01", 25, 10, false, "")},
			{0, dayOf("2025-01-01", 25, 25, true, "")}, {1, dayOf("2025-01-01", 25, 25, true, "")}}, 50, 50, true, ""},
		{"skipped only when every shard skipped", 2, []rec{{0, dayOf("2025-01-01", 25, 25, true, "already_complete")},
			{1, dayOf("2025-01-01", 25, 25, true, "")}}, 50, 50, true, ""},
		{"every shard skipped it", 2, []rec{{0, dayOf("2025-01-01", 25, 25, true, "already_complete")},
			{1, dayOf("2025-01-01", 25, 25, true, "already_complete")}}, 50, 50, true, "already_complete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newLiveRun(t.Context(), "r", ModeBackfill, tt.loaders, config.Default())
			var got *report.Day
			for _, x := range tt.recs {
				got = r.sumDayLocked(x.loader, x.day)
			}
			if got.Sent != tt.wantSent || got.Planned != tt.wantPlanned || got.Tracked != tt.wantSent || got.Done != tt.wantDone || got.Skipped != tt.wantSkipped {
				t.Errorf("day %+v; want sent %d of %d, done %v, skipped %q", got, tt.wantSent, tt.wantPlanned, tt.wantDone, tt.wantSkipped)
			}
		})
	}
}
