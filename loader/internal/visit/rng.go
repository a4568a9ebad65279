package visit

import (
	"math/rand/v2"
	"sync"
)

// Streams separate the random draws of one visit by purpose, so that adding a draw to one part of
// the model does not shift the values of another (and, say, change which visitors return).
const (
	streamVisit    uint64 = 0x9e3779b97f4a7c15
	streamIdentity uint64 = 0xbf58476d1ce4e5b9
	streamTarget   uint64 = 0x94d049bb133111eb
	streamOrderID  uint64 = 0x2545f4914f6cdd1d
	streamSignals  uint64 = 0x5851f42d4c957f2d
	streamBot      uint64 = 0xa0761d6478bd642f
	streamPast     uint64 = 0xe7037ed1a0b428db
	streamDevice   uint64 = 0x8ebc6af09c88c6e3
)

// mix is splitmix64's finaliser: a cheap, well-distributed hash of a 64-bit value.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// generator is a reusable PCG generator: visits are built by the hundred thousand per second, and
// a fresh source and Rand for each stream of each visit were a good part of the garbage.
type generator struct {
	pcg rand.PCG
	*rand.Rand
}

var generators = sync.Pool{New: func() any {
	g := &generator{}
	g.Rand = rand.New(&g.pcg)
	return g
}}

// newRand returns the generator of one stream of one visit; give it back with release.
func newRand(seed int64, seq uint64, stream uint64) *generator {
	g := generators.Get().(*generator)
	g.reseed(seed, seq, stream)
	return g
}

// reseed points g at another stream: its draws are then exactly a fresh generator's.
func (g *generator) reseed(seed int64, seq uint64, stream uint64) {
	g.pcg.Seed(mix(uint64(seed)^stream), mix(seq+stream))
}

// release returns g to the pool; it must not be used afterwards.
func (g *generator) release() { generators.Put(g) }

// uniform returns a float64 in [lo, hi].
func uniform(r *rand.Rand, lo, hi float64) float64 {
	if hi <= lo {
		return lo
	}
	return lo + r.Float64()*(hi-lo)
}

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// hexID returns n lower-case hex characters drawn from r.
func hexID(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	var v uint64
	for i := range b {
		if i%16 == 0 {
			v = r.Uint64()
		}
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b)
}

// pick returns an index drawn with the given weights (which need not sum to 1); -1 when all are 0.
func pick(r *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	if total <= 0 {
		return -1
	}
	x := r.Float64() * total
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}
