package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// TestSwarmRuns drives real loaders as the replicas of Swarm services on a single-node swarm
// (made by the test when the engine has none), against a matomo-sink container; services and sink
// are on the host network, with traffic on 127.0.0.1 only.
func TestSwarmRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the Docker Engine; skipped with -short")
	}
	scope := "test-swarm-runs-" + dockertest.RandomHex(4)
	rt := dockertest.SwarmRuntime(t, scope)
	sinkRT := dockertest.Runtime(t, scope+"-sink") // a container of another scope
	loaderImage, sinkImage := images.Get(t, sinkRT)
	f := newDockerFixture(t, rt, sinkRT, scope, loaderImage, sinkImage)
	t.Run("three replicas sum their counters", func(t *testing.T) { testSwarmSums(t, f) })
	t.Run("stop", func(t *testing.T) { testSwarmStop(t, f) })
	t.Run("control restart re-attaches", func(t *testing.T) { testSwarmControlRestart(t, f) })
	t.Run("backfill of three shards is exact", func(t *testing.T) { testSwarmBackfill(t, f) })
}

// testSwarmSums: a live run of 3 loaders is one service of 3 replicas whose counters the run sums:
// each loader stops after 100 visits, so the run has 300, as the sink has.
func testSwarmSums(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	v, err := svc.Start(t.Context(), StartRequest{Name: "sums", Config: sinkConfig(f.snk, 100), Loaders: 3})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if v.Runtime != docker.ModeSwarm || v.Loaders != 3 {
		t.Errorf("view: runtime %q, %d loaders; want swarm, 3", v.Runtime, v.Loaders)
	}
	loaders, err := f.rt.List(t.Context(), docker.Filter{RunID: v.ID, All: true})
	if err != nil || len(loaders) != 3 {
		t.Fatalf("List: %d loaders, %v; want the 3 slots of one service", len(loaders), err)
	}
	for _, l := range loaders {
		if strings.Contains(strings.Join(l.Env, " "), sinkToken) {
			t.Errorf("the token is in the service's environment")
		}
	}
	v = waitDocker(t, svc, v.ID, store.StateCompleted)
	if v.ExitCode == nil || *v.ExitCode != 0 || v.Total.VisitsStarted != 300 || v.Total.HitsInvalid != 0 {
		t.Errorf("completed run: exit code %s, visits %d, invalid hits %d; want 0, 300, 0", exitText(v.ExitCode), v.Total.VisitsStarted, v.Total.HitsInvalid)
	}
	if sum := f.snk.Summary(t); sum.Visits != 300 || sum.Invalid != 0 {
		t.Errorf("sink: %+v; want 300 visits, no invalid hits", sum)
	}
	assertNoContainers(t, f.rt, v.ID)
}

// testSwarmStop: Stop scales the service to zero; the run ends stopped with its loaders'
// summaries, and nothing of it is left.
func testSwarmStop(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	v, err := svc.Start(t.Context(), StartRequest{Name: "stop", Config: sinkConfig(f.snk, 0), Loaders: 3})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	eventually(t, "every loader to send", func() bool {
		v, _ = svc.Get(t.Context(), v.ID)
		return v.Total.HitsTracked > 0
	})
	v, err = svc.Stop(t.Context(), v.ID)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	var sum report.Summary
	if v.State != store.StateStopped || len(v.Summary) == 0 || json.Unmarshal(v.Summary, &sum) != nil || sum.Total.HitsSent == 0 {
		t.Errorf("after Stop: state %q, summary %s", v.State, v.Summary)
	}
	if got := f.snk.Summary(t); int64(got.Tracked) < v.Total.HitsTracked || got.Invalid != 0 {
		t.Errorf("the run counted %d tracked hits, the sink %d (invalid %d)", v.Total.HitsTracked, got.Tracked, got.Invalid)
	}
	assertNoContainers(t, f.rt, v.ID)
}

// testSwarmControlRestart: the control dies mid-run (its service keeps running); a new service on
// the same store re-attaches to the running service and sees the run to its exact end.
func testSwarmControlRestart(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	v, err := svc.Start(t.Context(), StartRequest{Name: "restart", Config: sinkConfig(f.snk, 200), Loaders: 3})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	eventually(t, "the first visits", func() bool {
		v, _ = svc.Get(t.Context(), v.ID)
		return v.Total.HitsSent > 0
	})
	if err := svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if left, err := f.rt.List(t.Context(), docker.Filter{RunID: v.ID}); err != nil || len(left) == 0 {
		t.Fatalf("the service did not outlive the control: %d running loaders, %v", len(left), err)
	}
	svc2 := f.newService(t)
	if v, err = svc2.Get(t.Context(), v.ID); err != nil || !store.IsActive(v.State) && v.State != store.StateCompleted {
		t.Fatalf("after the restart: state %q, %v", v.State, err)
	}
	v = waitDocker(t, svc2, v.ID, store.StateCompleted)
	if v.Total.VisitsStarted != 600 || v.Runtime != docker.ModeSwarm {
		t.Errorf("completed run: %d visits (want 3 × 200), runtime %q", v.Total.VisitsStarted, v.Runtime)
	}
	if sum := f.snk.Summary(t); sum.Visits != 600 || sum.Invalid != 0 {
		t.Errorf("sink: %+v; want 600 visits, no invalid hits", sum)
	}
	assertNoContainers(t, f.rt, v.ID)
}

