package matomotest

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Load makes the server behave like a Matomo of limited capacity: up to Capacity hits per second
// every tracking request takes BaseLatency; past it the latency grows with the overload, as
// requests queue for PHP workers and the database, and past ErrorsAbove the excess is refused
// with 503, as an overloaded front end does. The arrival rate is measured over Window on the
// server's clock (Options.Now), so a test with a fake clock decides the rate the server sees.
type Load struct {
	// Capacity is the hits per second handled at BaseLatency; 0 turns the model off.
	Capacity float64
	// BaseLatency is every request's latency at or below Capacity.
	BaseLatency time.Duration
	// Growth sets how fast the latency climbs past Capacity: at a rate of ρ × Capacity (ρ > 1) a
	// request takes BaseLatency × (1 + Growth × (ρ − 1)), capped at MaxLatency. Default 100 (ten
	// times the base latency at 10 % overload).
	Growth float64
	// MaxLatency caps the latency; default 30 s.
	MaxLatency time.Duration
	// ErrorsAbove, when above 0, is the hits per second past which requests are answered 503
	// without being processed: the share 1 − ErrorsAbove/rate of them, drawn from Faults.Seed.
	ErrorsAbove float64
	// Window is the span the arrival rate is measured over; default 1 s.
	Window time.Duration
}

// loadSlots is how many slots a Window is counted in.
const loadSlots = 10

// loadMeter measures the arrival rate of hits and applies a Load.
type loadMeter struct {
	mu    sync.Mutex
	cfg   Load
	now   func() time.Time
	slot  time.Duration
	slots [loadSlots]struct{ n, hits int64 } // n: the slot's number since the epoch
	rng   *rand.Rand
}

func newLoadMeter(cfg Load, now func() time.Time, seed int64) *loadMeter {
	if cfg.Growth <= 0 {
		cfg.Growth = 100
	}
	if cfg.MaxLatency <= 0 {
		cfg.MaxLatency = 30 * time.Second
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Second
	}
	return &loadMeter{cfg: cfg, now: now, slot: max(cfg.Window/loadSlots, 1),
		rng: rand.New(rand.NewPCG(uint64(seed), 0x6c6f6164))}
}

func (m *loadMeter) on() bool { return m != nil && m.cfg.Capacity > 0 }

// arrive counts hits arriving now and returns the latency to add and whether to refuse them.
func (m *loadMeter) arrive(hits int) (time.Duration, bool) {
	if !m.on() {
		return 0, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.now().UnixNano() / int64(m.slot)
	s := &m.slots[cur%loadSlots]
	if s.n != cur {
		s.n, s.hits = cur, 0
	}
	s.hits += int64(hits)
	rate := m.rateLocked(cur)
	fail := m.cfg.ErrorsAbove > 0 && rate > m.cfg.ErrorsAbove && m.rng.Float64() < 1-m.cfg.ErrorsAbove/rate
	return m.latency(rate), fail
}

// rateLocked is the hits per second over the slots of the last Window.
func (m *loadMeter) rateLocked(cur int64) float64 {
	var hits int64
	for _, s := range m.slots {
		if s.n > cur-loadSlots && s.n <= cur {
			hits += s.hits
		}
	}
	return float64(hits) / m.cfg.Window.Seconds()
}

// rate is the current arrival rate, hits per second.
func (m *loadMeter) rate() float64 {
	if !m.on() {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rateLocked(m.now().UnixNano() / int64(m.slot))
}

// latency is the latency of a request arriving at rate hits/s.
func (m *loadMeter) latency(rate float64) time.Duration {
	rho := rate / m.cfg.Capacity
	if rho <= 1 {
		return m.cfg.BaseLatency
	}
	d := float64(m.cfg.BaseLatency) * (1 + m.cfg.Growth*(rho-1))
	return time.Duration(math.Min(d, float64(m.cfg.MaxLatency)))
}

// Load returns the arrival rate of tracking hits the server measures now (hits/s over
// Load.Window); 0 without a Load.
func (s *Server) Load() float64 { return s.load.rate() }
