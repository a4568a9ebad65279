package backfill

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/adapt"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// maxRounds bounds how often one batch is posted again after failing for good in the client
// (which already retried with backoff); maxUncertainRounds how often after replies that did not
// say what Matomo recorded (each followed by a settlement, so nothing is sent twice).
const (
	maxRounds          = 5
	maxUncertainRounds = 20
)

// part is what is still to be sent of one visit: all of its hits, or (after the Live API found
// the rest) the hits Matomo lacks, in order.
type part struct {
	v  *built
	ks []int // indices into v.hits; nil means every hit
	// join marks the missing head of a visit whose later hits Matomo has: its first hit (v.hits[v.past])
	// is sent without new_visit, so that Matomo adds it to the visit it has instead of opening another.
	join bool
}

func wholeParts(visits []*built) []part {
	out := make([]part, len(visits))
	for i, v := range visits {
		out[i] = part{v: v}
	}
	return out
}

// outcome accumulates what happened to one batch over its rounds.
type outcome struct {
	hitsPosted            int64
	tracked, inv, dropped int64
	landed, partial       int64 // visits found whole, or in part, by the Live API
	maybe, missing        int64 // visits re-sent, or given up, without the Live API's word
	// unsure is set once some post of the batch may have been recorded (an uncertain reply, or a
	// batch left uncertain by an earlier run): from then on only a done record may close it.
	unsure bool
}

// reqPool recycles the request slices of batches.
var reqPool = sync.Pool{New: func() any { return new([]matomo.Request) }}

// process delivers a batch exactly once: it records the intent, posts, and records the reply. A
// reply that does not say what Matomo recorded (a 5xx, none at all) is settled with the Live API,
// and only what Matomo lacks is sent again; failures are retried a bounded number of times. ctx
// ending stops it from starting anything new; io ends requests already under way (it outlives ctx
// by SHUTDOWN_GRACE, so a stop leaves as few batches uncertain as possible).
func (e *engine) process(ctx, io context.Context, b *batch) error {
	t := e.targets[b.t]
	var o outcome
	parts := wholeParts(b.visits)
	if b.recheck {
		o.unsure = true
		if err := e.sleep(ctx, b.d.settleAt.Sub(e.clock.Now())); err != nil {
			return err
		}
		var err error
		if parts, err = e.settle(io, t, b, parts, &o); err != nil {
			return err
		}
	}
	for round := 0; len(parts) > 0; round++ {
		ticket, err := t.limit.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("backfill: %w", err)
		}
		res, err := e.post(ctx, io, t, b, parts)
		class := classify(io, err)
		t.limit.Release(ticket, sample(class, res))
		t.m.Concurrency.Store(int64(t.limit.Limit()))
		o.hitsPosted += int64(res.Sent)
		if res.Sent > 0 { // posted: it has a reply, or none
			t.m.StatusOf(err)
		}
		t.m.HitsSent.Add(int64(res.Sent))
		t.m.Retries.Add(int64(max(res.Attempts-1, 0)))
		switch class {
		case sendOK:
			t.m.Observe(res.Latency)
			if rejectedAll(res, t, &o) {
				if err := e.failed(b, &o); err != nil {
					return err
				}
				return fmt.Errorf("%w: %s on %s: Matomo rejected every hit of the bulk (%d invalid) and has recorded "+
					"none of this run: check that the token has write access to site %d", ErrBatch, b.d.date, t.cfg.Name,
					res.Invalid, t.cfg.SiteID)
			}
			o.tracked += int64(res.Tracked)
			o.inv, o.dropped = o.inv+int64(res.Invalid), o.dropped+int64(res.Dropped)
			return e.done(b, t, &o)
		case sendUncertain:
			if round >= maxUncertainRounds {
				return fmt.Errorf("%w: %s on %s: no usable reply after %d rounds: %w", ErrBatch, b.d.date, t.cfg.Name, round+1, err)
			}
			o.unsure = true
			t.m.BatchesUncertain.Add(1)
			if err := e.sleep(ctx, e.settleAt(err).Sub(e.clock.Now())); err != nil {
				return err
			}
			if parts, err = e.settle(io, t, b, parts, &o); err != nil {
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
				return fmt.Errorf("%w: %s visits %d–%d on %s: %w", ErrBatch, b.d.date, b.idx[0], b.idx[len(b.idx)-1], t.cfg.Name, err)
			}
			e.log.Warn("batch failed; retrying", "target", t.cfg.Name, "date", b.d.date, "round", round+1, "err", err)
			if err := e.sleep(ctx, retryWait(round)); err != nil {
				return err
			}
		}
	}
	return e.done(b, t, &o)
}

// rejectedAll reports whether Matomo refused every hit of a bulk nothing of which may have been
// recorded before, on a target that has recorded nothing in this run: a token without write access
// (hits dated more than a day back need one) or a wrong site. Carrying on would mark the whole
// window delivered while Matomo holds none of it.
func rejectedAll(res matomo.BulkResult, t *target, o *outcome) bool {
	return res.Sent > 0 && res.Tracked == 0 && res.Invalid == res.Sent && !o.unsure && t.m.HitsTracked.Load() == 0
}

// sample is what a post tells the target's concurrency limit.
func sample(class int, res matomo.BulkResult) adapt.Sample {
	switch class {
	case sendOK:
		return adapt.Sample{Latency: res.Latency, Hits: res.Sent}
	case sendUncertain, sendFailed:
		return adapt.Sample{Overload: true}
	}
	return adapt.Sample{Ignore: true}
}

