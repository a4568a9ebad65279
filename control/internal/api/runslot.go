package api

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/pkg/compare"
)

// SetRuns makes svc the run service from now on. The control calls it once the Docker Engine
// answers; until then every run endpoint answers 503, so that configs, presets and the rest of
// the API work while Docker is down, and runs appear as soon as it is back.
func (s *Server) SetRuns(svc RunService) { s.runs.svc.Store(&svc) }

// runSlot is the run service the handlers call: the one SetRuns gave, or, before that, one whose
// every call fails with runs.ErrUnavailable.
type runSlot struct{ svc atomic.Pointer[RunService] }

var _ RunService = (*runSlot)(nil)

func (r *runSlot) get() (RunService, error) {
	if p := r.svc.Load(); p != nil && *p != nil {
		return *p, nil
	}
	return nil, fmt.Errorf("run service not started: %w", runs.ErrUnavailable)
}

func (r *runSlot) Start(ctx context.Context, req runs.StartRequest) (runs.View, error) {
	s, err := r.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Start(ctx, req)
}

func (r *runSlot) List(ctx context.Context, f runs.ListFilter) ([]runs.View, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.List(ctx, f)
}

func (r *runSlot) Get(ctx context.Context, id string) (runs.View, error) {
	s, err := r.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Get(ctx, id)
}

func (r *runSlot) Stop(ctx context.Context, id string) (runs.View, error) {
	s, err := r.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Stop(ctx, id)
}

func (r *runSlot) Restart(ctx context.Context, id string) (runs.View, error) {
	s, err := r.get()
	if err != nil {
		return runs.View{}, err
	}
	return s.Restart(ctx, id)
}

func (r *runSlot) Delete(ctx context.Context, id string) error {
	s, err := r.get()
	if err != nil {
		return err
	}
	return s.Delete(ctx, id)
}

func (r *runSlot) Logs(ctx context.Context, id string, tail int, follow bool) (<-chan runs.LogLine, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.Logs(ctx, id, tail, follow)
}

func (r *runSlot) Events(ctx context.Context, id string) (<-chan runs.Event, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.Events(ctx, id)
}

func (r *runSlot) Report(ctx context.Context, id, baseline string) (*compare.Report, error) {
	s, err := r.get()
	if err != nil {
		return nil, err
	}
	return s.Report(ctx, id, baseline)
}

// Runtime is the run service's, or "" before there is one.
func (r *runSlot) Runtime() string {
	s, err := r.get()
	if err != nil {
		return ""
	}
	return s.Runtime()
}

func (r *runSlot) Ping(ctx context.Context) error {
	s, err := r.get()
	if err != nil {
		return err
	}
	return s.Ping(ctx)
}
