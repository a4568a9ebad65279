package runs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// storedRun records a run directly in the store, as a previous control would have left it.
func storedRun(t *testing.T, st *store.Store, mode, state string) string {
	t.Helper()
	cfg := liveConfig()
	if mode == ModeBackfill {
		cfg = backfillConfig()
	}
	run, err := st.CreateRun(t.Context(), store.Run{Mode: mode, Config: *cfg, State: state})
	if err != nil {
		t.Fatal(err)
	}
	return run.ID
}

func TestReconcileAtStartUp(t *testing.T) {
	rt := newFakeRuntime()
	rt.onStop = func(*fakeRuntime, string) int { return 0 }
	e := newEnv(t, rt, Options{})

	running := storedRun(t, e.st, ModeLive, store.StateRunning)
	runningC := rt.addContainer(running, 0, docker.KindLive, "running", 0)
	rt.emit(runningC, "stdout", statsLine(t, 50, 50))

	exited := storedRun(t, e.st, ModeLive, store.StateRunning)
	exitedC := rt.addContainer(exited, 0, docker.KindLive, "exited", 3)
	rt.emit(exitedC, "stdout", line(t, func(w *report.Writer) error {
		return w.Write(report.TypeError, &report.Error{Message: "cannot read the URLs file", Fatal: true})
	}))

	lost := storedRun(t, e.st, ModeBackfill, store.StateRunning)

	stopping := storedRun(t, e.st, ModeLive, store.StateStopping)
	stoppingC := rt.addContainer(stopping, 0, docker.KindLive, "running", 0)

	finished := storedRun(t, e.st, ModeLive, store.StateCompleted)
	leftoverC := rt.addContainer(finished, 0, docker.KindLive, "exited", 0)
	orphanC := rt.addContainer("0123456789ab", 0, docker.KindLive, "running", 0)

	svc := e.start(t)

	// A running loader is watched again, and its figures rebuilt from its log.
	v, err := svc.Get(t.Context(), running)
	if err != nil || v.State != store.StateRunning {
		t.Fatalf("running run: state %q, %v", v.State, err)
	}
	eventually(t, "rebuilt counters", func() bool {
		v, err = svc.Get(t.Context(), running)
		return err == nil && v.Total.HitsSent == 50
	})
	rt.emit(runningC, "stdout", statsLine(t, 80, 80))
	eventually(t, "new counters", func() bool {
		v, err = svc.Get(t.Context(), running)
		return err == nil && v.Total.HitsSent == 80
	})
	rt.setState(runningC, "exited", 0)
	waitState(t, svc, running, store.StateCompleted)

	// A loader that exited while the control was away gets its exit status.
	v = waitState(t, svc, exited, store.StateFailed)
	if v.ExitCode == nil || *v.ExitCode != 3 || !strings.Contains(v.Error, "cannot read the URLs file") {
		t.Errorf("exited run: exit %v error %q", v.ExitCode, v.Error)
	}

	// A run whose containers vanished is lost, with an explanation.
	v = waitState(t, svc, lost, store.StateLost)
	if v.Error == "" {
		t.Error("lost run has no explanation")
	}

	// A run that was being stopped is stopped.
	waitState(t, svc, stopping, store.StateStopped)
	if !rt.wasStopped(stoppingC) {
		t.Error("the stopping run's loader was not stopped")
	}

	// Containers no active run owns are removed.
	for _, id := range []string{orphanC, leftoverC} {
		eventually(t, "orphan removal", func() bool {
			_, _, ok := rt.get(id)
			return !ok
		})
	}
	if v, _ := svc.Get(t.Context(), finished); v.State != store.StateCompleted {
		t.Errorf("finished run changed to %q", v.State)
	}
}

