package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/api"
	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// dialFunc connects to the Docker Engine and starts the run service; closeFn releases both.
type dialFunc func(ctx context.Context) (svc api.RunService, closeFn func() error, err error)

// runsHolder is the run service once the Docker Engine answers. Until then every call fails with
// runs.ErrUnavailable (HTTP 503), so that configs, presets and the rest of the API work while
// Docker is down, and runs appear as soon as it is back.
type runsHolder struct {
	box atomic.Pointer[runsBox]
	wg  sync.WaitGroup // the background connect loop
}

type runsBox struct {
	svc     api.RunService
	closeFn func() error
}

var _ api.RunService = (*runsHolder)(nil)

// connect dials every retry until it succeeds or ctx ends (the caller made the first attempt).
func (h *runsHolder) connect(ctx context.Context, dial dialFunc, retry time.Duration, log *slog.Logger) {
	t := time.NewTimer(retry)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		svc, closeFn, err := dial(ctx)
		if err == nil {
			h.box.Store(&runsBox{svc: svc, closeFn: closeFn})
			log.Info("docker engine reachable; runs are available")
			return
		}
		log.Debug("docker engine still unavailable", "err", err)
		t.Reset(retry)
	}
}

// Close waits for the connect loop (whose context the caller has ended) and releases the run
// service, if it was started. Containers keep running.
func (h *runsHolder) Close() error {
	h.wg.Wait()
	if b := h.box.Load(); b != nil && b.closeFn != nil {
		return b.closeFn()
	}
	return nil
}

func (h *runsHolder) get() (api.RunService, error) {
	b := h.box.Load()
	if b == nil {
		return nil, fmt.Errorf("run service not started: %w", runs.ErrUnavailable)
	}
	return b.svc, nil
}

func (h *runsHolder) Start(ctx context.Context, req runs.StartRequest) (runs.View, error) {
	s, err := h.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Start(ctx, req)
}

func (h *runsHolder) List(ctx context.Context, f runs.ListFilter) ([]runs.View, error) {
	s, err := h.get()
	if err != nil {
		return nil, err
	}
	return s.List(ctx, f)
}

func (h *runsHolder) Get(ctx context.Context, id string) (runs.View, error) {
	s, err := h.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Get(ctx, id)
}

func (h *runsHolder) Stop(ctx context.Context, id string) (runs.View, error) {
	s, err := h.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Stop(ctx, id)
}

func (h *runsHolder) Restart(ctx context.Context, id string) (runs.View, error) {
	s, err := h.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Restart(ctx, id)
}

func (h *runsHolder) Delete(ctx context.Context, id string) error {
	s, err := h.get()
	if err != nil {
		return err
	}
	return s.Delete(ctx, id)
}

func (h *runsHolder) Logs(ctx context.Context, id string, tail int, follow bool) (<-chan runs.LogLine, error) {
	s, err := h.get()
	if err != nil {
		return nil, err
	}
	return s.Logs(ctx, id, tail, follow)
}

func (h *runsHolder) Events(ctx context.Context, id string) (<-chan runs.Event, error) {
	s, err := h.get()
	if err != nil {
		return nil, err
	}
	return s.Events(ctx, id)
}

func (h *runsHolder) Ping(ctx context.Context) error {
	s, err := h.get()
	if err != nil {
		return err
	}
	return s.Ping(ctx)
}
