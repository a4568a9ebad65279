package runs

import (
	"context"
	"fmt"
	"slices"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// The run-level calls of the fake engine: how loaders run, starting a run's loaders, removing
// what a run left.

func (f *fakeRuntime) Platform(context.Context) (docker.Platform, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return docker.Platform{}, errEngineDown
	}
	p := f.platform
	if p.Mode == "" {
		p.Mode = docker.ModeContainers
	}
	return p, nil
}

// Launch starts the loaders one by one, as docker.Runtime does for containers (on a fake swarm,
// with slot handles for IDs); a failed start removes the run's loaders again.
func (f *fakeRuntime) Launch(ctx context.Context, rs docker.RunSpec) ([]docker.Container, error) {
	f.mu.Lock()
	f.runSpecs = append(f.runSpecs, rs)
	swarm := f.platform.Mode == docker.ModeSwarm
	f.mu.Unlock()
	out := make([]docker.Container, 0, rs.Loaders)
	for i := range rs.Loaders {
		spec := rs.Loader
		spec.Index = i
		spec.Files = slices.Concat(rs.Loader.Files, rs.IndexFiles[i], rs.Secrets)
		spec.Env = append(slices.Clone(spec.Env), fmt.Sprintf("%s=%d", rs.SlotEnv, i+1))
		c, err := f.start(spec, swarm)
		if err != nil {
			_ = f.RemoveRun(ctx, rs.Loader.RunID)
			return nil, fmt.Errorf("launch run %s: loader %d: %w", spec.RunID, i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// start starts one loader.
func (f *fakeRuntime) start(spec docker.Spec, slot bool) (docker.Container, error) {
	f.mu.Lock()
	f.starts++
	fail := f.down || f.starts == f.failStart
	noImage := f.noImage
	f.mu.Unlock()
	if noImage {
		return docker.Container{}, fmt.Errorf("start loader %s/%d: create container: No such image: %s: %w", spec.RunID, spec.Index, spec.Image, docker.ErrNotFound)
	}
	if fail {
		return docker.Container{}, fmt.Errorf("start loader %s/%d: create container: %w", spec.RunID, spec.Index, errEngineDown)
	}
	id := f.addLoader(spec.RunID, spec.Index, spec.Kind, "running", 0, slot)
	f.mu.Lock()
	defer f.mu.Unlock()
	spec.Labels = map[string]string{"fake-id": id}
	f.specs = append(f.specs, spec)
	f.containers[id].spec = spec
	return f.containers[id].c, nil
}

// RemoveRun removes every loader of a run.
func (f *fakeRuntime) RemoveRun(ctx context.Context, runID string) error {
	f.mu.Lock()
	var ids []string
	for id, c := range f.containers {
		if c.c.RunID == runID {
			ids = append(ids, id)
		}
	}
	f.mu.Unlock()
	for _, id := range ids {
		if err := f.Remove(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeRuntime) RemoveState(_ context.Context, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states = append(f.states, key)
	return nil
}
