package backfill

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/trafficinator/trafficinator/loader/internal/shutdown"
)

// sendDays sends the plan's unfinished days. The producer (this goroutine) builds each day's
// visits, oldest day first, and hands them to lanes: per target, e.lanes senders that each post
// one batch at a time, as many at once as the target's concurrency limit lets through. A visitor
// always goes to the same lane, so its visits reach Matomo in time order across days and never in
// two bulks at once, while days overlap: a batch waiting to be settled holds up its own lane
// only. A day is finished when every batch of it is settled on every target.
func (e *engine) sendDays(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	io, stopIO := e.graceful(ctx)
	defer stopIO()
	fail := func(err error) {
		cancel(err)
		if !errors.Is(err, context.Canceled) {
			stopIO() // a failure: abandon requests under way too
		}
	}
	e.queues = make([][]chan *batch, len(e.targets))
	var wg sync.WaitGroup
	for t := range e.targets {
		e.queues[t] = make([]chan *batch, e.lanes)
		for l := range e.lanes {
			q := make(chan *batch, laneQueue)
			e.queues[t][l] = q
			wg.Go(func() { e.runLane(ctx, io, q, fail) })
		}
	}
	err := e.produce(ctx)
	for _, qs := range e.queues {
		for _, q := range qs {
			close(q)
		}
	}
	wg.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		fail(err)
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	return nil
}

// laneQueue is how many batches may wait in one lane; the hits budget bounds the memory.
const laneQueue = 1024

// produce cuts the days into the lanes, oldest first.
func (e *engine) produce(ctx context.Context) error {
	for di := range e.plan.Days {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("backfill: %w", err)
		}
		d := e.newDayRun(di)
		if d.n == 0 || allDone(d.need) {
			if err := e.finishDay(d, true); err != nil {
				return err
			}
			continue
		}
		err := e.cut(ctx, d)
		if err != nil {
			d.failed.Store(true)
		}
		if rerr := e.release(d); err == nil {
			err = rerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// emit queues a batch in its lane, once the hits budget has room for it.
func (e *engine) emit(ctx context.Context, b *batch) error {
	if err := e.budget.acquire(ctx, b.hits); err != nil {
		return err
	}
	b.d.pending.Add(1)
	select {
	case e.queues[b.t][b.lane] <- b:
		return nil
	case <-ctx.Done():
		b.d.pending.Add(-1)
		e.budget.release(b.hits)
		return fmt.Errorf("backfill: %w", ctx.Err())
	}
}

// runLane posts its batches one at a time. After a stop or a failure it only drains the queue.
func (e *engine) runLane(ctx, io context.Context, q <-chan *batch, fail func(error)) {
	for b := range q {
		err := ctx.Err()
		if err == nil {
			err = e.process(ctx, io, b)
		}
		e.budget.release(b.hits)
		b.visits = nil
		if err != nil {
			b.d.failed.Store(true)
			fail(err)
			continue
		}
		if err := e.release(b.d); err != nil {
			fail(err)
		}
	}
}

// budget bounds the hits built but not yet settled, so that producing runs ahead of sending by
// a bounded amount of memory.
type budget struct {
	mu   sync.Mutex
	free int
	size int
	wake chan struct{}
}

func newBudget(size int) *budget { return &budget{free: size, size: size, wake: make(chan struct{})} }

// acquire takes n hits from the budget (at most its size), waiting until they are free.
func (b *budget) acquire(ctx context.Context, n int) error {
	n = min(n, b.size)
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return nil
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return fmt.Errorf("backfill: %w", ctx.Err())
		}
	}
}

// release returns n hits to the budget.
func (b *budget) release(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.free = min(b.free+min(n, b.size), b.size)
	close(b.wake)
	b.wake = make(chan struct{})
}

// graceful returns the context for requests under way: it ends SHUTDOWN_GRACE after ctx does, so
// that batches already posted get their replies recorded instead of becoming uncertain, or at
// once on a hard stop (a second signal).
func (e *engine) graceful(ctx context.Context) (context.Context, context.CancelFunc) {
	io, cancel := shutdown.Detach(ctx)
	grace := e.cfg.ShutdownGrace
	go func() {
		select {
		case <-io.Done():
			return
		case <-ctx.Done():
		}
		t := e.clock.NewTimer(grace)
		defer t.Stop()
		select {
		case <-io.Done():
		case <-t.C():
			cancel()
		}
	}()
	return io, cancel
}
