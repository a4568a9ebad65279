package docker

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
)

// Event actions delivered by Events; the engine's names.
const (
	EventStart   = "start"   // the container (re)started, including restarts by its restart policy
	EventDie     = "die"     // the process exited; Event.ExitCode is set
	EventStop    = "stop"    // the container was stopped through the API (a die event precedes it)
	EventDestroy = "destroy" // the container was removed
	EventOOM     = "oom"     // the kernel's OOM killer hit the container
)

// Event is a state change of one of this scope's loader containers.
type Event struct {
	// Action is one of the Event* constants.
	Action string
	// ContainerID is the full container ID.
	ContainerID string
	// RunID, Index and Kind come from the container's ownership labels (Index -1 when unusable).
	RunID string
	Index int
	Kind  string
	// ExitCode is the process's exit code on EventDie, 0 otherwise.
	ExitCode int
	// Time is when the engine recorded the event.
	Time time.Time
}

// Events watches this scope's loader containers for start, die, stop, destroy and oom, starting
// now (events from before the call are not replayed: reconcile with List first, then watch).
//
// The event channel is closed when the watch ends; the error channel then yields exactly one
// error and is closed: ctx's error when ctx ended it, an error wrapping io.EOF when the engine
// closed the stream, or one wrapping ErrUnavailable when it could not be reached. Reconnecting
// (with backoff, then re-listing to catch up) is the caller's job, as with the SDK's Events.
func (r *Runtime) Events(ctx context.Context) (<-chan Event, <-chan error) {
	args := filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("label", labelFilter(LabelManaged, LabelManagedValue)),
		filters.Arg("label", labelFilter(LabelScope, r.scope)),
	)
	for _, a := range []string{EventStart, EventDie, EventStop, EventDestroy, EventOOM} {
		args.Add("event", a)
	}
	msgs, sdkErrs := r.api.Events(ctx, events.ListOptions{Filters: args})

	out := make(chan Event, 16)
	errs := make(chan error, 1)
	go func() {
		defer close(out)
		defer close(errs)
		for {
			select {
			case m := <-msgs:
				select {
				case out <- fromMessage(m):
				case <-ctx.Done():
					errs <- fmt.Errorf("docker events of scope %s: %w", r.scope, ctx.Err())
					return
				}
			case err := <-sdkErrs:
				errs <- fmt.Errorf("docker events of scope %s: %w", r.scope, classify(err))
				return
			}
		}
	}()
	return out, errs
}

// fromMessage translates an engine event. Container events carry the container's labels among
// the actor's attributes, and a die event its exit code.
func fromMessage(m events.Message) Event {
	attrs := m.Actor.Attributes
	e := Event{Action: string(m.Action), ContainerID: m.Actor.ID}
	e.RunID, e.Index, e.Kind = identity(attrs)
	if code, err := strconv.Atoi(attrs["exitCode"]); err == nil {
		e.ExitCode = code
	}
	switch {
	case m.TimeNano != 0:
		e.Time = time.Unix(0, m.TimeNano)
	case m.Time != 0:
		e.Time = time.Unix(m.Time, 0)
	}
	return e
}
