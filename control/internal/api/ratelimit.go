package api

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bounds of the limiter's memory: idle clients are forgotten, and a flood of distinct clients (many
// source addresses) shares one overflow bucket instead of growing the map.
const (
	limiterIdle    = 10 * time.Minute
	limiterSweep   = time.Minute
	limiterMaxKeys = 10_000
	overflowKey    = "\x00overflow"
)

// clientLimiter is a token bucket per client: perMinute requests a minute, refilling continuously,
// with a burst of one minute's worth.
type clientLimiter struct {
	perMinute int
	mu        sync.Mutex
	clients   map[string]*limiterEntry
	lastSweep time.Time
}

type limiterEntry struct {
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimiter(perMinute int) *clientLimiter {
	return &clientLimiter{perMinute: perMinute, clients: map[string]*limiterEntry{}}
}

// allow takes one token from key's bucket. When none is left it returns false and how long until
// one is (for Retry-After).
func (l *clientLimiter) allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > limiterSweep {
		l.sweep(now)
	}
	e, ok := l.clients[key]
	if !ok {
		if len(l.clients) >= limiterMaxKeys {
			key = overflowKey
			e = l.clients[key]
		}
		if e == nil {
			e = &limiterEntry{lim: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
			l.clients[key] = e
		}
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Minute
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets clients idle for limiterIdle; their buckets would be full again anyway.
func (l *clientLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, e := range l.clients {
		if now.Sub(e.seen) > limiterIdle {
			delete(l.clients, k)
		}
	}
}

// retryAfter is a Retry-After value in whole seconds, at least 1.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
