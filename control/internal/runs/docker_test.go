package runs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// sinkToken is the token the sink accepts; the runs send it (backfill needs one).
const sinkToken = "0123456789abcdef0123456789abcdef"

// sinkConfig is a fast live config against the sink: no pauses, stats every half second.
func sinkConfig(s dockertest.Sink, maxVisits int64) *config.Config {
	c := config.Default()
	c.MatomoURL, c.SiteID, c.TokenAuth = s.URL+"/matomo.php", 1, sinkToken
	c.VisitsPerDay = 60 * 86400 // 60 visits/s
	c.PauseMin, c.PauseMax, c.PageviewsMin, c.PageviewsMax = 0, 0, 1, 3
	c.MaxTotalVisits = maxVisits
	// Every visit the loader plans is one the sink counts: no earlier visits of returning
	// visitors (sent before the window, docs/visits.md) and no crawlers (excluded, as Matomo
	// does); the loader's own tests check both.
	c.ReturningProb, c.BotProb = 0, 0
	c.StatsInterval, c.ShutdownGrace = 500*time.Millisecond, 2*time.Second
	c.Timezone = "UTC" // the sink's sites are in UTC; Matomo (and the sink) split visits at the site's midnight
	return &c
}

// dockerFixture is what the Docker subtests share: one engine scope, a sink, a store.
type dockerFixture struct {
	rt   *docker.Runtime
	snk  dockertest.Sink
	st   *store.Store
	opts Options
}

// newDockerFixture opens a store in a temporary directory and starts a sink container of sinkRT,
// for services of rt's scope that run loaderImage on the host network.
func newDockerFixture(t *testing.T, rt, sinkRT *docker.Runtime, scope, loaderImage, sinkImage string) *dockerFixture {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "control.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &dockerFixture{rt: rt, snk: dockertest.StartSink(t, sinkRT, sinkImage, sinkToken), st: st, opts: Options{
		LoaderImage: loaderImage, Network: "host", StopTimeout: 10 * time.Second, Scope: scope,
		DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
	}}
}

// newService starts a service on the fixture's store, closed when the (sub)test ends.
func (f *dockerFixture) newService(t *testing.T) *Service {
	t.Helper()
	svc, err := New(t.Context(), f.st, f.rt, f.opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	return svc
}

// TestDockerRuns drives real loader containers against a matomo-sink container, all on the host
// network with traffic on 127.0.0.1 only.
func TestDockerRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("needs the Docker Engine; skipped with -short")
	}
	scope := "test-runs-" + dockertest.RandomHex(4)
	rt := dockertest.Runtime(t, scope)
	sinkRT := dockertest.Runtime(t, scope+"-sink") // another scope: the service must not see the sink as an orphan
	loaderImage, sinkImage := images.Get(t, rt)
	f := newDockerFixture(t, rt, sinkRT, scope, loaderImage, sinkImage)
	t.Run("live run rises and stops", func(t *testing.T) { testDockerLiveStop(t, f) })
	t.Run("control restart keeps the run", func(t *testing.T) { testDockerControlRestart(t, f) })
	t.Run("backfill completes once", func(t *testing.T) { testDockerBackfill(t, f) })
	t.Run("loaders are hardened and hold no token", func(t *testing.T) { testDockerHardened(t, f) })
}