// settleAt is when a batch whose post ended with err may be checked with the Live API. A 500 is
// Matomo's own answer at the end of its work (a deadlock, a failed commit): what it recorded is
// final at once. Without a reply (a timeout, a lost connection, a proxy's 502 or 504) Matomo may
// still be processing the request, or have it queued behind busy workers: the check waits
// BACKFILL_SETTLE_AFTER, or it could miss a late commit and send the visits twice.
func (e *engine) settleAt(err error) time.Time {
	var se *matomo.StatusError
	if errors.As(err, &se) && se.Code == http.StatusInternalServerError {
		return e.clock.Now()
	}
	return e.clock.Now().Add(e.cfg.BackfillSettleAfter)
}

// resumeSettleAt is when a batch posted at t by an earlier run may be checked: the loader may have
// died right after posting, so its copy may be processed until the bulk timeout and the quiet
// period after it have passed.
func (e *engine) resumeSettleAt(t time.Time) time.Time {
	return t.Add(e.cfg.BackfillBulkTimeout + e.cfg.BackfillSettleAfter)
}

// failed records that the last post of a batch was certainly not recorded. That closes the batch
// only if no earlier post of it may have been: otherwise it stays uncertain and the next run
// settles it with the Live API, which knows about the visits found earlier.
func (e *engine) failed(b *batch, o *outcome) error {
	if o.unsure {
		return nil
	}
	if err := e.store.write(record{Op: opFail, Date: b.d.date, T: b.t, Idx: b.idx}); err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	return nil
}

// errUnsent marks a post that never started: the rate limit wait ended or the intent could not
// be recorded. Nothing needs settling.
var errUnsent = errors.New("backfill: batch not sent")

// post waits for the target's rate budget, records the intent and sends the parts as one bulk
// request.
func (e *engine) post(ctx, io context.Context, t *target, b *batch, parts []part) (matomo.BulkResult, error) {
	bp := reqPool.Get().(*[]matomo.Request)
	defer reqPool.Put(bp)
	reqs := (*bp)[:0]
	for _, p := range parts {
		if p.ks == nil {
			for k := range p.v.hits {
				reqs = append(reqs, p.v.hits[k].Request)
			}
		} else {
			for _, k := range p.ks {
				reqs = append(reqs, p.v.hits[k].Request)
				if p.join && k == p.v.past {
					// The visit's first hit (after a visitor's earlier visit, which keeps its own).
					reqs[len(reqs)-1].NewVisit = false
				}
			}
		}
	}
	if !t.hasToken { // cip needs a token; without one Matomo would reject the hit
		for i := range reqs {
			reqs[i].IP = ""
		}
	}
	*bp = reqs
	defer clear(reqs) // drop references to the visits' strings
	if err := t.wait(ctx, e.clock, len(reqs)); err != nil {
		return matomo.BulkResult{}, fmt.Errorf("%w: %w", errUnsent, err)
	}
	if err := e.store.write(record{Op: opSend, Date: b.d.date, T: b.t, Idx: b.idx,
		At: e.clock.Now().UnixMilli()}); err != nil {
		return matomo.BulkResult{}, fmt.Errorf("%w: %w", errUnsent, err)
	}
	res, err := t.client.TrackBulk(io, reqs)
	if err != nil {
		res.Sent = len(reqs)
	}
	return res, err
}

// done records the batch settled and counts it.
func (e *engine) done(b *batch, t *target, o *outcome) error {
	var orders, bots, botHits int64
	for _, v := range b.visits {
		orders += v.orders
		if v.bot {
			bots++
			botHits += v.botHits
		}
	}
	delivered := int64(len(b.visits)) - o.missing
	err := e.store.write(record{Op: opDone, Date: b.d.date, T: b.t, Idx: b.idx,
		Visits: delivered, Landed: o.landed, Maybe: o.maybe, Missing: o.missing, Hits: o.hitsPosted,
		Tracked: o.tracked, Invalid: o.inv, Dropped: o.dropped, Orders: orders})
	if err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	t.m.VisitsStarted.Add(delivered)
	t.m.VisitsFinished.Add(delivered)
	t.m.VisitsLanded.Add(o.landed)
	t.m.VisitsMaybeDuplicated.Add(o.maybe)
	t.m.VisitsMaybeMissing.Add(o.missing)
	t.m.HitsTracked.Add(o.tracked)
	t.m.HitsInvalid.Add(o.inv)
	t.m.HitsDropped.Add(o.dropped)
	t.m.Orders.Add(orders)
	t.m.BotVisits.Add(bots)
	t.m.BotHits.Add(botHits)
	e.progress.done(delivered, o.hitsPosted)
	return nil
}

// Classes of a post's outcome.
const (
	sendOK        = iota
	sendUncertain // posted, no usable reply: may have been recorded, in whole or in part
	sendUnsent    // never posted, nothing recorded: see errUnsent
	sendStopped   // ctx ended before anything was posted
	sendRefused   // Matomo refused the batch as a whole (400, 401, 403, 404, a redirect): retrying cannot help
	sendFailed    // not recorded (503, 429, no connection): worth another round
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
	case errors.Is(err, matomo.ErrInvalid), errors.Is(err, matomo.ErrAuth), errors.Is(err, matomo.ErrNotFound),
		errors.Is(err, matomo.ErrRedirect):
		return sendRefused
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500 &&
		se.Code != http.StatusTooManyRequests && se.Code != http.StatusRequestTimeout:
		return sendRefused
	}
	return sendFailed
}

// retryWait is the pause before round+1 of a failed batch: the client has already backed off
// within its own retries, so this is longer, for a target that is down for a while.
func retryWait(round int) time.Duration {
	return min(2*time.Second<<round, 30*time.Second)
}
