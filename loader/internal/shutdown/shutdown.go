// Package shutdown is the loader's two-step stop, after the convention of docker stop and of
// Ctrl-C pressed twice. The first SIGTERM or SIGINT cancels the run's context: nothing new starts,
// and the work under way gets SHUTDOWN_GRACE to finish, in contexts made by Detach. The second
// signal ends that grace at once: Detach's contexts are cancelled too, requests under way are
// abandoned, and the run ends with its summary.
package shutdown

import (
	"context"
	"os"
	"os/signal"
)

// hardKey is the context key of the hard-stop context WithHardStop puts in a context.
type hardKey struct{}

// WithHardStop returns a copy of parent with two ways to end it: stop cancels it (the graceful
// stop), hardStop cancels it and every context Detach makes from it (the hard stop).
func WithHardStop(parent context.Context) (ctx context.Context, stop, hardStop context.CancelFunc) {
	hard, cancelHard := context.WithCancel(context.WithoutCancel(parent))
	ctx, stop = context.WithCancel(context.WithValue(parent, hardKey{}, hard))
	return ctx, stop, func() { cancelHard(); stop() }
}

// Detach returns a context with ctx's values, not cancelled with ctx but by the returned cancel or
// by ctx's hard stop (if it has one, see WithHardStop): the context of work that may outlive a
// graceful stop, up to a grace period, but not a hard one. Call cancel when the work is done.
func Detach(ctx context.Context) (context.Context, context.CancelFunc) {
	detached, cancel := context.WithCancel(context.WithoutCancel(ctx))
	hard, ok := ctx.Value(hardKey{}).(context.Context)
	if !ok {
		return detached, cancel
	}
	unregister := context.AfterFunc(hard, cancel)
	return detached, func() { unregister(); cancel() }
}

// AfterHardStop arranges for f to run in its own goroutine when ctx's hard stop comes, and
// returns a function that cancels that (false when f has started or ctx has no hard stop).
func AfterHardStop(ctx context.Context, f func()) (stop func() bool) {
	hard, ok := ctx.Value(hardKey{}).(context.Context)
	if !ok {
		return func() bool { return false }
	}
	return context.AfterFunc(hard, f)
}

// Notify returns a copy of parent that the first of the signals sigs stops gracefully and the
// second stops hard (see WithHardStop). Call release when the run is over: the signals are then
// no longer caught.
func Notify(parent context.Context, sigs ...os.Signal) (ctx context.Context, release func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, sigs...)
	ctx, stop, hardStop := WithHardStop(parent)
	done := make(chan struct{})
	go relay(ch, done, stop, hardStop)
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		stop()
	}
}

// relay turns the first signal on ch into stop and the second into hardStop, until done.
func relay(ch <-chan os.Signal, done <-chan struct{}, stop, hardStop func()) {
	for _, step := range []func(){stop, hardStop} {
		select {
		case <-ch:
			step()
		case <-done:
			return
		}
	}
}