// testSwarmBackfill: a backfill of 3 days split over 3 shards, rate-limited so that it runs a
// while. Once shard 1 has sent a quarter of its visits, its task's container is killed: Swarm starts a new task
// in its slot, on the slot's state volume, which resumes the shard. Every day ends exact, in the
// run and in the sink, and resuming the completed run sends nothing.
func testSwarmBackfill(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	cfg := sinkConfig(f.snk, 0)
	back, days, perDay, rps := 4, 3, int64(150), 60.0
	cfg.BackfillEnabled, cfg.BackfillDaysBack, cfg.BackfillDuration, cfg.BackfillPerDay = true, &back, &days, perDay
	cfg.BackfillRPS, cfg.BulkSize = &rps, 10
	v, err := svc.Start(t.Context(), StartRequest{Name: "shards", Config: cfg, Loaders: 3})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	killMidway(t, f, svc, v.ID, 1)
	v = waitDocker(t, svc, v.ID, store.StateCompleted)
	if len(v.Days) != days {
		t.Fatalf("%d days, want %d: %+v", len(v.Days), days, v.Days)
	}
	sum := f.snk.Summary(t)
	for _, d := range v.Days {
		if !d.Done || d.Sent != perDay || d.Planned != perDay {
			t.Errorf("day %s: sent %d of %d, done %v; want all %d", d.Date, d.Sent, d.Planned, d.Done, perDay)
		}
		// Visits and hits: a visit sent twice could merge with its first copy in the sink (as
		// in Matomo), its hits would not.
		if got := sum.PerSite[1].Days[d.Date]; got.Visits != int(perDay) || int64(got.Hits) != d.Tracked {
			t.Errorf("the sink has %d visits and %d hits on %s; want exactly %d and the %d the shards tracked", got.Visits, got.Hits, d.Date, perDay, d.Tracked)
		}
	}
	if sum.Visits != days*int(perDay) || sum.Invalid != 0 {
		t.Errorf("sink: %d visits, %d invalid; want %d, 0", sum.Visits, sum.Invalid, days*int(perDay))
	}
	assertNoContainers(t, f.rt, v.ID)
	next, err := svc.Start(t.Context(), StartRequest{ResumeOf: v.ID})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	waitDocker(t, svc, next.ID, store.StateCompleted)
	if got := f.snk.Summary(t); got.Visits != days*int(perDay) {
		t.Errorf("after resuming a completed backfill the sink has %d visits, want still %d", got.Visits, days*int(perDay))
	}
}

// killMidway waits until loader index of a run has sent a quarter of its visits, then kills its
// task's container (no grace) and waits until Swarm has started a new task in its slot.
func killMidway(t *testing.T, f *dockerFixture, svc *Service, runID string, index int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	events, err := svc.Events(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	for e := range events {
		var p report.Progress
		if e.Loader == index && e.Type == report.TypeProgress && json.Unmarshal(e.Record, &p) == nil && p.Percent >= 25 {
			break
		}
	}
	if ctx.Err() != nil {
		t.Fatalf("loader %d did not send a quarter of its visits within a minute", index)
	}
	slot := loaderOf(t, f.rt, runID, index)
	if slot.State != "running" {
		t.Fatalf("loader %d is %s before it could be killed: make the backfill longer", index, slot.State)
	}
	if err := f.rt.Kill(t.Context(), slot.ID); err != nil {
		t.Fatalf("kill the task of loader %d: %v", index, err)
	}
	eventually(t, "a new task in the slot", func() bool {
		c := loaderOf(t, f.rt, runID, index)
		return c.RestartCount == 1
	})
}

// loaderOf finds loader index of a run among the runtime's loaders.
func loaderOf(t *testing.T, rt *docker.Runtime, runID string, index int) docker.Container {
	t.Helper()
	all, err := rt.List(t.Context(), docker.Filter{RunID: runID, All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.Index == index {
			return c
		}
	}
	t.Fatal(fmt.Errorf("run %s has no loader %d", runID, index))
	return docker.Container{}
}
