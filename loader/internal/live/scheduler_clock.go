package live

import "time"

// Clock is the scheduler's source of time. Tests of pacing normally keep SystemClock and run
// inside a testing/synctest bubble, where the real clock is fake; Clock exists for what the bubble
// cannot do, such as starting at a chosen wall-clock instant or jumping ahead as a paused process
// would see it.
type Clock interface {
	// Now returns the current time. Elapsed time is measured as Now().Sub(start), so a Now with a
	// monotonic reading (as time.Now has) keeps the schedule immune to wall-clock steps.
	Now() time.Time
	// NewTimer returns a started timer that fires once after d.
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer the scheduler uses, with Go 1.23 semantics: after Reset or
// Stop, no tick from before the call is delivered.
type Timer interface {
	C() <-chan time.Time
	Reset(d time.Duration) bool
	Stop() bool
}

// SystemClock is the real clock: time.Now and time.NewTimer.
type SystemClock struct{}

var _ Clock = SystemClock{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns a *time.Timer behind the Timer interface.
func (SystemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time        { return t.t.C }
func (t systemTimer) Reset(d time.Duration) bool { return t.t.Reset(d) }
func (t systemTimer) Stop() bool                 { return t.t.Stop() }
