package main

import (
	"context"
	"errors"
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

// Until Docker answers, the holder says "unavailable"; once a dial succeeds, it delegates; Close
// stops the retries and closes the service.
func TestRunsHolderConnectsLater(t *testing.T) {
	h := &runsHolder{}
	if err := h.Ping(t.Context()); !errors.Is(err, runs.ErrUnavailable) {
		t.Fatalf("before connect: %v", err)
	}
	var closed atomic.Bool
	connected := make(chan struct{})
	n := 0 // dial is called by one goroutine at a time
	dial := func(context.Context) (api.RunService, func() error, error) {
		n++
		if n < 3 {
			return nil, nil, runs.ErrUnavailable
		}
		close(connected)
		return pingOnly{}, func() error { closed.Store(true); return nil }, nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	connectRuns(ctx, h, dial, time.Millisecond, slog.New(slog.DiscardHandler))
	if _, err := h.List(t.Context(), runs.ListFilter{}); !errors.Is(err, runs.ErrUnavailable) {
		t.Errorf("list after a failed first attempt: %v", err)
	}
	<-connected
	cancel()
	if err := h.Close(); err != nil || !closed.Load() {
		t.Fatalf("close: %v, closed %v", err, closed.Load())
	}
	if err := h.Ping(t.Context()); err != nil {
		t.Errorf("after connect: %v", err)
	}

	// A holder that never connects closes cleanly once its context ends.
	h2 := &runsHolder{}
	ctx2, cancel2 := context.WithCancel(t.Context())
	connectRuns(ctx2, h2, func(context.Context) (api.RunService, func() error, error) { return nil, nil, runs.ErrUnavailable },
		time.Millisecond, slog.New(slog.DiscardHandler))
	cancel2()
	if err := h2.Close(); err != nil {
		t.Errorf("close without service: %v", err)
	}
}
