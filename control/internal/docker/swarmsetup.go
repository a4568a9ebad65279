package docker

import (
	"context"
	"errors"
	"fmt"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/swarm"
)

// swarmSetup lists the SDK calls that make and leave a swarm; *client.Client has them. They are
// for tests and first-time set-ups, not for running loaders, so they stay out of swarmEngine.
type swarmSetup interface {
	SwarmInit(ctx context.Context, req swarm.InitRequest) (string, error)
	SwarmLeave(ctx context.Context, force bool) error
}

// InitSwarm makes the engine the manager of a new single-node swarm that advertises advertiseAddr
// (127.0.0.1 keeps it to the machine), unless the engine is in a swarm already. created reports
// whether it made one: only then should the caller leave it again (LeaveSwarm). The Runtime's own
// mode does not change; make a new Runtime to run loaders on the swarm.
func (r *Runtime) InitSwarm(ctx context.Context, advertiseAddr string) (created bool, err error) {
	setup, ok := r.api.(swarmSetup)
	if !ok || r.sw == nil {
		return false, errors.New("init swarm: the engine client cannot manage swarms")
	}
	info, err := r.sw.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("init swarm: %w", classify(err))
	}
	if info.Swarm.LocalNodeState != swarm.LocalNodeStateInactive {
		return false, nil
	}
	req := swarm.InitRequest{ListenAddr: advertiseAddr + ":2377", AdvertiseAddr: advertiseAddr}
	if _, err := setup.SwarmInit(ctx, req); err != nil {
		return false, fmt.Errorf("init swarm: %w", classify(err))
	}
	return true, nil
}

// LeaveSwarm makes the engine leave its swarm, forcefully (a single-node swarm's last manager
// cannot leave otherwise): every service of the swarm, of any scope, goes with it.
func (r *Runtime) LeaveSwarm(ctx context.Context) error {
	setup, ok := r.api.(swarmSetup)
	if !ok {
		return errors.New("leave swarm: the engine client cannot manage swarms")
	}
	if err := setup.SwarmLeave(ctx, true); err != nil {
		return fmt.Errorf("leave swarm: %w", classify(err))
	}
	return nil
}

// Purge removes everything of this Runtime's scope: its containers, and on a swarm its services,
// secrets, configs and volumes (on this node). Tests use it to clean up; it is also how a
// scope is uninstalled.
func (r *Runtime) Purge(ctx context.Context) error {
	cs, err := r.listContainers(ctx, Filter{All: true})
	if err != nil {
		return fmt.Errorf("purge scope %s: %w", r.scope, err)
	}
	var errs []error
	for _, c := range cs {
		errs = append(errs, r.Remove(ctx, c.ID))
	}
	sw, err := r.swarmAPI()
	if err != nil {
		return errors.Join(errs...)
	}
	errs = append(errs, r.removeServiceObjects(ctx, sw, ""))
	args := filters.NewArgs(filters.Arg("label", labelFilter(LabelScope, r.scope)), filters.Arg("label", labelFilter(LabelManaged, LabelManagedValue)))
	errs = append(errs, r.removeVolumes(ctx, sw, args))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("purge scope %s: %w", r.scope, err)
	}
	return nil
}
