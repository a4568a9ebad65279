package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/api"
	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// pingOnly is a run service that only answers Ping.
type pingOnly struct{ api.RunService }

func (pingOnly) Ping(context.Context) error { return nil }

// A run service reached at once is handed over before connectRuns returns (runs are reconciled
// before the first request); one reached later is handed over when it answers; Close stops the
// retries and closes the service; a connection never made closes cleanly.
func TestConnectRuns(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	tests := []struct {
		name     string
		failures int  // dials that fail before one succeeds; -1: none succeeds
		wantSync bool // the service must be set before connectRuns returns
	}{
		// Docker answers at start.
		{"at once", 0, true},
		// Docker answers on the third attempt.
		{"later", 2, false},
		// Docker never answers.
		{"never", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var set atomic.Pointer[api.RunService]
			var closed atomic.Bool
			connected := make(chan struct{})
			n := 0 // dial is called by one goroutine at a time
			dial := func(context.Context) (api.RunService, func() error, error) {
				n++
				if tt.failures < 0 || n <= tt.failures {
					return nil, nil, runs.ErrUnavailable
				}
				close(connected)
				return pingOnly{}, func() error { closed.Store(true); return nil }, nil
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			c := connectRuns(ctx, func(svc api.RunService) { set.Store(&svc) }, dial, time.Millisecond, quiet)
			if tt.wantSync && set.Load() == nil {
				t.Fatal("connectRuns returned before handing over the service it reached")
			}
			if tt.failures >= 0 {
				<-connected
			}
			cancel()
			if err := c.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			if tt.failures < 0 {
				if set.Load() != nil || closed.Load() {
					t.Fatal("a service was set or closed without a connection")
				}
				return
			}
			if p := set.Load(); p == nil || (*p).Ping(t.Context()) != nil || !closed.Load() {
				t.Fatalf("service set %v, closed %v", p != nil, closed.Load())
			}
		})
	}
}
