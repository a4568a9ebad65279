package pace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Poisson turns a base schedule into one whose gaps look organic: arrivals form a Poisson
// process in the base pacer's "visit units", time-warped through the base cumulative function.
// Concretely, arrival k sits at U_k = g_1 + … + g_k visit units, where the g_i are independent
// exponential gaps with mean 1, and U_k is mapped to time by interpolating between the base
// schedule's due times for visits ⌊U_k⌋ and ⌊U_k⌋+1. The long-run count therefore follows the
// base pacer (a diurnal base keeps its curve), while single gaps vary as real arrivals do.
//
// The gaps come from a PCG generator seeded with Seed, one gap per visit number, so the schedule
// is a function of (seed, visit number) alone: every loader of a sharded run computes the same
// arrivals, and two runs with the same seed match. Poisson keeps a cursor over the gaps drawn so
// far; moving forward costs one draw per visit, moving backward redraws from the start (the
// scheduler only moves forward). It is safe for concurrent use.
type Poisson struct {
	base Pacer
	seed uint64

	mu    sync.Mutex
	pcg   *rand.PCG
	rng   *rand.Rand
	n     uint64  // gaps drawn so far
	units float64 // U_n
}

var _ Pacer = (*Poisson)(nil)

// poissonStream is the PCG's second seed word; fixed so that Seed alone selects the stream.
const poissonStream = 0x7472_6166_6669_6321 // "traffici"

// NewPoisson returns a Poisson pacer over base, drawing its gaps from seed. A nil base yields a
// schedule with no visits.
func NewPoisson(base Pacer, seed uint64) *Poisson {
	pcg := rand.NewPCG(seed, poissonStream)
	return &Poisson{base: base, seed: seed, pcg: pcg, rng: rand.New(pcg)}
}

// String describes the pacer for logs.
func (p *Poisson) String() string {
	return fmt.Sprintf("Poisson{%v, seed %d}", p.base, p.seed)
}

// Pace returns the wait until arrival started+1 (1-based) is due.
func (p *Poisson) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	if p.base == nil || started == math.MaxUint64 {
		return 0, true
	}
	u := p.unitsAt(started + 1)
	whole := math.Floor(u)
	if whole >= math.MaxUint64/2 {
		return 0, true
	}
	m := uint64(whole)
	var from time.Duration
	if m > 0 {
		at, ok := Due(p.base, m-1) // base visit m (1-based) is at position m-1
		if !ok {
			return 0, true
		}
		from = at
	}
	to, ok := Due(p.base, m)
	if !ok {
		return 0, true
	}
	due := from + time.Duration((u-whole)*float64(to-from))
	return waitUntil(due, elapsed), false
}

// Rate returns the base rate: exponential gaps with mean 1 leave the expected rate unchanged.
func (p *Poisson) Rate(elapsed time.Duration) float64 {
	if p.base == nil {
		return 0
	}
	return p.base.Rate(elapsed)
}

// unitsAt returns U_k, moving the cursor there.
func (p *Poisson) unitsAt(k uint64) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if k < p.n {
		p.pcg.Seed(p.seed, poissonStream)
		p.n, p.units = 0, 0
	}
	for p.n < k {
		p.units += p.rng.ExpFloat64()
		p.n++
	}
	return p.units
}
