package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/api"
)

// dialFunc connects to the Docker Engine and starts the run service; closeFn releases both.
type dialFunc func(ctx context.Context) (svc api.RunService, closeFn func() error, err error)

// runsConn hands the run service to the API once the Docker Engine answers, and closes it at the
// end. Until then the API answers 503 for runs (see api.Server.SetRuns).
type runsConn struct {
	wg      sync.WaitGroup // the background connect loop
	mu      sync.Mutex
	closeFn func() error
}

// connectRuns tries the Docker Engine once before serving, so that runs are reconciled before the
// first request, and gives set the run service; when the engine is down, it keeps trying every
// retry in the background until ctx ends.
func connectRuns(ctx context.Context, set func(api.RunService), dial dialFunc, retry time.Duration, log *slog.Logger) *runsConn {
	c := &runsConn{}
	err := c.try(ctx, set, dial)
	if err == nil {
		return c
	}
	log.Warn("docker engine unavailable: run endpoints answer 503 until it is reachable", "err", err, "retry", retry)
	c.wg.Go(func() { c.retry(ctx, set, dial, retry, log.With("component", "docker")) })
	return c
}

// try dials once and, on success, hands over the service.
func (c *runsConn) try(ctx context.Context, set func(api.RunService), dial dialFunc) error {
	svc, closeFn, err := dial(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.closeFn = closeFn
	c.mu.Unlock()
	set(svc)
	return nil
}

// retry dials every retry until it succeeds or ctx ends.
func (c *runsConn) retry(ctx context.Context, set func(api.RunService), dial dialFunc, retry time.Duration, log *slog.Logger) {
	t := time.NewTimer(retry)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := c.try(ctx, set, dial)
		if err == nil {
			log.Info("docker engine reachable; runs are available")
			return
		}
		log.Debug("docker engine still unavailable", "err", err)
		t.Reset(retry)
	}
}

// Close waits for the connect loop (whose context the caller has ended) and releases the run
// service, if it was started. Containers keep running.
func (c *runsConn) Close() error {
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeFn != nil {
		return c.closeFn()
	}
	return nil
}
