package docker

import (
	"context"
	"errors"
	"fmt"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/api/types/volume"
)

// Timing of the operations that wait for Swarm: a scaled-down task takes its stop grace period to
// end, and a secret, config or volume can be removed only once no container uses it any more.
var (
	swarmPollEvery   = 500 * time.Millisecond
	stopSlotMargin   = 15 * time.Second // beyond the stop timeout: SIGKILL, and Swarm noting the end
	releaseTimeout   = 30 * time.Second // for the containers of removed tasks to go
	scaleUpdateTries = 5                // a concurrent change of the service makes an update fail
)

// stopSlot scales the slot's service to zero and waits until the slot's task has ended or is gone.
func (r *Runtime) stopSlot(ctx context.Context, serviceID string, slot int, timeout time.Duration) error {
	if err := r.scaleToZero(ctx, serviceID); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, max(timeout, 0)+stopSlotMargin)
	defer cancel()
	for {
		c, err := r.inspectSlot(ctx, serviceID, slot)
		switch {
		case errors.Is(err, ErrNotFound):
			return nil
		case err == nil && (c.State == "exited" || c.State == "dead"):
			return nil
		}
		if !pause(ctx, swarmPollEvery) {
			return fmt.Errorf("stop slot %d of service %s: %w", slot, serviceID, ctx.Err())
		}
	}
}

// scaleToZero sets a service's replicas to 0, unless they are already. Concurrent calls for the
// slots of one service update it once.
func (r *Runtime) scaleToZero(ctx context.Context, serviceID string) error {
	sw, err := r.swarmAPI()
	if err != nil {
		return fmt.Errorf("stop service %s: %w", serviceID, err)
	}
	r.scaleMu.Lock()
	defer r.scaleMu.Unlock()
	var lastErr error
	for range scaleUpdateTries {
		svc, _, err := sw.ServiceInspectWithRaw(ctx, serviceID, swarm.ServiceInspectOptions{})
		if err != nil {
			return fmt.Errorf("stop service %s: %w", serviceID, classify(err))
		}
		if replicas(svc) == 0 || svc.Spec.Mode.Replicated == nil {
			return nil
		}
		spec := svc.Spec
		zero := uint64(0)
		spec.Mode.Replicated = &swarm.ReplicatedService{Replicas: &zero}
		_, lastErr = sw.ServiceUpdate(ctx, serviceID, svc.Version, spec, swarm.ServiceUpdateOptions{})
		if lastErr == nil {
			return nil
		}
		if errors.Is(classify(lastErr), ErrNotFound) {
			return fmt.Errorf("stop service %s: %w", serviceID, classify(lastErr))
		}
	}
	return fmt.Errorf("stop service %s: scale to zero: %w", serviceID, classify(lastErr))
}

// removeServiceObjects removes a run's services, then its secrets and configs, which Swarm frees
// only once the services' tasks are gone: their removal is retried until then.
func (r *Runtime) removeServiceObjects(ctx context.Context, sw swarmEngine, runID string) error {
	args := r.serviceFilters(runID)
	services, err := sw.ServiceList(ctx, swarm.ServiceListOptions{Filters: args})
	if err != nil {
		return fmt.Errorf("list services: %w", classify(err))
	}
	var errs []error
	for _, s := range services {
		if err := sw.ServiceRemove(ctx, s.ID); err != nil && !errors.Is(classify(err), ErrNotFound) {
			errs = append(errs, fmt.Errorf("remove service %s: %w", s.Spec.Name, classify(err)))
		}
	}
	errs = append(errs, retryReleased(ctx, func() error { return r.removeFiles(ctx, sw, args) }))
	return errors.Join(errs...)
}

// removeFiles removes the secrets and configs that args select.
func (r *Runtime) removeFiles(ctx context.Context, sw swarmEngine, args filters.Args) error {
	secrets, err := sw.SecretList(ctx, swarm.SecretListOptions{Filters: args})
	if err != nil {
		return fmt.Errorf("list secrets: %w", classify(err))
	}
	configs, err := sw.ConfigList(ctx, swarm.ConfigListOptions{Filters: args})
	if err != nil {
		return fmt.Errorf("list configs: %w", classify(err))
	}
	var errs []error
	for _, s := range secrets {
		errs = append(errs, removed("secret "+s.Spec.Name, sw.SecretRemove(ctx, s.ID)))
	}
	for _, c := range configs {
		errs = append(errs, removed("config "+c.Spec.Name, sw.ConfigRemove(ctx, c.ID)))
	}
	return errors.Join(errs...)
}

// RemoveState removes a swarm backfill's state volumes (those labelled with the state key, of
// this scope) from the control's own node. Volumes on other nodes are out of its reach: remove
// them there, or use a shared volume driver. None left counts as success.
func (r *Runtime) RemoveState(ctx context.Context, key string) error {
	if !stateKeyPattern.MatchString(key) {
		return fmt.Errorf("remove state %q: %w: not a state key", key, ErrInvalidSpec)
	}
	sw, err := r.swarmAPI()
	if err != nil {
		return nil // without a swarm there are no state volumes
	}
	args := filters.NewArgs(
		filters.Arg("label", labelFilter(LabelScope, r.scope)),
		filters.Arg("label", labelFilter(LabelState, key)),
	)
	err = r.removeVolumes(ctx, sw, args)
	if err != nil {
		return fmt.Errorf("remove state %s: %w", key, err)
	}
	return nil
}

// removeVolumes removes the volumes that args select, waiting for containers that still use them
// to go (at most releaseTimeout).
func (r *Runtime) removeVolumes(ctx context.Context, sw swarmEngine, args filters.Args) error {
	return retryReleased(ctx, func() error {
		vols, err := sw.VolumeList(ctx, volume.ListOptions{Filters: args})
		if err != nil {
			return fmt.Errorf("list volumes: %w", classify(err))
		}
		var errs []error
		for _, v := range vols.Volumes {
			errs = append(errs, removed("volume "+v.Name, sw.VolumeRemove(ctx, v.Name, false)))
		}
		return errors.Join(errs...)
	})
}

// errInUse marks a removal the engine refused because a container still uses the object.
var errInUse = errors.New("still in use")

// removed describes the outcome of one removal: a missing object counts as removed, one in use
// wraps errInUse (to be tried again).
func removed(what string, err error) error {
	switch {
	case err == nil, errors.Is(classify(err), ErrNotFound):
		return nil
	case cerrdefs.IsInvalidArgument(err), cerrdefs.IsConflict(err):
		return fmt.Errorf("remove %s: %w: %w", what, errInUse, err)
	}
	return fmt.Errorf("remove %s: %w", what, classify(err))
}

// retryReleased calls fn until it no longer fails for something in use, at most releaseTimeout.
func retryReleased(ctx context.Context, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	for {
		err := fn()
		if !errors.Is(err, errInUse) {
			return err
		}
		if !pause(ctx, swarmPollEvery) {
			return err
		}
	}
}

// pause waits d, or returns false when ctx ends first.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
