package runs

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// testToken is the token of the test configs; no output of the service may contain it.
const testToken = "5ecret0token0abcdef0123456789abc"

// syncBuffer is a log sink that tests read while the service writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a service on a fake engine and a real SQLite store in a temp dir.
type env struct {
	st      *store.Store
	rt      *fakeRuntime
	svc     *Service
	logs    *syncBuffer
	dataDir string
	opts    Options
}

// newEnv opens a store and starts a service; both are closed when the test ends.
func newEnv(t *testing.T, rt *fakeRuntime, opts Options) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(t.Context(), filepath.Join(dir, "control.db"), store.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, rt: rt, logs: &syncBuffer{}, dataDir: filepath.Join(dir, "data")}
	opts.Log = slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.DataDir = e.dataDir
	e.opts = opts
	return e
}

// start starts the service (reconciling what the store and the fake hold).
func (e *env) start(t *testing.T) *Service {
	t.Helper()
	svc, err := New(t.Context(), e.st, e.rt, e.opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	e.svc = svc
	return svc
}

// liveConfig is a valid live config against a loopback address nothing listens on.
func liveConfig() *config.Config {
	c := config.Default()
	c.MatomoURL = "http://127.0.0.1:9/matomo.php"
	c.SiteID = 1
	c.TokenAuth = testToken
	return &c
}

// backfillConfig is a valid backfill config of 3 days.
func backfillConfig() *config.Config {
	c := liveConfig()
	c.BackfillEnabled = true
	back, days := 5, 3
	c.BackfillDaysBack, c.BackfillDuration = &back, &days
	return c
}

// line renders a report record exactly as a loader prints it: write calls the Writer once.
func line(t *testing.T, write func(w *report.Writer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(report.NewWriter(&b)); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// statsLine is a stats record of one target with the given hits sent and tracked.
func statsLine(t *testing.T, sent, tracked int64) string {
	t.Helper()
	ts := report.TargetStats{Target: "default", Counters: report.Counters{HitsSent: sent, HitsTracked: tracked, VisitsStarted: sent / 2}, InFlight: 1}
	return line(t, func(w *report.Writer) error {
		return w.Write(report.TypeStats, &report.Stats{Elapsed: 10, Targets: []report.TargetStats{ts}, Total: ts})
	})
}

// summaryLine is a summary record of one target.
func summaryLine(t *testing.T, mode, reason string, sent, tracked int64) string {
	t.Helper()
	ts := report.TargetStats{Target: "default", Counters: report.Counters{HitsSent: sent, HitsTracked: tracked}}
	return line(t, func(w *report.Writer) error {
		return w.Write(report.TypeSummary, &report.Summary{Mode: mode, Reason: reason, Targets: []report.TargetStats{ts}, Total: ts})
	})
}

// eventually polls cond until it holds, failing the test after a bound.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// waitState waits until run id is in state want and returns its view.
func waitState(t *testing.T, svc *Service, id, want string) View {
	t.Helper()
	var v View
	eventually(t, "run "+id+" to be "+want, func() bool {
		var err error
		v, err = svc.Get(context.WithoutCancel(t.Context()), id)
		return err == nil && v.State == want
	})
	return v
}

// containerOf returns the container ID of loader index of a run, once it exists.
func containerOf(t *testing.T, rt *fakeRuntime, runID string, index int) string {
	t.Helper()
	var id string
	eventually(t, "the container of loader", func() bool {
		ids := rt.idsOf(runID)
		if index < len(ids) {
			id = ids[index]
		}
		return id != ""
	})
	return id
}

// startOne starts a run of cfg with one loader on a fake runtime and returns the runtime, the
// environment, the service, the run and its container.
func startOne(t *testing.T, cfg *config.Config) (*fakeRuntime, *env, *Service, View, string) {
	t.Helper()
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	v, err := svc.Start(t.Context(), StartRequest{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return rt, e, svc, v, containerOf(t, rt, v.ID, 0)
}
