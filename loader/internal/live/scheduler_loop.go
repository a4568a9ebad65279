package live

import (
	"context"
	"runtime"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
)

// maxTolerance bounds the interval-based late tolerance, so that a near-zero rate cannot make
// a stall of any length count as "on time".
const maxTolerance = time.Hour

// schedule is the arrival loop. It returns why it stopped.
func (s *Scheduler) schedule(ctx context.Context, queue chan<- uint64) string {
	timer := s.cfg.Clock.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	done := ctx.Done()
	var day dayCount
	for n := uint64(0); ; n++ {
		if s.cfg.MaxTotal > 0 && s.started.Load() >= s.cfg.MaxTotal {
			return ReasonMaxTotal
		}
		now := s.cfg.Clock.Now()
		elapsed := now.Sub(s.start)
		if s.cfg.Duration > 0 && elapsed >= s.cfg.Duration && !s.dueAtEnd(elapsed, n) {
			return ReasonDuration
		}
		wait, stop := s.cfg.Pacer.Pace(elapsed, n)
		if stop {
			return ReasonScheduleEnd
		}
		var late bool
		if wait > 0 {
			due := elapsed + wait
			if s.cfg.Duration > 0 && due > s.cfg.Duration {
				// Nothing more is due within the run: stop at its end, not at the next visit.
				if !sleep(done, timer, s.cfg.Duration-elapsed) {
					return ReasonCancelled
				}
				return ReasonDuration
			}
			if g := s.ticks.Load(); g != nil {
				wait = g.roundUp(now, wait)
				if s.cfg.Duration > 0 {
					wait = min(wait, s.cfg.Duration-elapsed)
				}
			}
			if !sleep(done, timer, wait) {
				return ReasonCancelled
			}
			now = s.cfg.Clock.Now()
			elapsed = now.Sub(s.start)
			late = s.lateBy(elapsed-due, elapsed)
		} else {
			select {
			case <-done:
				return ReasonCancelled
			default:
			}
			late = s.overdue(elapsed, n)
		}
		s.dispatch(now, n, late, &day, queue)
	}
}

// dueAtEnd reports whether visit n, found at elapsed ≥ Duration, still belongs to the run: it was
// due by Duration and the loop woke for it on the tick grid, which batches the visits due within one
// tick and so may wake at the run's end for several visits due up to that instant. Without a grid
// the loop wakes for each visit, and none can be found due at the end with the run over.
func (s *Scheduler) dueAtEnd(elapsed time.Duration, n uint64) bool {
	if s.cfg.Tick <= 0 || elapsed-s.cfg.Duration >= s.cfg.Tick {
		return false
	}
	wait, stop := s.cfg.Pacer.Pace(s.cfg.Duration, n)
	return !stop && wait == 0
}

// sleep waits d on timer; it reports false when done closed first.
func sleep(done <-chan struct{}, timer engines.Timer, d time.Duration) bool {
	timer.Reset(d)
	select {
	case <-done:
		return false
	case <-timer.C():
		return true
	}
}

// dispatch settles the fate of the visit at schedule position n, found due at now.
func (s *Scheduler) dispatch(now time.Time, n uint64, late bool, day *dayCount, queue chan<- uint64) {
	if s.cfg.MaxPerDay > 0 && day.full(now, s.cfg.Location, s.cfg.MaxPerDay) {
		// Capped comes first: on a day whose quota is spent, nothing was going to be sent, so a
		// stall or a full pool changes nothing worth reporting.
		capped := s.capped.Add(1)
		if s.cfg.OnCap != nil {
			s.cfg.OnCap(capped)
		}
		return
	}
	seq := n
	if s.seq != nil {
		seq = s.seq.Seq(n)
	}
	// Only this goroutine takes slots; workers only free them. So a slot seen free here is
	// still free when taken.
	if late || !s.slotFree() {
		if late {
			s.late.Add(1)
		}
		s.dropped.Add(1)
		if s.cfg.OnDrop != nil {
			s.cfg.OnDrop(seq)
		}
		return
	}
	s.inFlight.Add(1)
	s.started.Add(1)
	day.n++
	s.queued.Add(1)
	queue <- seq
}

// maxYields bounds how often one due visit yields to the workers before it is dropped.
const maxYields = 3

// slotFree reports whether fewer than Concurrency visits are in flight. Visits handed to the
// queue but not yet picked up by a worker (in the buffer, or passed to a parked worker that has
// not run yet) count as in flight, but they are only waiting for a worker to be scheduled, which
// happens late when this loop is catching up without blocking (on one core, not until it is
// preempted). So before calling the pool full because of them, yield and look again: a visit is
// dropped only when the pool is really busy, not because the Go scheduler has not got round to it.
func (s *Scheduler) slotFree() bool {
	for range maxYields {
		if s.inFlight.Load() < int64(s.cfg.Concurrency) {
			return true
		}
		if s.queued.Load() == 0 {
			return false
		}
		runtime.Gosched()
	}
	return s.inFlight.Load() < int64(s.cfg.Concurrency)
}

// lateBy reports whether a visit found due `late` after its due time is past the tolerance.
func (s *Scheduler) lateBy(late, elapsed time.Duration) bool {
	if late < s.cfg.LateTolerance {
		return false // the common case, without asking the pacer for its rate
	}
	return late >= s.interval(elapsed)
}

// overdue reports whether visit n, found already due at elapsed (Pace said wait 0), was due
// longer ago than the tolerance. Pace(t, n) is 0 exactly when visit n is due at or before t, so
// asking at elapsed minus the tolerance answers without knowing the due time itself.
func (s *Scheduler) overdue(elapsed time.Duration, n uint64) bool {
	if !s.dueBy(elapsed-s.cfg.LateTolerance, n) {
		return false
	}
	if iv := s.interval(elapsed); iv > s.cfg.LateTolerance {
		return s.dueBy(elapsed-iv, n)
	}
	return true
}

// dueBy reports whether visit n was due at or before t.
func (s *Scheduler) dueBy(t time.Duration, n uint64) bool {
	if t < 0 {
		return false
	}
	wait, stop := s.cfg.Pacer.Pace(t, n)
	return !stop && wait == 0
}

// interval is one visit's interval at the rate intended at elapsed, at most maxTolerance, and 0
// when the pacer states no rate.
func (s *Scheduler) interval(elapsed time.Duration) time.Duration {
	rate := s.cfg.Pacer.Rate(elapsed)
	if !(rate > 0) {
		return 0
	}
	if secs := 1 / rate; secs < maxTolerance.Seconds() {
		return time.Duration(secs * float64(time.Second))
	}
	return maxTolerance
}

// dayCount tracks visits started on the current local calendar day.
type dayCount struct {
	end time.Time // the next local midnight; zero before the first visit
	n   uint64
}

// full moves to a new day when now has passed midnight, and reports whether the day's quota is
// spent. Days follow the wall clock (now's wall reading in loc), as a calendar must. In the few
// zones where DST skips or repeats midnight itself, time.Date may place the boundary up to an hour
// off; the quota then resets that much early or late once a year, which is harmless.
func (d *dayCount) full(now time.Time, loc *time.Location, quota uint64) bool {
	if !now.Before(d.end) {
		y, m, dd := now.In(loc).Date()
		d.end = time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
		d.n = 0
	}
	return d.n >= quota
}
