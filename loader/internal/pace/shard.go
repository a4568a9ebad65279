package pace

import (
	"fmt"
	"math"
	"time"
)

// Shard is loader Index's share when Count loaders divide one schedule: it takes the global
// visits Index, Index+Count, Index+2·Count, … (k6's execution segments, striped by visit). Every
// loader computes the same global schedule from the same Base and starts only its own stripe, so
// the shares add up to the whole exactly, their visits interleave instead of firing in step, and
// visit numbers (see Sequencer) are global. With a Poisson base every loader must use the same
// seed.
//
// An invalid shard (nil Base, Count < 1, Index outside [0, Count)) has no visits.
type Shard struct {
	Base  Pacer
	Index int
	Count int
}

var (
	_ Pacer     = Shard{}
	_ Sequencer = Shard{}
)

// String describes the pacer for logs.
func (s Shard) String() string {
	return fmt.Sprintf("Shard{%d of %d, %v}", s.Index, s.Count, s.Base)
}

// Pace returns the wait until this shard's visit started+1 is due: the base schedule's global
// visit Seq(started).
func (s Shard) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	if !s.valid() || started > (math.MaxUint64-uint64(s.Index))/uint64(s.Count) {
		return 0, true
	}
	return s.Base.Pace(elapsed, s.Seq(started))
}

// Rate returns this shard's part of the base rate.
func (s Shard) Rate(elapsed time.Duration) float64 {
	if !s.valid() {
		return 0
	}
	return s.Base.Rate(elapsed) / float64(s.Count)
}

// Seq returns the global number of the shard's n-th visit (0-based).
func (s Shard) Seq(n uint64) uint64 {
	return uint64(s.Index) + n*uint64(s.Count)
}

func (s Shard) valid() bool {
	return s.Base != nil && s.Count >= 1 && s.Index >= 0 && s.Index < s.Count
}
