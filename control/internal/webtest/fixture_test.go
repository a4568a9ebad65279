package webtest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/api"
	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/control/internal/web"
)

// sinkToken is the token the sink accepts; the UI enters it as the config's token.
const sinkToken = "0123456789abcdef0123456789abcdef"

// apiKey is the control's API key in the test.
const apiKey = "webtest-key-" + "6f1c2a9e4b7d"

// control is the control service under test, in-process: the API with the embedded UI, a
// SQLite store in a temporary directory, and the run service on the real Docker Engine.
type control struct {
	url string
	svc *runs.Service
	st  *store.Store
}

// startControl starts the control on a loopback port; everything is closed when the test ends.
func startControl(t *testing.T, rt *docker.Runtime, loaderImage string) control {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "control.db"), store.Options{})
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := runs.New(t.Context(), st, rt, runs.Options{LoaderImage: loaderImage, Network: "host",
		StopTimeout: 10 * time.Second, Scope: rt.Scope(), DataDir: t.TempDir(), Log: log})
	if err != nil {
		t.Fatalf("start the run service: %v", err)
	}
	t.Cleanup(func() { svc.Close() })
	srv, err := api.New(api.Deps{Store: st, Runs: svc, APIKey: apiKey, Log: log, UI: web.FS()})
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Config.RegisterOnShutdown(srv.CloseStreams)
	ts.Start()
	t.Cleanup(func() {
		srv.CloseStreams() // event streams never end by themselves while a run is active
		ts.Close()
	})
	return control{url: ts.URL, svc: svc, st: st}
}

// eventually polls cond (bounded by timeout) and fails the test when it never holds.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}