func TestControlRestartKeepsRun(t *testing.T) {
	rt, e, svc, v, id := startOne(t, backfillConfig())
	rt.emit(id, "stdout", statsLine(t, 10, 10))
	eventually(t, "first counters", func() bool {
		v, _ = svc.Get(t.Context(), v.ID)
		return v.Total.HitsSent == 10
	})
	if err := svc.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The control is gone; the loader goes on.
	day := report.Day{Date: "2026-02-25", Target: "default", Planned: 50, Sent: 50, Tracked: 50, Done: true}
	rt.emit(id, "stdout", line(t, func(w *report.Writer) error { return w.Write(report.TypeDay, &day) }))
	rt.emit(id, "stdout", statsLine(t, 30, 30))
	if c, _, ok := rt.get(id); !ok || c.State != "running" {
		t.Fatal("Close touched the container")
	}

	svc2 := e.start(t)
	eventually(t, "counters after restart", func() bool {
		v, err := svc2.Get(t.Context(), v.ID)
		return err == nil && v.Total.HitsSent == 30 && len(v.Days) == 1
	})
	if v.State != store.StateRunning {
		t.Errorf("state after restart %q, want running", v.State)
	}
	rt.emit(id, "stdout", summaryLine(t, "backfill", "finished", 30, 30))
	rt.setState(id, "exited", 0)
	v = waitState(t, svc2, v.ID, store.StateCompleted)
	if v.Total.HitsSent != 30 {
		t.Errorf("final hits %d, want 30", v.Total.HitsSent)
	}
}

func TestRestartedLoaderCarriesCounters(t *testing.T) {
	rt, _, svc, v, id := startOne(t, liveConfig())
	start := line(t, func(w *report.Writer) error { return w.Write(report.TypeStart, &report.Start{Mode: "live"}) })
	rt.emit(id, "stdout", start)
	rt.emit(id, "stdout", statsLine(t, 10, 10))
	// Docker restarts the failed loader (restart policy on-failure); its new process counts from 0.
	rt.setState(id, "restarting", 1)
	rt.setState(id, "running", 0)
	rt.emit(id, "stdout", start)
	rt.emit(id, "stdout", statsLine(t, 5, 5))
	eventually(t, "carried counters", func() bool {
		v, err := svc.Get(t.Context(), v.ID)
		return err == nil && v.Total.HitsSent == 15
	})
	if v.State != store.StateRunning {
		t.Errorf("a restarting loader ended the run: %q", v.State)
	}
}

func TestResumeBackfill(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	v, err := svc.Start(t.Context(), StartRequest{Name: "feb", Config: backfillConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(t.Context(), StartRequest{ResumeOf: v.ID}); !errors.Is(err, ErrConflict) {
		t.Errorf("resuming an active run: %v, want ErrConflict", err)
	}
	id := containerOf(t, rt, v.ID, 0)
	state := []byte(`{"days":{"2026-02-24":"done"}}`)
	rt.setFiles(id, docker.File{Path: "/data/backfill-state.json", Data: state})
	rt.setState(id, "exited", 1)
	waitState(t, svc, v.ID, store.StateFailed)

	next, err := svc.Start(t.Context(), StartRequest{ResumeOf: v.ID})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if next.Name != "feb" || next.Mode != ModeBackfill || next.ID == v.ID {
		t.Errorf("resumed run: name %q mode %q id %s", next.Name, next.Mode, next.ID)
	}
	specs := rt.started()
	var got []byte
	for _, f := range specs[len(specs)-1].Files {
		if f.Path == "/data/backfill-state.json" {
			got = f.Data
			if f.Mode != 0o600 || f.UID != loaderUID || f.GID != loaderUID {
				t.Errorf("checkpoint copied in with mode %o owned by %d:%d: the loader's user could not append to it", f.Mode, f.UID, f.GID)
			}
		}
	}
	if string(got) != string(state) {
		t.Errorf("checkpoint copied in = %q, want %q", got, state)
	}
}

func TestResumeWithoutCheckpointRefused(t *testing.T) {
	rt, _, svc, v, id := startOne(t, backfillConfig())
	day := report.Day{Date: "2026-02-24", Target: "default", Planned: 50, Sent: 10}
	rt.emit(id, "stdout", line(t, func(w *report.Writer) error { return w.Write(report.TypeDay, &day) }))
	eventually(t, "the day", func() bool {
		v, _ = svc.Get(t.Context(), v.ID)
		return len(v.Days) == 1
	})
	rt.setState(id, "exited", 1) // and no checkpoint files in the container
	waitState(t, svc, v.ID, store.StateFailed)
	if _, err := svc.Start(t.Context(), StartRequest{ResumeOf: v.ID}); !errors.Is(err, ErrConflict) {
		t.Errorf("resume without checkpoint after sending: %v, want ErrConflict", err)
	}
	if _, err := svc.Start(context.WithoutCancel(t.Context()), StartRequest{ResumeOf: "nosuchrun"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("resume of an unknown run: %v, want ErrInvalid", err)
	}
}
