package engines

import (
	"context"
	"fmt"
	"time"
)

// Clock is an engine's source of time: "now", and every wait (the pauses between hits, stats
// intervals, settle and retry waits, rate limits, the shutdown grace). Tests of pacing normally
// keep SystemClock and run inside a testing/synctest bubble, where the real clock is fake; Clock
// exists for what the bubble cannot do, such as starting at a chosen wall-clock instant, jumping
// ahead as a paused process would see it, or passing long waits at once beside real network I/O.
type Clock interface {
	// Now returns the current time. Elapsed time is measured as Now().Sub(start), so a Now with a
	// monotonic reading (as time.Now has) keeps schedules immune to wall-clock steps.
	Now() time.Time
	// NewTimer returns a started timer that fires once after d.
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer the engines use, with Go 1.23 semantics: after Reset or Stop,
// no tick from before the call is delivered.
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

// Wait waits d on c, or until ctx ends, whose error it then returns (wrapped). A d of zero or less
// returns at once, with ctx's error if it has ended.
func Wait(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("wait: %w", err)
		}
		return nil
	}
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait: %w", ctx.Err())
	case <-t.C():
		return nil
	}
}
