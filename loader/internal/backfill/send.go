package backfill

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// maxRounds bounds how often one batch is posted again after failing for good in the client
// (which already retried with backoff) or after a lost reply.
const maxRounds = 5

// outcome accumulates what happened to one batch over its rounds.
type outcome struct {
	hitsPosted            int64
	tracked, inv, dropped int64
	landed, maybe         int64
	landedHits            int64
	delivered, orders     int64
	// unsure is set once some post of the range may have been recorded (a lost reply, or a
	// range left uncertain by an earlier run): from then on only a done record may close it.
	unsure bool
}

// answered counts Matomo's reply to the post of visits.
func (o *outcome) answered(res matomo.BulkResult, visits []*built) {
	o.tracked, o.inv, o.dropped = int64(res.Tracked), int64(res.Invalid), int64(res.Dropped)
	for _, v := range visits {
		o.delivered++
		o.orders += v.orders
	}
}

// reqPool recycles the request slices of batches.
var reqPool = sync.Pool{New: func() any { return new([]matomo.Request) }}

// process delivers a batch exactly once: it records the intent, posts, and records the reply. A
// lost reply is settled with the Live API; failures are retried a bounded number of times. ctx
// ending stops it from starting anything new; io ends requests already under way (it outlives ctx
// by SHUTDOWN_GRACE, so a stop leaves as few batches uncertain as possible).
func (e *engine) process(ctx, io context.Context, b *batch) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	t := e.targets[b.t]
	var o outcome
	visits := b.visits
	if b.recheck {
		o.unsure = true
		var err error
		if visits, err = e.settle(io, t, b, visits, &o); err != nil {
			return err
		}
	}
	for round := 0; len(visits) > 0; round++ {
		postedAt := time.Now()
		res, err := e.post(ctx, io, t, b, visits)
		o.hitsPosted += int64(res.Sent)
		t.m.HitsSent.Add(int64(res.Sent))
		t.m.Retries.Add(int64(max(res.Attempts-1, 0)))
		if res.Sent > 0 { // posted: it has a reply, or none
			t.m.StatusOf(err)
		}
		switch class := classify(io, err); class {
		case sendOK:
			t.m.Observe(res.Latency)
			o.answered(res, visits)
			return e.done(b, t, &o)
		case sendUncertain:
			if round >= maxRounds {
				return fmt.Errorf("%w: %s on %s: no reply after %d rounds: %w", ErrBatch, b.date, t.cfg.Name, round+1, err)
			}
			o.unsure = true
			t.m.BatchesUncertain.Add(1)
			if err := sleep(ctx, time.Until(e.settleAfter(postedAt))); err != nil {
				return err
			}
			if visits, err = e.settle(io, t, b, visits, &o); err != nil {
				return err
			}
		case sendUnsent:
			return err
		default:
			if err := e.failed(b, &o); err != nil {
				return err
			}
			if class == sendStopped {
				return fmt.Errorf("backfill: %w", err)
			}
			if class == sendRefused || round >= maxRounds {
				t.m.HitsFailed.Add(int64(res.Sent))
				return fmt.Errorf("%w: %s visits %d–%d on %s: %w", ErrBatch, b.date, b.rng.From, b.rng.To-1, t.cfg.Name, err)
			}
			e.log.Warn("batch failed; retrying", "target", t.cfg.Name, "date", b.date, "round", round+1, "err", err)
			if err := sleep(ctx, e.retryWait(round)); err != nil {
				return err
			}
		}
	}
	return e.done(b, t, &o)
}

// settleAfter is when a batch posted at t may be checked with the Live API: twice HTTP_TIMEOUT
// later. A request the loader gave up on (or that was under way when it died) may still be
// processed by Matomo; asking too early would miss it and send its visits twice.
func (e *engine) settleAfter(t time.Time) time.Time {
	return t.Add(2 * e.cfg.HTTPTimeout)
}

// failed records that the last post of a batch was certainly not recorded. That closes the range
// only if no earlier post of it may have been: otherwise the range stays uncertain and the next
// run settles it with the Live API, which knows about the visits found earlier.
func (e *engine) failed(b *batch, o *outcome) error {
	if o.unsure {
		return nil
	}
	if err := e.store.write(record{Op: opFail, Date: b.date, T: b.t, From: b.rng.From, To: b.rng.To}); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	return nil
}

