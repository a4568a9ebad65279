package runs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

func TestStartLiveRunSumsLoaders(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{LoaderImage: "loader:test", Network: "host"})
	svc := e.start(t)
	cfg := liveConfig()
	cfg.ShutdownGrace = 7 * time.Second
	v, err := svc.Start(t.Context(), StartRequest{Name: "two", Config: cfg, Loaders: 2})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if v.State != store.StateRunning || v.Loaders != 2 || v.Mode != ModeLive {
		t.Fatalf("view = state %q, loaders %d, mode %q; want running, 2, live", v.State, v.Loaders, v.Mode)
	}
	if len(rt.started()) != 2 {
		t.Fatalf("%d containers started, want 2", len(rt.started()))
	}
	for i, spec := range rt.started() {
		// Each loader is told its slot (its shard + 1), as a Swarm task is, and no SHARD_INDEX
		// that would override it.
		wantEnv := []string{"SHARD_COUNT=2", fmt.Sprintf("SHARD_SLOT=%d", i+1), "AUTO_START=true",
			"BACKFILL_STATE_FILE=/data/backfill-state.json", "BACKFILL_ENABLED=false"}
		for _, kv := range wantEnv {
			if !slices.Contains(spec.Env, kv) {
				t.Errorf("loader %d: env lacks %s", i, kv)
			}
		}
		if slices.ContainsFunc(spec.Env, func(kv string) bool { return strings.HasPrefix(kv, "SHARD_INDEX=") }) {
			t.Errorf("loader %d: env sets SHARD_INDEX", i)
		}
		// The shards share one seed (Poisson gaps and random spikes come from it), chosen by the
		// control when the config has none.
		seed := slices.IndexFunc(spec.Env, func(kv string) bool { return strings.HasPrefix(kv, "SEED=") })
		if seed < 0 || spec.Env[seed] != seedOf(rt.started()[0].Env) {
			t.Errorf("loader %d: seed %v, want loader 0's %q", i, seed, seedOf(rt.started()[0].Env))
		}
		if spec.Kind != docker.KindLive || spec.RestartOnFailure != DefaultRestartRetries || spec.Image != "loader:test" ||
			spec.Network != "host" || spec.StopTimeout != 12*time.Second || spec.Index != i {
			t.Errorf("loader %d: spec kind %q restart %d image %q network %q stop %v index %d", i, spec.Kind,
				spec.RestartOnFailure, spec.Image, spec.Network, spec.StopTimeout, spec.Index)
		}
	}
	ids := rt.idsOf(v.ID)
	rt.emit(ids[0], "stdout", statsLine(t, 100, 90))
	rt.emit(ids[1], "stdout", statsLine(t, 40, 40))
	rt.emit(ids[0], "stdout", statsLine(t, 120, 110)) // cumulative: replaces loader 0's 100
	eventually(t, "summed counters", func() bool {
		v, err = svc.Get(t.Context(), v.ID)
		return err == nil && v.Total.HitsSent == 160
	})
	if v.Total.HitsTracked != 150 || len(v.Targets) != 1 || v.Targets[0].HitsSent != 160 || v.Targets[0].InFlight != 2 {
		t.Errorf("total %+v targets %+v; want tracked 150, one target with 160 sent and 2 in flight", v.Total, v.Targets)
	}
	if v.Targets[0].Health != "healthy" {
		t.Errorf("health = %q, want healthy (150 of 160 tracked)", v.Targets[0].Health)
	}
	if v.StartedAt == nil || v.Uptime < 0 {
		t.Errorf("started_at %v, uptime %v", v.StartedAt, v.Uptime)
	}
}

