package pace

import (
	"fmt"
	"time"
)

// Constant spreads PerDay visits evenly: visit n (1-based) is due at n·(86400 s / PerDay). The
// first visit therefore comes one interval after the start, not at once, so a run of N seconds
// at R visits per second starts exactly N·R visits.
//
// A PerDay that is zero, negative, infinite or NaN is a schedule with no visits: Pace reports
// stop straight away. (vegeta reads zero as "unlimited"; here no setting means "as fast as
// possible", so zero simply means nothing is sent.)
type Constant struct {
	// PerDay is the number of visits in every 24 hours.
	PerDay float64
}

var _ Pacer = Constant{}

// String describes the pacer for logs.
func (c Constant) String() string {
	return fmt.Sprintf("Constant{%g visits/day}", c.PerDay)
}

// Pace returns the wait until visit started+1 (1-based) is due, computed from the absolute
// schedule so that late wake-ups never accumulate.
func (c Constant) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	if !validRate(c.PerDay) {
		return 0, true
	}
	// Multiply before dividing: n·86400/PerDay keeps full precision where n·interval would
	// multiply a rounded interval.
	due, ok := secondsToDuration(float64(started+1) * SecondsPerDay / c.PerDay)
	if !ok {
		return 0, true
	}
	return waitUntil(due, elapsed), false
}

// Rate returns PerDay/86400 visits per second, or 0 for a schedule with no visits.
func (c Constant) Rate(time.Duration) float64 {
	if !validRate(c.PerDay) {
		return 0
	}
	return c.PerDay / SecondsPerDay
}
