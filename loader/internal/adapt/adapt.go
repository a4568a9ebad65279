// Package adapt holds a concurrency limit that follows what a target sustains.
//
// A backfill wants as many bulk requests in flight as Matomo serves in parallel, and no more:
// past that point every extra request only waits in Matomo's queue (longer latency, more lock
// contention, more deadlocks) without adding throughput. The Limiter finds that point the way TCP
// Vegas does. Per round of requests it compares the latency per hit with the latency per hit
// without load (the base) and estimates how many requests wait in the target's queue:
// queue = limit × (1 − base/latency). Below Alpha waiting requests the limit grows by one, above
// Beta it shrinks by one. A failure that signals overload (5xx, no reply) cuts it by Backoff at
// once.
//
// The base is measured, not assumed: every ProbeEvery rounds the limit drops to Min for one round
// and the latency then observed becomes the new base (as BBR probes its minimum RTT). A database
// that grows during a long backfill is slower than at the start; without probing, the old base
// would make the limit shrink for no reason.
package adapt

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Config shapes a Limiter. Zero fields take the defaults of Defaults.
type Config struct {
	// Min and Max bound the limit; Initial is where it starts.
	Min, Max, Initial int
	// Alpha and Beta are the estimated queued requests below which the limit grows and above
	// which it shrinks.
	Alpha, Beta float64
	// Backoff multiplies the limit on an overload signal.
	Backoff float64
	// ProbeEvery is the number of rounds between two base measurements.
	ProbeEvery int
}

// Defaults are the settings for Matomo's bulk endpoint.
var Defaults = Config{Min: 1, Max: 16, Initial: 2, Alpha: 2, Beta: 4, Backoff: 0.7, ProbeEvery: 40}

func (c Config) withDefaults() Config {
	d := Defaults
	c.Min = cmpOr(c.Min, d.Min)
	c.Max = max(cmpOr(c.Max, d.Max), c.Min)
	c.Initial = min(max(cmpOr(c.Initial, d.Initial), c.Min), c.Max)
	c.Alpha = cmpOr(c.Alpha, d.Alpha)
	c.Beta = max(cmpOr(c.Beta, d.Beta), c.Alpha)
	c.Backoff = cmpOr(c.Backoff, d.Backoff)
	c.ProbeEvery = cmpOr(c.ProbeEvery, d.ProbeEvery)
	return c
}

func cmpOr[T int | float64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Ticket is a slot taken with Acquire; it goes back with Release.
type Ticket struct{ gen uint64 }

// Sample is what one request showed.
type Sample struct {
	// Latency is the time from sending to the reply.
	Latency time.Duration
	// Hits is the request's size; latency is compared per hit, since batches differ in size.
	Hits int
	// Overload marks a reply that says the target is past its capacity: a 5xx, a timeout, no
	// reply. Latency is then ignored.
	Overload bool
	// Ignore marks a request whose outcome says nothing about the target (cancelled, refused).
	Ignore bool
}

// Limiter is a concurrency limit shared by the senders to one target. It is safe for concurrent
// use.
type Limiter struct {
	cfg Config

	mu       sync.Mutex
	limit    int
	saved    int // the limit to return to after a probe round
	inflight int
	wake     chan struct{} // closed and replaced whenever a slot may have freed
	gen      uint64        // bumped when the limit changes: older samples belong to another regime
	probing  bool
	rounds   int
	base     float64   // seconds per hit without load; 0 until measured
	round    []float64 // seconds per hit of the current round's samples
}

// New returns a limiter starting at cfg.Initial.
func New(cfg Config) *Limiter {
	cfg = cfg.withDefaults()
	return &Limiter{cfg: cfg, limit: cfg.Initial, wake: make(chan struct{})}
}

// Limit is the current limit.
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Acquire waits for a slot, or for ctx to end.
func (l *Limiter) Acquire(ctx context.Context) (Ticket, error) {
	for {
		l.mu.Lock()
		if l.inflight < l.limit {
			l.inflight++
			t := Ticket{gen: l.gen}
			l.mu.Unlock()
			return t, nil
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return Ticket{}, fmt.Errorf("adapt: %w", ctx.Err())
		}
	}
}

// Release gives the slot back and learns from the sample.
func (l *Limiter) Release(t Ticket, s Sample) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight--
	defer l.broadcast()
	switch {
	case s.Ignore:
	case s.Overload:
		l.set(int(math.Floor(float64(l.limit) * l.cfg.Backoff)))
		l.probing = false
	case t.gen == l.gen && s.Hits > 0:
		l.round = append(l.round, s.Latency.Seconds()/float64(s.Hits))
		if len(l.round) >= max(l.limit, 3) {
			l.endRound()
		}
	}
}

// endRound adjusts the limit from the round's median latency per hit.
func (l *Limiter) endRound() {
	slices.Sort(l.round)
	med, low := l.round[len(l.round)/2], l.round[0]
	l.round = l.round[:0]
	if l.probing {
		l.probing, l.base = false, med
		l.set(l.saved)
		return
	}
	if l.base == 0 || low < l.base {
		l.base = low
	}
	queue := float64(l.limit) * (1 - l.base/med)
	next := l.limit
	switch {
	case queue < l.cfg.Alpha:
		next++
	case queue > l.cfg.Beta:
		next--
	}
	l.rounds++
	if l.rounds%l.cfg.ProbeEvery == 0 && l.limit > l.cfg.Min {
		l.probing, l.saved = true, min(max(next, l.cfg.Min), l.cfg.Max)
		next = l.cfg.Min
	}
	l.set(next)
}

// set changes the limit within its bounds; samples taken under another limit no longer count.
func (l *Limiter) set(n int) {
	n = min(max(n, l.cfg.Min), l.cfg.Max)
	if n != l.limit {
		l.limit = n
		l.gen++
		l.round = l.round[:0]
	}
}

func (l *Limiter) broadcast() {
	close(l.wake)
	l.wake = make(chan struct{})
}
