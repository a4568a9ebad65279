package docker

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// RunSpec describes every loader of one run. Launch starts them as the Runtime's mode says: a
// container per loader, or one Swarm service with a replica per loader.
type RunSpec struct {
	// Loader is what every loader runs; its Index is ignored (each loader gets its own). Its Files
	// go to every loader: copied into each container, or mounted from Swarm configs.
	Loader Spec
	// Loaders is how many loaders the run has (at least 1).
	Loaders int
	// SlotEnv names the environment variable that tells each loader its slot, 1 to Loaders (its
	// shard + 1): containers get the number, a service's tasks Swarm's {{.Task.Slot}}. Empty: none.
	SlotEnv string
	// Secrets are files only the loader's user may read (tokens), under Loader.DataDir. Containers
	// get them copied in like Files; a service gets them as Swarm secrets, made for the run and
	// removed with it, so that no token is in the service's spec (`docker service inspect`).
	Secrets []File
	// IndexFiles are more files for loader i alone (a resumed backfill's checkpoint). Containers only:
	// a swarm run keeps its state on volumes (StateKey).
	IndexFiles map[int][]File
	// Placement constrains where a service's tasks run, in Swarm's syntax ("node.role==worker",
	// "node.labels.loadgen==true"). Swarm only.
	Placement []string
	// StateKey, on a swarm, puts Loader.DataDir on a volume per slot, named after the key and the
	// slot, that outlives the slot's tasks: a task Swarm starts again in the slot, or the same slot
	// of a later run given the same key, finds the state its predecessor left. Empty: DataDir is a
	// volume of each task's own, removed with it. Swarm only.
	StateKey string
}

// Swarm's limits on the size of a secret and of a config (swarmkit's MaxSecretSize and
// MaxConfigSize).
const (
	MaxSecretBytes = 500 * 1024
	MaxConfigBytes = 1000 * 1024
)

// stateKeyPattern is what a StateKey may be: it becomes part of volume names.
var stateKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$`)

// validate reports every problem of a RunSpec for a Runtime in mode, wrapped in ErrInvalidSpec.
func (rs RunSpec) validate(mode string) error {
	var errs []error
	tmpl := rs.Loader
	tmpl.Index, tmpl.Files = 0, slices.Concat(rs.Loader.Files, rs.Secrets)
	if err := tmpl.validate(); err != nil {
		errs = append(errs, err)
	}
	if rs.Loaders < 1 {
		errs = append(errs, fmt.Errorf("%w: %d loaders: at least 1", ErrInvalidSpec, rs.Loaders))
	}
	for i, files := range rs.IndexFiles {
		if i < 0 || i >= rs.Loaders {
			errs = append(errs, fmt.Errorf("%w: files for loader %d of %d", ErrInvalidSpec, i, rs.Loaders))
		}
		if fe := validateFiles(rs.Loader.DataDir, slices.Concat(tmpl.Files, files)); len(fe) > 0 {
			errs = append(errs, fmt.Errorf("%w: loader %d: %w", ErrInvalidSpec, i, errors.Join(fe...)))
		}
	}
	if mode == ModeSwarm {
		errs = append(errs, rs.validateSwarm()...)
	} else if len(rs.Placement) > 0 || rs.StateKey != "" {
		errs = append(errs, fmt.Errorf("%w: placement and state volumes need a swarm", ErrInvalidSpec))
	}
	return errors.Join(errs...)
}

// validateSwarm reports what a service cannot be made of.
func (rs RunSpec) validateSwarm() []error {
	var errs []error
	if len(rs.IndexFiles) > 0 {
		errs = append(errs, fmt.Errorf("%w: files for single loaders: a service's replicas share one spec", ErrInvalidSpec))
	}
	if rs.StateKey != "" && !stateKeyPattern.MatchString(rs.StateKey) {
		errs = append(errs, fmt.Errorf("%w: state key %q: letters, digits, '_', '.', '-', at most 64", ErrInvalidSpec, rs.StateKey))
	}
	if rs.StateKey != "" && rs.Loader.DataDir == "" {
		errs = append(errs, fmt.Errorf("%w: a state key needs a data directory", ErrInvalidSpec))
	}
	for _, f := range rs.Secrets {
		if len(f.Data) > MaxSecretBytes {
			errs = append(errs, fmt.Errorf("%w: secret %s is %d bytes; Swarm takes at most %d", ErrInvalidSpec, f.Path, len(f.Data), MaxSecretBytes))
		}
	}
	for _, f := range rs.Loader.Files {
		if len(f.Data) > MaxConfigBytes {
			errs = append(errs, fmt.Errorf("%w: file %s is %d bytes; a Swarm config holds at most %d", ErrInvalidSpec, f.Path, len(f.Data), MaxConfigBytes))
		}
	}
	return errs
}

// Launch starts every loader of a run and returns them in loader order, as Start and List
// describe them. In ModeContainers each loader is a container (Start); in ModeSwarm the run is one
// service with a replica per loader, and each Container is a handle for a slot whose task may not
// have started yet (State "created"). When anything fails, whatever was made for the run is
// removed again (RemoveRun) and the error is returned.
func (r *Runtime) Launch(ctx context.Context, rs RunSpec) ([]Container, error) {
	if err := rs.validate(r.mode); err != nil {
		return nil, fmt.Errorf("launch run %s: %w", rs.Loader.RunID, err)
	}
	var (
		out []Container
		err error
	)
	if r.mode == ModeSwarm {
		out, err = r.launchService(ctx, rs)
	} else {
		out, err = r.launchContainers(ctx, rs)
	}
	if err != nil {
		err = fmt.Errorf("launch run %s: %w", rs.Loader.RunID, err)
		return nil, errors.Join(err, r.cleanupRun(ctx, rs.Loader.RunID))
	}
	return out, nil
}

// launchContainers starts a container per loader.
func (r *Runtime) launchContainers(ctx context.Context, rs RunSpec) ([]Container, error) {
	out := make([]Container, 0, rs.Loaders)
	for i := range rs.Loaders {
		spec := rs.Loader
		spec.Index = i
		spec.Files = slices.Concat(rs.Loader.Files, rs.IndexFiles[i], rs.Secrets)
		if rs.SlotEnv != "" {
			spec.Env = append(slices.Clone(spec.Env), rs.SlotEnv+"="+strconv.Itoa(i+1))
		}
		c, err := r.Start(ctx, spec)
		if err != nil {
			return nil, fmt.Errorf("loader %d: %w", i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// cleanupRun removes what a failed launch made. It runs even when ctx is already cancelled,
// bounded by cleanupTimeout.
func (r *Runtime) cleanupRun(ctx context.Context, runID string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return r.RemoveRun(ctx, runID)
}

// RemoveRun removes what a run has in the engine, gracefully or not: its containers, killed if
// they still run; on a swarm its services with their secrets and configs. A backfill's state
// volumes stay (RemoveState). Nothing left counts as success, so RemoveRun is idempotent.
func (r *Runtime) RemoveRun(ctx context.Context, runID string) error {
	if runID == "" {
		return fmt.Errorf("remove run: %w: run id is empty", ErrInvalidSpec)
	}
	cs, err := r.listContainers(ctx, Filter{RunID: runID, All: true})
	if err != nil {
		return fmt.Errorf("remove run %s: %w", runID, err)
	}
	var errs []error
	for _, c := range cs {
		errs = append(errs, r.Remove(ctx, c.ID))
	}
	if sw, err := r.swarmAPI(); err == nil {
		errs = append(errs, r.removeServiceObjects(ctx, sw, runID))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove run %s: %w", runID, err)
	}
	return nil
}
