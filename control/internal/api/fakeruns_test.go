package api

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// fakeRuns is an in-memory RunService with the contract's errors. Runs are created in the real
// store too (CreateRun), so that log redaction can find their tokens.
type fakeRuns struct {
	st *store.Store

	mu          sync.Mutex
	views       map[string]runs.View
	logs        map[string][]runs.LogLine
	events      map[string][]runs.Event
	records     map[string][]compare.Record
	maxActive   int
	unavailable bool
	failWith    error // returned by every call when set
	lastList    runs.ListFilter
	starts      []runs.StartRequest
	// holdFollow keeps followed log streams open until the run is no longer active.
	holdFollow bool
}

func newFakeRuns(st *store.Store) *fakeRuns {
	return &fakeRuns{st: st, views: map[string]runs.View{}, logs: map[string][]runs.LogLine{},
		events: map[string][]runs.Event{}, records: map[string][]compare.Record{}, maxActive: 2}
}

func (f *fakeRuns) check() error {
	if f.unavailable {
		return fmt.Errorf("fake: %w", runs.ErrUnavailable)
	}
	if f.failWith != nil {
		return fmt.Errorf("fake: %w", f.failWith)
	}
	return nil
}

func (f *fakeRuns) Start(ctx context.Context, req runs.StartRequest) (runs.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return runs.View{}, err
	}
	active := 0
	for _, v := range f.views {
		if store.IsActive(v.State) {
			active++
		}
	}
	if active >= f.maxActive {
		return runs.View{}, fmt.Errorf("fake: %w", runs.ErrLimit)
	}
	var cfg config.Config
	switch {
	case req.Config != nil:
		cfg = *req.Config
	case req.ConfigID != nil:
		sc, err := f.st.GetConfig(ctx, *req.ConfigID)
		if err != nil {
			return runs.View{}, err
		}
		cfg = sc.Values
	default:
		if _, ok := f.views[req.ResumeOf]; !ok {
			return runs.View{}, fmt.Errorf("fake: resume %s: %w", req.ResumeOf, runs.ErrNotFound)
		}
		cfg = config.Default()
	}
	mode := req.Mode
	if mode == "" {
		mode = runs.ModeLive
	}
	r, err := f.st.CreateRun(ctx, store.Run{Name: req.Name, Mode: mode, ConfigID: req.ConfigID, Config: cfg, State: store.StateRunning})
	if err != nil {
		return runs.View{}, err
	}
	now := time.Now()
	v := runs.View{ID: r.ID, Name: req.Name, Mode: mode, State: store.StateRunning, ConfigID: req.ConfigID,
		Config: config.ToMap(cfg.Redacted()), TokenSet: cfg.TokenAuth != "", CreatedAt: now, StartedAt: &now, Uptime: 1, Loaders: 1}
	f.views[r.ID] = v
	f.starts = append(f.starts, req)
	return v, nil
}

func (f *fakeRuns) List(_ context.Context, lf runs.ListFilter) ([]runs.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	var out []runs.View
	for _, v := range f.views {
		if !lf.ActiveOnly || store.IsActive(v.State) {
			out = append(out, v)
		}
	}
	f.lastList = lf
	return out, nil
}

func (f *fakeRuns) Get(_ context.Context, id string) (runs.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return runs.View{}, err
	}
	v, ok := f.views[id]
	if !ok {
		return runs.View{}, fmt.Errorf("fake: run %s: %w", id, runs.ErrNotFound)
	}
	return v, nil
}

func (f *fakeRuns) Stop(_ context.Context, id string) (runs.View, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return runs.View{}, err
	}
	v, ok := f.views[id]
	switch {
	case !ok:
		return runs.View{}, fmt.Errorf("fake: run %s: %w", id, runs.ErrNotFound)
	case !store.IsActive(v.State):
		return runs.View{}, fmt.Errorf("fake: run %s is %s: %w", id, v.State, runs.ErrConflict)
	}
	v.State = store.StateStopped
	f.views[id] = v
	return v, nil
}

func (f *fakeRuns) Restart(ctx context.Context, id string) (runs.View, error) {
	v, err := f.Get(ctx, id)
	if err != nil {
		return runs.View{}, err
	}
	if store.IsActive(v.State) {
		if _, err := f.Stop(ctx, id); err != nil {
			return runs.View{}, err
		}
	}
	r, err := f.st.GetRun(ctx, id)
	if err != nil {
		return runs.View{}, err
	}
	cfg := r.Config
	return f.Start(ctx, runs.StartRequest{Name: v.Name, Mode: v.Mode, ConfigID: v.ConfigID, Config: &cfg})
}

func (f *fakeRuns) Delete(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return err
	}
	v, ok := f.views[id]
	switch {
	case !ok:
		return fmt.Errorf("fake: run %s: %w", id, runs.ErrNotFound)
	case store.IsActive(v.State):
		return fmt.Errorf("fake: run %s: %w", id, runs.ErrConflict)
	}
	delete(f.views, id)
	return nil
}

func (f *fakeRuns) Logs(ctx context.Context, id string, tail int, follow bool) (<-chan runs.LogLine, error) {
	if _, err := f.Get(ctx, id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	lines := f.logs[id]
	hold := f.holdFollow
	f.mu.Unlock()
	if len(lines) > tail {
		lines = lines[len(lines)-tail:]
	}
	ch := make(chan runs.LogLine)
	go func() {
		defer close(ch)
		for _, l := range lines {
			select {
			case ch <- l:
			case <-ctx.Done():
				return
			}
		}
		if follow && hold {
			<-ctx.Done()
		}
	}()
	return ch, nil
}

func (f *fakeRuns) Events(ctx context.Context, id string) (<-chan runs.Event, error) {
	if _, err := f.Get(ctx, id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	evs := f.events[id]
	f.mu.Unlock()
	ch := make(chan runs.Event)
	go func() {
		defer close(ch)
		for _, e := range evs {
			select {
			case ch <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, nil
}

// Report builds the comparison of the records set with setReport, as the service does.
func (f *fakeRuns) Report(_ context.Context, id, baseline string) (*compare.Report, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(); err != nil {
		return nil, err
	}
	if _, ok := f.views[id]; !ok {
		return nil, fmt.Errorf("fake: %w", runs.ErrNotFound)
	}
	recs := f.records[id]
	return compare.Build(recs, compare.Options{Baseline: baseline, RunID: id})
}

func (f *fakeRuns) setRecords(id string, recs ...compare.Record) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[id] = recs
}

func (f *fakeRuns) Runtime() string { return "containers" }

func (f *fakeRuns) Ping(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.check()
}

// setLogs and setEvents give a run its output.
func (f *fakeRuns) setLogs(id string, lines ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range lines {
		f.logs[id] = append(f.logs[id], runs.LogLine{Stream: "stderr", Time: time.Now(), Text: s})
	}
}

func (f *fakeRuns) setEvents(id string, evs ...runs.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events[id] = append(f.events[id], evs...)
}

func (f *fakeRuns) setUnavailable(b bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unavailable = b
}
