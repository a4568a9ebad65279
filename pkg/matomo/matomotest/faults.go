package matomotest

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// fault is the decision drawn for one tracking request.
type fault uint8

const (
	faultNone fault = iota
	faultError
	faultRateLimit
	faultUnavailable
	faultDropReply
)

// faultBox holds the current Faults and the seeded generator that draws from them.
type faultBox struct {
	mu  sync.Mutex
	f   Faults
	rng *rand.Rand
}

func (b *faultBox) set(f Faults) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.f = f
	b.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x9e3779b97f4a7c15))
}

// draw decides the fate of one request. A single uniform draw is compared with the cumulative
// rates, so a rate of 1 always fires and a rate of 0 never does.
func (b *faultBox) draw() (fault, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.f
	if f.ErrorRate+f.RateLimitRate+f.UnavailableRate+f.DropReplyRate <= 0 {
		return faultNone, f.Latency
	}
	u := b.rng.Float64()
	for _, c := range []struct {
		rate float64
		kind fault
	}{
		{f.ErrorRate, faultError}, {f.RateLimitRate, faultRateLimit},
		{f.UnavailableRate, faultUnavailable}, {f.DropReplyRate, faultDropReply},
	} {
		if u < c.rate {
			return c.kind, f.Latency
		}
		u -= c.rate
	}
	return faultNone, f.Latency
}

// wait sleeps for d unless the request is cancelled first.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeFault answers a request that fails without being processed; false for the other faults.
func writeFault(w http.ResponseWriter, f fault) bool {
	switch f {
	case faultError:
		writeHTML(w, http.StatusInternalServerError, errorPage)
	case faultRateLimit:
		w.Header().Set("Retry-After", "1")
		writeHTML(w, http.StatusTooManyRequests, "<html><body>Too Many Requests</body></html>\n")
	case faultUnavailable:
		writeHTML(w, http.StatusServiceUnavailable, errorPage)
	default:
		return false
	}
	return true
}

// dropReply closes the connection without answering: the request was processed, the reply is lost.
func dropReply(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 or a wrapped writer: abort the stream instead.
	panic(http.ErrAbortHandler)
}
