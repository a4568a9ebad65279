package pace

import (
	"fmt"
	"math"
	"sort"
	"sync/atomic"
	"time"
)

// Ramp is a schedule decided while it runs, for a capacity search: a rate held, or moved
// linearly to another rate (k6's ramping arrival rate), from instants a controller chooses as it
// goes. Within each rampSeg the rate is linear, so the cumulative count N(t) is piecewise
// quadratic and Pace inverts it exactly, like Constant and Diurnal, from the absolute schedule.
//
// The controller changes the schedule from an instant on (Hold, RampTo, End); what lies before
// that instant stays as it was, so a change made at "now" never moves a visit that was already
// due. The scheduler reads the schedule on every visit; changes publish a new immutable copy,
// so reading takes no lock. A scheduler sleeping towards a visit of the old schedule wakes at
// that visit's old due time and then follows the new one: a change lands at most one old
// interval late. Ramp is safe for concurrent use.
type Ramp struct {
	state atomic.Pointer[rampState]
}

// rampState is one version of the schedule.
type rampState struct {
	segs []rampSeg     // by start, the first at 0
	end  time.Duration // no visit is due after end; < 0 means the last rampSeg lasts for ever
}

// rampSeg is a stretch of linear rate: r0 visits/s at at, changing by slope visits/s² until the
// next rampSeg's start; n0 is N(at).
type rampSeg struct {
	at    time.Duration
	r0    float64
	slope float64
	n0    float64
}

var _ Pacer = (*Ramp)(nil)

// NewRamp returns a Ramp holding perDay visits per day from the start on.
func NewRamp(perDay float64) *Ramp {
	r := &Ramp{}
	r.state.Store(&rampState{segs: []rampSeg{{r0: rateOf(perDay)}}, end: -1})
	return r
}

// String describes the pacer for logs.
func (r *Ramp) String() string {
	s := r.state.Load()
	return fmt.Sprintf("Ramp{%d segments, now %g visits/day}", len(s.segs), s.segs[len(s.segs)-1].r0*SecondsPerDay)
}

func rateOf(perDay float64) float64 {
	if !validRate(perDay) {
		return 0
	}
	return perDay / SecondsPerDay
}

// Hold makes the rate perDay from at on, for ever (until the next change).
func (r *Ramp) Hold(at time.Duration, perDay float64) {
	r.change(at, func(s *rampState) { s.push(at, rateOf(perDay), 0) })
}

// RampTo moves the rate linearly from what it is at at to perDay over d, and holds it there.
// A d of zero or less is Hold.
func (r *Ramp) RampTo(at, d time.Duration, perDay float64) {
	if d <= 0 {
		r.Hold(at, perDay)
		return
	}
	r.change(at, func(s *rampState) {
		from := s.rateAt(at)
		to := rateOf(perDay)
		s.push(at, from, (to-from)/d.Seconds())
		s.push(at+d, to, 0)
	})
}

// End ends the schedule at at: no visit is due after it.
func (r *Ramp) End(at time.Duration) {
	r.change(at, func(s *rampState) { s.end = max(at, 0) })
}

// change publishes a copy of the schedule cut at at (segments starting after it dropped, the end
// lifted) and then changed by f.
func (r *Ramp) change(at time.Duration, f func(*rampState)) {
	at = max(at, 0)
	for {
		old := r.state.Load()
		keep := sort.Search(len(old.segs), func(i int) bool { return old.segs[i].at > at })
		s := &rampState{segs: append([]rampSeg(nil), old.segs[:max(keep, 1)]...), end: -1}
		if old.end >= 0 && old.end <= at {
			s.end = old.end // an ended schedule stays ended
		}
		f(s)
		if r.state.CompareAndSwap(old, s) {
			return
		}
	}
}

// push appends a rampSeg starting at at (≥ the last one's start), replacing the last one when
// both start at the same instant.
func (s *rampState) push(at time.Duration, r0, slope float64) {
	last := &s.segs[len(s.segs)-1]
	if last.at == at {
		n0 := last.n0
		*last = rampSeg{at: at, r0: r0, slope: slope, n0: n0}
		return
	}
	n0 := last.n0 + last.count((at - last.at).Seconds())
	s.segs = append(s.segs, rampSeg{at: at, r0: r0, slope: slope, n0: n0})
}

// count is the visits of the rampSeg in its first tau seconds (its rate clamped at 0).
func (g rampSeg) count(tau float64) float64 {
	if g.slope < 0 {
		if stop := -g.r0 / g.slope; tau > stop {
			tau = stop
		}
	}
	return max(g.r0*tau+0.5*g.slope*tau*tau, 0)
}

// rateAt is the rate at t, in visits/s.
func (s *rampState) rateAt(t time.Duration) float64 {
	if s.end >= 0 && t > s.end {
		return 0
	}
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].at > t }) - 1
	g := s.segs[max(i, 0)]
	return max(g.r0+g.slope*(t-g.at).Seconds(), 0)
}

// Rate returns the intended rate at elapsed, in visits per second; 0 after End.
func (r *Ramp) Rate(elapsed time.Duration) float64 {
	return r.state.Load().rateAt(elapsed)
}

// Pace returns the wait until visit started+1 (1-based) is due: the first instant at which N
// reaches started+1. It reports stop when that instant is after End, or when the rate has
// fallen to zero for good before it.
func (r *Ramp) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	s := r.state.Load()
	k := float64(started) + 1
	// The last rampSeg whose start count is below k holds the visit (or none does, if the
	// schedule's rate reaches zero before).
	i := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].n0 >= k }) - 1
	g := s.segs[max(i, 0)]
	tau, ok := g.solve(k - g.n0)
	if !ok {
		return 0, true
	}
	due, ok := secondsToDuration(g.at.Seconds() + tau)
	if !ok || (s.end >= 0 && due > s.end) {
		return 0, true
	}
	return waitUntil(due, elapsed), false
}

// solve returns the seconds into the rampSeg at which it has counted d visits: the root of
// r0·τ + slope·τ²/2 = d, written so that it is stable whatever the slope's sign and size.
func (g rampSeg) solve(d float64) (float64, bool) {
	disc := g.r0*g.r0 + 2*g.slope*d
	if disc < 0 {
		return 0, false // a falling rate reaches zero first
	}
	den := g.r0 + math.Sqrt(disc)
	if !(den > 0) {
		return 0, false
	}
	return 2 * d / den, true
}
