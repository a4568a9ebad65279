package runs

import (
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// rec is one report record of a test loader: a stats record at second at of the run with the
// loader's cumulative answered hits, or (restart) the start record of a new process.
type rec struct {
	loader                   int
	at                       int
	tracked, invalid, failed int64
	restart                  bool
}

// recLine renders r as the loader prints it, dated t0 plus r.at seconds.
func recLine(t *testing.T, t0 time.Time, r rec) string {
	t.Helper()
	if r.restart {
		return line(t, func(w *report.Writer) error { return w.Write(report.TypeStart, &report.Start{Mode: "live"}) })
	}
	c := report.Counters{HitsTracked: r.tracked, HitsInvalid: r.invalid, HitsFailed: r.failed,
		HitsSent: r.tracked + r.invalid + r.failed}
	ts := report.TargetStats{Target: "default", Counters: c}
	st := &report.Stats{Targets: []report.TargetStats{ts}, Total: ts}
	st.Time = t0.Add(time.Duration(r.at) * time.Second)
	return line(t, func(w *report.Writer) error { return w.Write(report.TypeStats, st) })
}

func TestHealthLooksAtTheLastMinute(t *testing.T) {
	tests := []struct {
		name    string
		loaders int
		recs    []rec
		want    string
	}{
		// A 20 s outage at the start (every hit failed), then every hit tracked: a minute later the
		// target is healthy again, although over the whole run only 300 of 1300 hits were tracked.
		{"recovers after an outage", 1, []rec{{at: 20, failed: 1000}, {at: 50, tracked: 100, failed: 1000},
			{at: 110, tracked: 300, failed: 1000}}, "healthy"},
		// After a long healthy stretch the target stops answering: failing at once, although over
		// the whole run 20000 of 20500 hits were tracked.
		{"starts failing", 1, []rec{{at: 0, tracked: 10000}, {at: 60, tracked: 20000},
			{at: 130, tracked: 20000, failed: 500}}, "failing"},
		// A run younger than the window is judged over all of it: 90 of 100 tracked.
		{"young run", 1, []rec{{at: 10, tracked: 90, failed: 10}}, "degraded"},
		// Nothing answered in the last minute: unknown, whatever happened before.
		{"idle", 1, []rec{{at: 0, tracked: 100}, {at: 120, tracked: 100}}, "unknown"},
		// The loaders' windows add up: 100 tracked by one, 100 failed by the other.
		{"two loaders", 2, []rec{{loader: 0, at: 10, tracked: 100}, {loader: 1, at: 10, failed: 100}}, "failing"},
		// A loader Docker restarted counts from zero again; its earlier process's hits stay in
		// the baseline, so the window holds what the new process answered: 95 of 100.
		{"restarted loader", 1, []rec{{at: 0, tracked: 1000}, {at: 65, tracked: 1000}, {restart: true},
			{at: 100, tracked: 95, failed: 5}}, "healthy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newFakeRuntime()
			svc := newEnv(t, rt, Options{}).start(t)
			v, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), Loaders: tt.loaders})
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now().UTC()
			carried, cur := map[int]int64{}, map[int]int64{} // hits sent per loader, to know when all arrived
			for _, r := range tt.recs {
				rt.emit(containerOf(t, rt, v.ID, r.loader), "stdout", recLine(t, t0, r))
				if r.restart {
					carried[r.loader], cur[r.loader] = carried[r.loader]+cur[r.loader], 0
				} else {
					cur[r.loader] = r.tracked + r.invalid + r.failed
				}
			}
			var sent int64
			for i := range tt.loaders {
				sent += carried[i] + cur[i]
			}
			eventually(t, "every record", func() bool {
				v, err = svc.Get(t.Context(), v.ID)
				return err == nil && len(v.Targets) == 1 && v.Targets[0].HitsSent == sent
			})
			if got := v.Targets[0].Health; got != tt.want {
				t.Errorf("health = %q, want %q (counters %+v)", got, tt.want, v.Targets[0].Counters)
			}
		})
	}
}

// A finished run keeps the health of its last minute, not the whole run's.
func TestFinishedRunKeepsRecentHealth(t *testing.T) {
	rt, e, svc, v, id := startOne(t, liveConfig())
	t0 := time.Now().UTC()
	for _, r := range []rec{{at: 20, failed: 1000}, {at: 50, tracked: 100, failed: 1000}} {
		rt.emit(id, "stdout", recLine(t, t0, r))
	}
	ts := report.TargetStats{Target: "default", Counters: report.Counters{HitsSent: 1300, HitsTracked: 300, HitsFailed: 1000}}
	sum := &report.Summary{Mode: "live", Reason: "max_total", Targets: []report.TargetStats{ts}, Total: ts}
	sum.Time = t0.Add(110 * time.Second)
	rt.emit(id, "stdout", line(t, func(w *report.Writer) error { return w.Write(report.TypeSummary, sum) }))
	rt.setState(id, "exited", 0)
	v = waitState(t, svc, v.ID, store.StateCompleted)
	if len(v.Targets) != 1 || v.Targets[0].Health != "healthy" || v.Targets[0].HitsTracked != 300 {
		t.Fatalf("finished run targets %+v, want 300 tracked and healthy (the last minute's 200 of 200)", v.Targets)
	}

	// A control restarted later shows the same, from what was saved.
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	again := e.start(t)
	v, err := again.Get(t.Context(), v.ID)
	if err != nil || len(v.Targets) != 1 || v.Targets[0].Health != "healthy" {
		t.Errorf("after a control restart: %+v, %v; want healthy", v.Targets, err)
	}
}