// testDockerHardened: a loader runs with the compose services' hardening and the run's limits, as
// the loader's user, and `docker inspect` shows no token: it reads its token from a file.
func testDockerHardened(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	limits := Limits{MemoryMB: 128, CPUs: 0.5, PIDs: 64}
	v, err := svc.Start(t.Context(), StartRequest{Name: "hardened", Config: sinkConfig(f.snk, 0), Limits: limits})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	eventually(t, "hits tracked", func() bool {
		v, _ = svc.Get(t.Context(), v.ID)
		return v.Total.HitsTracked > 0
	})
	cs, err := f.rt.List(t.Context(), docker.Filter{RunID: v.ID})
	if err != nil || len(cs) != 1 {
		t.Fatalf("List = %+v, %v; want the run's loader", cs, err)
	}
	c := cs[0]
	for _, kv := range c.Env {
		if strings.Contains(kv, sinkToken) {
			t.Errorf("docker inspect shows the token in the environment: %s", kv)
		}
	}
	if !slices.Contains(c.Env, "MATOMO_TOKEN_AUTH_FILE=/data/secrets/token_auth") {
		t.Errorf("env %v lacks the token file", c.Env)
	}
	want := docker.Confinement{ReadOnlyRoot: true, CapDrop: []string{"ALL"}, SecurityOpt: []string{"no-new-privileges:true"},
		Memory: 128 << 20, NanoCPUs: 500_000_000, PidsLimit: 64, Volumes: []string{"/data"}}
	if !reflect.DeepEqual(c.Confinement, want) || c.User != loaderUser {
		t.Errorf("loader runs as %q confined as %+v, want %q and %+v", c.User, c.Confinement, loaderUser, want)
	}
	if v, err = svc.Stop(t.Context(), v.ID); err != nil || v.Limits != limits || v.Total.HitsInvalid != 0 {
		t.Errorf("after Stop: %+v limits %+v invalid %d", err, v.Limits, v.Total.HitsInvalid)
	}
	assertNoContainers(t, f.rt, v.ID)
}