func TestLoaderExitEndsRun(t *testing.T) {
	tests := []struct {
		name      string
		backfill  bool
		lines     []func(t *testing.T) string
		stderr    string
		engineErr string // what the engine says ended the loader
		code      int
		wantState string
		wantError string
	}{
		// A backfill loader that delivered everything exits 0: the run completed.
		{"backfill finished", true, []func(*testing.T) string{func(t *testing.T) string { return summaryLine(t, "backfill", "finished", 30, 30) }},
			"", "", 0, store.StateCompleted, ""},
		// A backfill loader sent SIGTERM by someone else exits 0 too, its share unfinished: the run
		// stopped, and can be resumed.
		{"backfill stopped from outside", true, []func(*testing.T) string{func(t *testing.T) string { return summaryLine(t, "backfill", "signal", 30, 30) }},
			"", "", 0, store.StateStopped, `loader 0 was stopped from outside the control before its share was done (its summary says "signal"); resume the run to finish it`},
		// A live run that reaches MAX_TOTAL_VISITS exits 0: the run completed.
		{"exit 0", false, []func(*testing.T) string{func(t *testing.T) string { return summaryLine(t, "live", "max_total", 30, 30) }},
			"", "", 0, store.StateCompleted, ""},
		// A Swarm task that its node could not run ends with the engine's reason.
		{"rejected task", false, nil, "", "No such image: trafficinator/loader:latest", 125, store.StateFailed,
			"loader 0 exited with code 125 (No such image: trafficinator/loader:latest)"},
		// A failing loader's last error record explains the failure.
		{"exit 1 with error record", false, []func(*testing.T) string{func(t *testing.T) string {
			return line(t, func(w *report.Writer) error {
				return w.Write(report.TypeError, &report.Error{Message: "target default: no hit tracked", Fatal: true})
			})
		}}, "", "", 1, store.StateFailed, "loader 0 exited with code 1: target default: no hit tracked"},
		// Without an error record the exit code is the explanation.
		{"exit 3 silent", false, nil, "", "", 3, store.StateFailed, "loader 0 exited with code 3"},
		// Without an error record, the gist of the last log line helps.
		{"exit 1 with a log line", false, nil, `{"level":"ERROR","msg":"cannot start","error":"port in use"}`, "", 1, store.StateFailed,
			"loader 0 exited with code 1; its last log line: cannot start: port in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := liveConfig()
			if tt.backfill {
				cfg = backfillConfig()
			}
			rt, _, svc, v, id := startOne(t, cfg)
			for _, l := range tt.lines {
				rt.emit(id, "stdout", l(t))
			}
			if tt.stderr != "" {
				rt.emit(id, "stderr", tt.stderr)
			}
			rt.setEngineError(id, tt.engineErr)
			rt.setState(id, "exited", tt.code)
			v = waitState(t, svc, v.ID, tt.wantState)
			if v.Error != tt.wantError || v.ExitCode == nil || *v.ExitCode != tt.code {
				t.Errorf("error %q exit %v; want %q and %d", v.Error, v.ExitCode, tt.wantError, tt.code)
			}
			if _, _, ok := rt.get(id); ok {
				t.Error("the container of the ended run was not removed")
			}
			if v.FinishedAt == nil {
				t.Error("finished_at not set")
			}
		})
	}
}

func TestBackfillRunPersistsDaysAndCheckpoint(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	v, err := svc.Start(t.Context(), StartRequest{Mode: ModeBackfill, Config: liveConfig()})
	if err == nil {
		t.Fatal("a backfill without a window started")
	}
	v, err = svc.Start(t.Context(), StartRequest{Mode: ModeBackfill, Config: backfillConfig()})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	spec := rt.specs[len(rt.started())-1]
	if spec.Kind != docker.KindBackfill || spec.RestartOnFailure != 0 || !slices.Contains(spec.Env, "BACKFILL_ENABLED=true") {
		t.Errorf("backfill spec: kind %q restart %d (want backfill, never restarted)", spec.Kind, spec.RestartOnFailure)
	}
	id := containerOf(t, rt, v.ID, 0)
	for _, d := range []report.Day{{Date: "2026-02-20", Target: "default", Planned: 50, Sent: 50, Tracked: 50, Done: true},
		{Date: "2026-02-21", Target: "default", Planned: 50, Sent: 20, Tracked: 20}} {
		rt.emit(id, "stdout", line(t, func(w *report.Writer) error { return w.Write(report.TypeDay, &d) }))
	}
	rt.emit(id, "stdout", line(t, func(w *report.Writer) error {
		return w.Write(report.TypeProgress, &report.Progress{Percent: 46.7, VisitsDone: 70, VisitsPlanned: 150})
	}))
	eventually(t, "days and progress", func() bool {
		v, err = svc.Get(t.Context(), v.ID)
		return err == nil && len(v.Days) == 2 && v.Progress != nil
	})
	if !v.Days[0].Done || v.Days[1].Sent != 20 || v.Progress.VisitsDone != 70 {
		t.Errorf("days %+v progress %+v", v.Days, v.Progress)
	}
	rt.setFiles(id, docker.File{Path: "/data/backfill-state.json", Data: []byte(`{"done":["2026-02-20"]}`)},
		docker.File{Path: "/data/backfill-state.json.journal", Data: []byte("j\n")},
		docker.File{Path: "/data/funnels.json", Data: []byte("[]")})
	rt.emit(id, "stdout", summaryLine(t, "backfill", "finished", 150, 150))
	rt.setState(id, "exited", 0)
	v = waitState(t, svc, v.ID, store.StateCompleted)
	if v.Total.HitsSent != 150 || len(v.Summary) == 0 {
		t.Errorf("final total %+v, summary %s", v.Total, v.Summary)
	}
	cp, err := svc.loadCheckpoint(v.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range cp[0] {
		names = append(names, f.Path)
	}
	slices.Sort(names)
	if want := []string{"/data/backfill-state.json", "/data/backfill-state.json.journal"}; !slices.Equal(names, want) {
		t.Errorf("checkpoint files %v, want %v", names, want)
	}
}

func TestStopEndsRunStopped(t *testing.T) {
	rt := newFakeRuntime()
	rt.onStop = func(f *fakeRuntime, id string) int {
		f.emit(id, "stdout", summaryLine(t, "live", "signal", 44, 40))
		return 0
	}
	e := newEnv(t, rt, Options{StopTimeout: 3 * time.Second})
	svc := e.start(t)
	v, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()})
	if err != nil {
		t.Fatal(err)
	}
	id := containerOf(t, rt, v.ID, 0)
	v, err = svc.Stop(t.Context(), v.ID)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if v.State != store.StateStopped || v.Total.HitsSent != 44 || v.Error != "" {
		t.Errorf("after Stop: state %q total sent %d error %q; want stopped, 44 (from the summary)", v.State, v.Total.HitsSent, v.Error)
	}
	if _, _, ok := rt.get(id); ok || !rt.wasStopped(id) {
		t.Error("the container was not stopped and removed")
	}
	if _, err := svc.Stop(t.Context(), v.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("stopping a stopped run: %v, want ErrConflict", err)
	}
}

