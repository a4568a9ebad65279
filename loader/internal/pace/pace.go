// Package pace decides when each visit of a live run is due.
//
// A Pacer is a pure function of absolute progress, after vegeta's: given the time elapsed since
// the run began and how many visits have already been taken from the schedule, it says how long to
// wait for the next one. Because every answer is computed from the absolute schedule rather than
// by adding up sleeps, a late wake-up never shifts the visits after it, so the long-run rate does
// not drift. Pacers keep no clock, which is why they can be tested as tables with no time passing
// and why N loaders can each compute the same global schedule and start only their share (Shard).
//
// What to do when the engine has fallen behind (start late, drop, or burst) is not a pacer's
// decision; the scheduler in package live makes it.
package pace

import (
	"math"
	"time"
)

// Pacer describes an arrival schedule: visit number n (0-based) is due at a fixed offset due(n)
// from the start of the run, with due non-decreasing in n.
//
// Pace returns how long after elapsed the visit at schedule position started (the number of
// visits already taken from the schedule, whether they were started, dropped or capped) is due:
// max(0, due(started) − elapsed). A zero wait means the visit is due now or overdue; by how much
// is the caller's business (see Due). stop reports that the schedule has no visit at position
// started, either because it ended or because the pacer is misconfigured.
//
// Rate returns the intended instantaneous rate, in visits per second, at elapsed. It is what
// reports compare the achieved rate against; the scheduler also uses it to size its tolerance
// for late visits.
//
// Implementations must make Pace(0, n) equal to due(n): Due and the wrapping pacers (Poisson,
// Shard) rely on it to read the absolute schedule.
type Pacer interface {
	Pace(elapsed time.Duration, started uint64) (wait time.Duration, stop bool)
	Rate(elapsed time.Duration) float64
}

// Sequencer is implemented by pacers that hand out only a share of a larger schedule (Shard).
// Seq maps a position in the pacer's own schedule to the visit's number in the global schedule,
// so that anything derived from the number (a visit's seed, for one) is the same whichever
// loader ends up starting that visit.
type Sequencer interface {
	Seq(n uint64) uint64
}

// Due returns the offset from the start of the run at which visit n (0-based position in p's
// schedule) is due; ok is false when p's schedule has no such visit.
func Due(p Pacer, n uint64) (at time.Duration, ok bool) {
	at, stop := p.Pace(0, n)
	return at, !stop
}

// SecondsPerDay is the length of the nominal day that visits-per-day rates are expressed in.
// Diurnal days follow the local calendar instead, which makes DST days 23 or 25 hours long.
const SecondsPerDay = 86400

// maxDue is the furthest offset a pacer schedules: comfortably inside time.Duration's ~292
// years, so the arithmetic around it cannot overflow. A visit due later than this ends the
// schedule rather than wrapping around.
const maxDue = 200 * 365 * 24 * time.Hour

// waitUntil turns an absolute due offset into the wait Pace returns.
func waitUntil(due, elapsed time.Duration) time.Duration {
	if due <= elapsed {
		return 0
	}
	return due - elapsed
}

// secondsToDuration converts a float number of seconds to a Duration rounded to the nearest
// nanosecond; ok is false when the value is not finite or lies outside [0, maxDue].
func secondsToDuration(s float64) (time.Duration, bool) {
	ns := math.Round(s * 1e9)
	if math.IsNaN(ns) || ns < 0 || ns > float64(maxDue) {
		return 0, false
	}
	return time.Duration(ns), true
}

// validRate reports whether a visits-per-day figure can drive a schedule.
func validRate(perDay float64) bool {
	return perDay > 0 && !math.IsInf(perDay, 0) && !math.IsNaN(perDay)
}