// testDockerLiveStop: counters rise while a live run sends to the sink, and Stop ends it.
func testDockerLiveStop(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	v, err := svc.Start(t.Context(), StartRequest{Name: "live", Config: sinkConfig(f.snk, 0)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	var first int64
	eventually(t, "counters to rise", func() bool {
		v, _ = svc.Get(t.Context(), v.ID)
		if first == 0 {
			first = v.Total.HitsTracked
			return false
		}
		return v.Total.HitsTracked > first
	})
	v, err = svc.Stop(t.Context(), v.ID)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if v.State != store.StateStopped || len(v.Summary) == 0 || v.Total.HitsInvalid != 0 {
		t.Errorf("after Stop: state %q, summary %d bytes, invalid %d", v.State, len(v.Summary), v.Total.HitsInvalid)
	}
	assertNoContainers(t, f.rt, v.ID)
	sum := f.snk.Summary(t)
	if sum.Visits == 0 || sum.Invalid != 0 {
		t.Errorf("sink: %+v; want visits and no invalid hits", sum)
	}
	if int64(sum.Tracked) < v.Total.HitsTracked {
		t.Errorf("the loader counted %d tracked hits, the dockertest.Sink only %d", v.Total.HitsTracked, sum.Tracked)
	}
}

// testDockerControlRestart: the control dies mid-run (Close leaves the loader running); a new
// service on the same store picks the run up and sees it to its end.
func testDockerControlRestart(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	v, err := svc.Start(t.Context(), StartRequest{Name: "capped", Config: sinkConfig(f.snk, 300)})
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
	svc2 := f.newService(t)
	if v, err = svc2.Get(t.Context(), v.ID); err != nil || !store.IsActive(v.State) && v.State != store.StateCompleted {
		t.Fatalf("after the restart: state %q, %v", v.State, err)
	}
	v = waitDocker(t, svc2, v.ID, store.StateCompleted)
	if v.ExitCode == nil || *v.ExitCode != 0 || v.Total.VisitsStarted != 300 {
		t.Errorf("completed run: exit code %s, visits %d; want 0 and 300", exitText(v.ExitCode), v.Total.VisitsStarted)
	}
	assertNoContainers(t, f.rt, v.ID)
	if sum := f.snk.Summary(t); sum.Visits != 300 || sum.Invalid != 0 {
		t.Errorf("sink: %+v; want 300 visits, no invalid hits", sum)
	}
}

// testDockerBackfill: 3 days × 50 visits end completed, exactly once; resuming sends nothing.
func testDockerBackfill(t *testing.T, f *dockerFixture) {
	f.snk.Reset(t)
	svc := f.newService(t)
	starts := countStarts(t, f.rt)
	cfg := sinkConfig(f.snk, 0)
	back, days := 4, 3
	cfg.BackfillEnabled, cfg.BackfillDaysBack, cfg.BackfillDuration, cfg.BackfillPerDay = true, &back, &days, 50
	v, err := svc.Start(t.Context(), StartRequest{Name: "backfill", Config: cfg})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	v = waitDocker(t, svc, v.ID, store.StateCompleted)
	if v.ExitCode == nil || *v.ExitCode != 0 || len(v.Days) != 3 {
		t.Errorf("backfill: exit code %s, %d days; want 0 and 3", exitText(v.ExitCode), len(v.Days))
	}
	for _, d := range v.Days {
		if !d.Done || d.Sent != 50 {
			t.Errorf("day %+v: want done with 50 visits", d)
		}
	}
	if sum := f.snk.Summary(t); sum.Visits != 150 || sum.Invalid != 0 {
		t.Errorf("sink: %+v; want exactly 150 visits, no invalid hits", sum)
	}
	if _, err := os.Stat(filepath.Join(f.opts.DataDir, "checkpoints", v.ID, "loader-0", "backfill-state.json")); err != nil {
		t.Errorf("checkpoint not saved: %v", err)
	}
	assertNoContainers(t, f.rt, v.ID)
	if n := starts(v.ID); n != 1 {
		t.Errorf("the backfill container started %d times, want once", n)
	}
	next, err := svc.Start(t.Context(), StartRequest{ResumeOf: v.ID})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	waitDocker(t, svc, next.ID, store.StateCompleted)
	if sum := f.snk.Summary(t); sum.Visits != 150 {
		t.Errorf("after resuming a completed backfill the dockertest.Sink has %d visits, want still 150", sum.Visits)
	}
}

// waitDocker waits (longer than waitState) for a real loader to reach a state.
func waitDocker(t *testing.T, svc *Service, id, want string) View {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, err := svc.Get(t.Context(), id)
		if err == nil && v.State == want {
			return v
		}
		if err == nil && !store.IsActive(v.State) {
			t.Fatalf("run %s ended %s (exit code %s, %q), want %s", id, v.State, exitText(v.ExitCode), v.Error, want)
		}
		if time.Now().After(deadline) {
			t.Fatalf("run %s is %s after 60 s, want %s (err %v)", id, v.State, want, err)
		}
		select {
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// exitText renders an optional exit code.
func exitText(code *int) string {
	if code == nil {
		return "none"
	}
	return fmt.Sprint(*code)
}

// assertNoContainers checks that a finished run's containers are removed (the final state is
// recorded first, so that a control dying in between finds them as leftovers, not a lost run).
func assertNoContainers(t *testing.T, rt *docker.Runtime, runID string) {
	t.Helper()
	eventually(t, "the run's containers to be removed", func() bool {
		left, err := rt.List(t.Context(), docker.Filter{RunID: runID, All: true})
		return err == nil && len(left) == 0
	})
}

// countStarts counts Docker start events per run from now on; the returned func reads a count.
func countStarts(t *testing.T, rt *docker.Runtime) func(runID string) int {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	events, _ := rt.Events(ctx)
	counts := make(chan map[string]int, 1)
	go func() {
		n := map[string]int{}
		for e := range events {
			if e.Action == docker.EventStart {
				n[e.RunID]++
			}
		}
		counts <- n
	}()
	return func(runID string) int {
		cancel()
		select {
		case n := <-counts:
			return n[runID]
		case <-time.After(10 * time.Second):
			t.Fatal(fmt.Errorf("the event watch did not end"))
			return 0
		}
	}
}
