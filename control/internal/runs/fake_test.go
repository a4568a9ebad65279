package runs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// fakeRuntime stands in for the Docker Engine: containers are records whose log lines, state and
// files a test drives. It embeds Runtime, so a call no test expects panics on the nil interface.
type fakeRuntime struct {
	Runtime

	mu         sync.Mutex
	down       bool            // every call fails as if the engine did not answer
	failStart  int             // the n-th loader start fails (1-based); 0: none
	noImage    bool            // a start fails as the engine does for a missing image
	platform   docker.Platform // what Platform reports; its Mode "" means containers
	runSpecs   []docker.RunSpec
	states     []string // the state keys RemoveState was called with
	starts     int
	nextID     int
	clock      time.Time
	containers map[string]*fakeContainer
	specs      []docker.Spec
	stops      []string
	removed    []string
	events     chan docker.Event
	// onStop runs when a container is stopped, before it is marked exited (0 by default): a test
	// makes the "loader" print its summary there.
	onStop func(f *fakeRuntime, id string) int
}

// fakeContainer is one container of the fake engine.
type fakeContainer struct {
	c       docker.Container
	spec    docker.Spec
	lines   []docker.LogLine
	files   []docker.File // what CopyOut finds under /data
	changed chan struct{} // closed and replaced on every change
}

var errEngineDown = fmt.Errorf("%w: connection refused", docker.ErrUnavailable)

func newFakeRuntime() *fakeRuntime {
	return &fakeRuntime{containers: make(map[string]*fakeContainer), events: make(chan docker.Event, 64),
		clock: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// addContainer registers a container (for reconcile tests, or from Launch) and returns its ID.
func (f *fakeRuntime) addContainer(runID string, index int, kind, state string, exitCode int) string {
	return f.addLoader(runID, index, kind, state, exitCode, false)
}

// addLoader registers a loader: a container, or with slot a slot of a Swarm service (its ID a
// slot handle).
func (f *fakeRuntime) addLoader(runID string, index int, kind, state string, exitCode int, slot bool) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("c%03d%s", f.nextID, strings.Repeat("0", 60))
	if slot {
		id = fmt.Sprintf("swarm:svc%s:%d", runID, index+1)
	}
	f.containers[id] = &fakeContainer{
		c:       docker.Container{ID: id, Name: "fake-" + id[:4], RunID: runID, Index: index, Kind: kind, State: state, ExitCode: exitCode},
		changed: make(chan struct{}),
	}
	return id
}

// notifyLocked wakes log readers of c.
func (c *fakeContainer) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// emit appends a log line to a container, stamped with the fake's clock (1 ms per line).
func (f *fakeRuntime) emit(id, stream, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.containers[id]
	f.clock = f.clock.Add(time.Millisecond)
	c.lines = append(c.lines, docker.LogLine{Stream: stream, Time: f.clock, Text: text})
	c.notifyLocked()
}

// setState changes a container's state (exited with a code, restarting, running) and sends the
// event Docker would.
func (f *fakeRuntime) setState(id, state string, code int) {
	f.mu.Lock()
	c, ok := f.containers[id]
	if !ok { // already removed: the service ended the run when another loader failed
		f.mu.Unlock()
		return
	}
	c.c.State, c.c.ExitCode = state, code
	c.notifyLocked()
	ev := docker.Event{Action: docker.EventStart, ContainerID: id, RunID: c.c.RunID, Index: c.c.Index}
	if state != "running" {
		ev.Action, ev.ExitCode = docker.EventDie, code
	}
	f.mu.Unlock()
	select {
	case f.events <- ev:
	default:
	}
}

// setEngineError sets why the engine says a loader ended (Container.Error).
func (f *fakeRuntime) setEngineError(id, msg string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.containers[id].c.Error = msg
}

// setFiles sets what a container holds under /data.
func (f *fakeRuntime) setFiles(id string, files ...docker.File) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.containers[id].files = files
}

// get returns a copy of a container's record; ok is false once it was removed.
func (f *fakeRuntime) get(id string) (docker.Container, docker.Spec, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return docker.Container{}, docker.Spec{}, false
	}
	return c.c, c.spec, true
}

// idsOf lists the container IDs of a run by loader index.
func (f *fakeRuntime) idsOf(runID string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, s := range f.specs {
		if s.RunID == runID {
			ids = append(ids, s.Labels["fake-id"])
		}
	}
	return ids
}