func TestStartRefusals(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{MaxActive: 1})
	svc := e.start(t)
	bad := config.Default() // still the placeholder URL: never sent to
	_, err := svc.Start(t.Context(), StartRequest{Config: &bad, Loaders: 2})
	var probs config.Problems
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &probs) {
		t.Fatalf("invalid config: %v, want ErrInvalid with problems", err)
	}
	if !slices.ContainsFunc(probs, func(p config.Problem) bool { return p.Field == "MATOMO_URL" }) {
		t.Errorf("problems %v do not name MATOMO_URL", probs)
	}
	if _, err := svc.Start(t.Context(), StartRequest{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no config at all: %v, want ErrInvalid", err)
	}
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), Mode: "sideways"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown mode: %v, want ErrInvalid", err)
	}
	if len(rt.started()) != 0 {
		t.Fatalf("%d containers started for refused requests", len(rt.started()))
	}
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()}); !errors.Is(err, ErrLimit) {
		t.Errorf("second run with MaxActive 1: %v, want ErrLimit", err)
	}
	runs, err := svc.List(t.Context(), ListFilter{})
	if err != nil || len(runs) != 1 {
		t.Errorf("List = %d runs, %v; refused starts must leave no record", len(runs), err)
	}
}

func TestDockerDownFailsRun(t *testing.T) {
	tests := []struct {
		name      string
		failStart int
		down      bool
		loaders   int
	}{
		// The engine does not answer at all: nothing starts, the run is recorded failed.
		{"engine down", 0, true, 1},
		// The second container cannot start: the first one is stopped and removed.
		{"second loader fails", 2, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newFakeRuntime()
			e := newEnv(t, rt, Options{})
			svc := e.start(t)
			rt.failStart = tt.failStart
			rt.setDown(tt.down)
			_, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), Loaders: tt.loaders})
			if !errors.Is(err, ErrUnavailable) {
				t.Fatalf("Start: %v, want ErrUnavailable", err)
			}
			runs, err := svc.List(t.Context(), ListFilter{})
			if err != nil || len(runs) != 1 {
				t.Fatalf("List: %d runs, %v", len(runs), err)
			}
			if runs[0].State != store.StateFailed || !strings.Contains(runs[0].Error, "could not start") {
				t.Errorf("run state %q error %q; want failed with the reason", runs[0].State, runs[0].Error)
			}
			rt.setDown(false)
			if left, _ := rt.List(t.Context(), docker.Filter{All: true}); len(left) != 0 {
				t.Errorf("%d containers left behind", len(left))
			}
			if err := svc.Ping(t.Context()); err != nil {
				t.Errorf("Ping with the engine back: %v", err)
			}
			rt.setDown(true)
			if err := svc.Ping(t.Context()); !errors.Is(err, ErrUnavailable) {
				t.Errorf("Ping with the engine down: %v, want ErrUnavailable", err)
			}
		})
	}
}

// A missing loader image is its own error (the API answers 503 with "build the image"), and the run
// is recorded failed with the image's name.
func TestMissingImage(t *testing.T) {
	rt := newFakeRuntime()
	rt.noImage = true
	e := newEnv(t, rt, Options{LoaderImage: "trafficinator/loader:missing"})
	svc := e.start(t)
	_, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()})
	if !errors.Is(err, ErrImage) || errors.Is(err, ErrNotFound) {
		t.Fatalf("Start: %v, want ErrImage (and not a run-not-found)", err)
	}
	runs, _ := svc.List(t.Context(), ListFilter{})
	if len(runs) != 1 || runs[0].State != store.StateFailed || !strings.Contains(runs[0].Error, "trafficinator/loader:missing") {
		t.Fatalf("runs %+v", runs)
	}
}

func TestFailedLoaderStopsTheOthers(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	v, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), Loaders: 2})
	if err != nil {
		t.Fatal(err)
	}
	first, second := containerOf(t, rt, v.ID, 0), containerOf(t, rt, v.ID, 1)
	rt.setState(second, "exited", 1) // restarts exhausted: Docker reports it exited
	v = waitState(t, svc, v.ID, store.StateFailed)
	if !rt.wasStopped(first) || !strings.HasPrefix(v.Error, "loader 1 exited with code 1") {
		t.Errorf("loader 0 stopped: %v; error %q, want loader 1's failure", rt.wasStopped(first), v.Error)
	}
}

// seedOf is the SEED=… entry of an environment, or "".
func seedOf(env []string) string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "SEED=") {
			return kv
		}
	}
	return ""
}
