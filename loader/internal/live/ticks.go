package live

import (
	"context"
	"math"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
)

// ticks coalesces timed waits onto a grid of instants, origin + k·tick: a wait for d ends at the
// first grid instant at or after now+d, together with every other wait that ends there, all woken
// by one timer. Thousands of visits pausing between their hits then cost one timer wake-up per
// tick instead of one per hit, and the hits that come due together are sent together, so the
// process wakes once for a batch of requests rather than once for each: at realistic pacing that
// wake-up, not the request, is most of the CPU a hit costs (see docs/performance.md).
//
// A wait never ends early: it ends at its grid instant or later. Waits end in the order of their
// grid instants, and waits ending at the same instant in the order they began. None is lost: every
// wait ends at its instant, when its context is cancelled, or when the grid stops (a grid stops
// only once no wait can be pending; see Scheduler.Run).
type ticks struct {
	clock  engines.Clock
	origin time.Time
	tick   time.Duration

	mu      sync.Mutex
	buckets map[int64][]*waiter // pending waits by grid index, in the order they began
	order   indexHeap           // the indices of buckets, earliest first
	spare   [][]*waiter         // emptied bucket slices, reused
	fired   [][]*waiter         // the buckets being woken (the loop's, reused)
	armed   int64               // the index the loop sleeps until; math.MaxInt64 when none
	running bool
	kick    chan struct{} // tells the loop an earlier index than armed has a wait
	stop    chan struct{}
	done    chan struct{}
	waiters sync.Pool // of *waiter: this grid's own, as its channels belong to its goroutines' world
}

// waiter is one pending wait. Its channel (buffered 1) receives exactly one value when the wait's
// instant comes; a waiter whose wait ended by cancellation is never reused, so a late value can
// reach no one.
type waiter struct{ ch chan struct{} }

func newTicks(clock engines.Clock, origin time.Time, tick time.Duration) *ticks {
	g := &ticks{clock: clock, origin: origin, tick: tick, buckets: map[int64][]*waiter{},
		armed: math.MaxInt64, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	g.waiters.New = func() any { return &waiter{ch: make(chan struct{}, 1)} }
	return g
}

// ceilIndex is the grid index of the first grid instant at or after t.
func (g *ticks) ceilIndex(t time.Time) int64 {
	d := t.Sub(g.origin)
	k := int64(d / g.tick)
	if d > 0 && d%g.tick != 0 {
		k++
	}
	return k
}

// floorIndex is the grid index of the last grid instant at or before t.
func (g *ticks) floorIndex(t time.Time) int64 {
	d := t.Sub(g.origin)
	k := int64(d / g.tick)
	if d < 0 && d%g.tick != 0 {
		k--
	}
	return k
}

// at is the instant of grid index k.
func (g *ticks) at(k int64) time.Time { return g.origin.Add(time.Duration(k) * g.tick) }

// roundUp returns how long to wait from now for d to pass and the grid to reach an instant.
func (g *ticks) roundUp(now time.Time, d time.Duration) time.Duration {
	return g.at(g.ceilIndex(now.Add(d))).Sub(now)
}

// start runs the grid's loop until close.
func (g *ticks) start() {
	g.mu.Lock()
	g.running = true
	g.mu.Unlock()
	go g.loop()
}

// close stops the loop and waits for it. Waits still pending end at once (reporting true, as if
// their time had come: nothing is waiting on them any more), and later waits fall back to a timer
// of their own.
func (g *ticks) close() {
	g.mu.Lock()
	if !g.running {
		g.mu.Unlock()
		return
	}
	g.running = false
	g.mu.Unlock()
	close(g.stop)
	<-g.done
	g.mu.Lock()
	fired := g.popThrough(math.MaxInt64)
	g.mu.Unlock()
	wake(fired)
}

// wait waits for d, rounded up to the grid, or until ctx is cancelled; it reports whether the time
// passed. A d of zero or less returns at once.
func (g *ticks) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	k := g.ceilIndex(g.clock.Now().Add(d))
	w := g.waiters.Get().(*waiter)
	g.mu.Lock()
	if !g.running {
		g.mu.Unlock()
		g.waiters.Put(w)
		return engines.Wait(ctx, g.clock, d) == nil
	}
	b, ok := g.buckets[k]
	if !ok {
		if n := len(g.spare); n > 0 {
			b, g.spare = g.spare[n-1], g.spare[:n-1]
		}
		g.order.push(k)
	}
	g.buckets[k] = append(b, w)
	earlier := k < g.armed
	if earlier {
		g.armed = k
	}
	g.mu.Unlock()
	if earlier {
		select {
		case g.kick <- struct{}{}:
		default:
		}
	}
	select {
	case <-w.ch:
		g.waiters.Put(w)
		return true
	case <-ctx.Done():
		return false
	}
}

// loop sleeps until the earliest pending grid instant and ends every wait due by then.
func (g *ticks) loop() {
	defer close(g.done)
	timer := g.clock.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		g.mu.Lock()
		now := g.clock.Now()
		fired := g.popThrough(g.floorIndex(now))
		next := int64(math.MaxInt64)
		if len(g.order) > 0 {
			next = g.order[0]
		}
		g.armed = next
		g.mu.Unlock()
		wake(fired)
		g.mu.Lock()
		for i, b := range fired {
			clear(b)
			g.spare = append(g.spare, b[:0])
			fired[i] = nil
		}
		g.mu.Unlock()
		var tc <-chan time.Time
		if next != math.MaxInt64 {
			timer.Reset(g.at(next).Sub(now))
			tc = timer.C()
		}
		select {
		case <-tc:
		case <-g.kick:
			timer.Stop()
		case <-g.stop:
			return
		}
	}
}

// popThrough removes and returns the buckets with index ≤ k, earliest first, in g.fired. g.mu must
// be held, and only the loop (or close, once the loop has ended) may call it.
func (g *ticks) popThrough(k int64) [][]*waiter {
	fired := g.fired[:0]
	for len(g.order) > 0 && g.order[0] <= k {
		i := g.order.pop()
		fired = append(fired, g.buckets[i])
		delete(g.buckets, i)
	}
	g.fired = fired
	return fired
}

// wake ends the waits of the buckets, in order.
func wake(buckets [][]*waiter) {
	for _, b := range buckets {
		for _, w := range b {
			w.ch <- struct{}{} // buffered 1 and sent once per wait: never blocks
		}
	}
}

// indexHeap is a min-heap of grid indices.
type indexHeap []int64

func (h *indexHeap) push(k int64) {
	*h = append(*h, k)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *indexHeap) pop() int64 {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && a[l] < a[m] {
			m = l
		}
		if r := l + 1; r < n && a[r] < a[m] {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}