func (f *fakeRuntime) Ping(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errEngineDown
	}
	return nil
}

func (f *fakeRuntime) Stop(_ context.Context, id string, _ time.Duration) error {
	f.mu.Lock()
	f.stops = append(f.stops, id)
	c, ok := f.containers[id]
	running := ok && c.c.State == "running"
	hook := f.onStop
	f.mu.Unlock()
	if !ok {
		return fmt.Errorf("stop container: %w", docker.ErrNotFound)
	}
	if running {
		code := 0
		if hook != nil {
			code = hook(f, id)
		}
		f.setState(id, "exited", code)
	}
	return nil
}

func (f *fakeRuntime) Remove(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errEngineDown
	}
	if c, ok := f.containers[id]; ok {
		c.c.State = "removed"
		c.notifyLocked()
		delete(f.containers, id)
		f.removed = append(f.removed, id)
	}
	return nil
}

func (f *fakeRuntime) StopAndRemove(ctx context.Context, id string, timeout time.Duration) error {
	if err := f.Stop(ctx, id, timeout); err != nil {
		return nil // already gone counts as success, as in docker.Runtime
	}
	return f.Remove(ctx, id)
}

func (f *fakeRuntime) List(_ context.Context, flt docker.Filter) ([]docker.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return nil, errEngineDown
	}
	var out []docker.Container
	for _, c := range f.containers {
		if (flt.RunID == "" || c.c.RunID == flt.RunID) && (flt.All || c.c.State == "running") {
			out = append(out, c.c)
		}
	}
	return out, nil
}

func (f *fakeRuntime) Inspect(_ context.Context, id string) (docker.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return docker.Container{}, fmt.Errorf("inspect container %s: %w", id[:12], docker.ErrNotFound)
	}
	return c.c, nil
}

// Logs serves a container's lines after opts.Since and, with Follow, new ones until the
// container is not running any more, as the engine does.
func (f *fakeRuntime) Logs(ctx context.Context, id string, opts docker.LogOptions) (<-chan docker.LogLine, <-chan error) {
	lines := make(chan docker.LogLine)
	errs := make(chan error, 1)
	go func() {
		defer close(lines)
		defer close(errs)
		next := 0
		for {
			f.mu.Lock()
			c, ok := f.containers[id]
			if !ok {
				f.mu.Unlock()
				errs <- fmt.Errorf("logs: %w", docker.ErrNotFound)
				return
			}
			batch := append([]docker.LogLine(nil), c.lines[next:]...)
			next = len(c.lines)
			more := opts.Follow && c.c.State == "running"
			changed := c.changed
			f.mu.Unlock()
			for _, l := range batch {
				if l.Time.Before(opts.Since) {
					continue
				}
				select {
				case lines <- l:
				case <-ctx.Done():
					errs <- ctx.Err()
					return
				}
			}
			if !more {
				return
			}
			select {
			case <-changed:
			case <-ctx.Done():
				errs <- ctx.Err()
				return
			}
		}
	}()
	return lines, errs
}

func (f *fakeRuntime) Events(ctx context.Context) (<-chan docker.Event, <-chan error) {
	out := make(chan docker.Event)
	errs := make(chan error, 1)
	go func() {
		defer close(out)
		defer close(errs)
		for {
			select {
			case e := <-f.events:
				select {
				case out <- e:
				case <-ctx.Done():
					errs <- ctx.Err()
					return
				}
			case <-ctx.Done():
				errs <- ctx.Err()
				return
			}
		}
	}()
	return out, errs
}

func (f *fakeRuntime) CopyOut(_ context.Context, id, dir string, match func(string) bool) ([]docker.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.containers[id]
	if !ok {
		return nil, fmt.Errorf("copy out: %w", docker.ErrNotFound)
	}
	var out []docker.File
	for _, file := range c.files {
		name := strings.TrimPrefix(file.Path, dir+"/")
		if name != file.Path && (match == nil || match(name)) {
			out = append(out, file)
		}
	}
	return out, nil
}

// setDown makes the engine stop (or start again) answering.
func (f *fakeRuntime) setDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// wasStopped reports whether Stop was called for a container.
func (f *fakeRuntime) wasStopped(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.stops, id)
}

// started returns the specs of the containers started so far.
func (f *fakeRuntime) started() []docker.Spec {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.specs)
}