// errUnsent marks a post that never started: the rate limit wait ended or the intent could not
// be recorded. Nothing needs settling.
var errUnsent = errors.New("backfill: batch not sent")

// post waits for the target's rate budget, records the intent and sends the visits as one bulk
// request.
func (e *engine) post(ctx, io context.Context, t *target, b *batch, visits []*built) (matomo.BulkResult, error) {
	bp := reqPool.Get().(*[]matomo.Request)
	defer reqPool.Put(bp)
	reqs := (*bp)[:0]
	for _, v := range visits {
		for k := range v.hits {
			reqs = append(reqs, v.hits[k].Request)
			if !t.hasToken { // cip needs a token; without one Matomo would reject the hit
				reqs[len(reqs)-1].IP = ""
			}
		}
	}
	*bp = reqs
	defer clear(reqs) // drop references to the visits' strings
	if err := t.wait(ctx, len(reqs)); err != nil {
		return matomo.BulkResult{}, fmt.Errorf("%w: %w", errUnsent, err)
	}
	if err := e.store.write(record{Op: opSend, Date: b.date, T: b.t, From: b.rng.From, To: b.rng.To,
		At: time.Now().UnixMilli()}); err != nil {
		return matomo.BulkResult{}, fmt.Errorf("%w: %w", errUnsent, err)
	}
	res, err := t.client.TrackBulk(io, reqs)
	if err != nil {
		res.Sent = len(reqs)
	}
	return res, err
}

// done records the batch answered for and counts it.
func (e *engine) done(b *batch, t *target, o *outcome) error {
	o.delivered += o.landed
	tracked := o.tracked + o.landedHits
	err := e.store.write(record{Op: opDone, Date: b.date, T: b.t, From: b.rng.From, To: b.rng.To,
		Visits: o.delivered, Landed: o.landed, Maybe: o.maybe, Hits: o.hitsPosted, Tracked: tracked,
		Invalid: o.inv, Dropped: o.dropped, Orders: o.orders})
	if err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	t.m.VisitsStarted.Add(o.delivered)
	t.m.VisitsFinished.Add(o.delivered)
	t.m.VisitsLanded.Add(o.landed)
	t.m.VisitsMaybeDuplicated.Add(o.maybe)
	t.m.HitsTracked.Add(tracked)
	t.m.HitsInvalid.Add(o.inv)
	t.m.HitsDropped.Add(o.dropped)
	t.m.Orders.Add(o.orders)
	e.progress.done(o.delivered, o.hitsPosted)
	return nil
}

// Classes of a post's outcome.
const (
	sendOK        = iota
	sendUncertain // posted, no usable reply: may have been recorded
	sendUnsent    // never posted, nothing recorded: see errUnsent
	sendStopped   // ctx ended before anything was posted
	sendRefused   // Matomo refused the batch as a whole (400, 401, 403, 404): retrying cannot help
	sendFailed    // not recorded (5xx rolled back, 429, no connection): worth another round
)

func classify(ctx context.Context, err error) int {
	var se *matomo.StatusError
	switch {
	case err == nil:
		return sendOK
	case errors.Is(err, errUnsent):
		return sendUnsent
	case errors.Is(err, matomo.ErrUncertain):
		return sendUncertain
	case ctx.Err() != nil:
		return sendStopped
	case errors.Is(err, matomo.ErrInvalid), errors.Is(err, matomo.ErrAuth), errors.Is(err, matomo.ErrNotFound):
		return sendRefused
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 &&
		se.Code != http.StatusTooManyRequests && se.Code != http.StatusRequestTimeout:
		return sendRefused
	}
	return sendFailed
}

// retryWait is the pause before round+1 of a failed batch: the client has already backed off
// within its own retries, so this is longer, for a target that is down for a while.
func (e *engine) retryWait(round int) time.Duration {
	if e.hooks.wait != nil {
		return e.hooks.wait(round)
	}
	return min(2*time.Second<<round, 30*time.Second)
}
