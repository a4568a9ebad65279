package matomotest

import (
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
	faultDeadlock
	faultLate
)

// decision is everything drawn for one tracking request.
type decision struct {
	kind    fault
	latency time.Duration // added before the request is handled
	late    time.Duration // for faultLate: the extra wait that ignores the client
	cut     float64       // for faultDeadlock: where the rollback ends in the bulk, in [0,1)
}

// faultBox holds the current Faults and the seeded generators that draw from them.
type faultBox struct {
	mu  sync.Mutex
	f   Faults
	rng *rand.Rand // kinds of fault and deadlock cuts
	lat *rand.Rand // heavy-tailed latencies
}

func (b *faultBox) set(f Faults) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.f = f
	b.rng = rand.New(rand.NewPCG(uint64(f.Seed), uint64(f.Seed)^0x9e3779b97f4a7c15))
	b.lat = rand.New(rand.NewPCG(uint64(f.Seed)^0x5851f42d4c957f2d, uint64(f.Seed)))
}

// draw decides the fate of one request. Its kind comes from a single uniform draw compared with
// the cumulative rates, so a rate of 1 always fires and a rate of 0 never does; a deadlock takes
// one more draw for its cut. Heavy-tailed latencies come from a generator of their own, so
// turning them on does not change which requests fault.
func (b *faultBox) draw() decision {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.f
	d := decision{kind: b.pick(), latency: f.Latency}
	switch d.kind {
	case faultDeadlock:
		d.cut = b.rng.Float64()
	case faultLate:
		d.late = f.LateDelay
	}
	if f.LatencyTailAlpha > 0 && f.Latency > 0 {
		d.latency = tailLatency(f.Latency, f.LatencyMax, f.LatencyTailAlpha, 1-b.lat.Float64())
	}
	return d
}

// pick draws the kind of fault; the caller holds b.mu.
func (b *faultBox) pick() fault {
	f := b.f
	rates := [...]struct {
		rate float64
		kind fault
	}{
		{f.ErrorRate, faultError}, {f.RateLimitRate, faultRateLimit},
		{f.UnavailableRate, faultUnavailable}, {f.DropReplyRate, faultDropReply},
		{f.DeadlockRate, faultDeadlock}, {f.LateRate, faultLate},
	}
	var sum float64
	for _, c := range rates {
		sum += c.rate
	}
	if sum <= 0 {
		return faultNone
	}
	u := b.rng.Float64()
	for _, c := range rates {
		if u < c.rate {
			return c.kind
		}
		u -= c.rate
	}
	return faultNone
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
