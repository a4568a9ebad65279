package docker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/docker/docker/api/types/swarm"
)

// Timing of following a task's log: Swarm's log stream of a task stays open after the task has
// ended, so a watcher looks at the task every taskPollEvery, and once it has ended gives the
// stream taskLogSettle to deliver the task's last lines before it is closed and what is left is
// read without following.
var (
	taskPollEvery = time.Second
	taskLogSettle = time.Second
)

// slotLogs streams the logs of a slot's tasks, oldest first, from opts.Since. A task that never
// started a container has none. With opts.Follow the newest task, if it runs, is followed until it
// ends; the stream then ends, as a container's does when it stops.
func (r *Runtime) slotLogs(ctx context.Context, serviceID string, slot int, opts LogOptions, lines chan<- LogLine) error {
	_, tasks, err := r.serviceTasks(ctx, serviceID)
	if err != nil {
		return err
	}
	since := opts.Since
	for _, t := range slotTasks(tasks, slot) {
		if cs := t.Status.ContainerStatus; cs == nil || cs.ContainerID == "" {
			continue
		}
		var last time.Time
		if opts.Follow && t.Status.State == swarm.TaskStateRunning {
			last, err = r.followTask(ctx, t.ID, since, lines)
		} else {
			last, err = r.taskLogs(ctx, t.ID, since, false, lines)
		}
		if err != nil && !errors.Is(err, ErrNotFound) { // a task Swarm removed meanwhile has no more to say
			return err
		}
		if !last.IsZero() {
			since = last.Add(time.Nanosecond)
		}
	}
	return nil
}

// taskLogs reads a task's log from since (inclusive), following it or not, and returns the time
// of the last line passed on.
func (r *Runtime) taskLogs(ctx context.Context, taskID string, since time.Time, follow bool, lines chan<- LogLine) (time.Time, error) {
	sw, err := r.swarmAPI()
	if err != nil {
		return time.Time{}, err
	}
	body, err := sw.TaskLogs(ctx, taskID, logsOptions(LogOptions{Follow: follow, Since: since}))
	if err != nil {
		return time.Time{}, fmt.Errorf("logs of task %s: %w", taskID, classify(err))
	}
	last, err := copyLog(ctx, body, lines)
	if err != nil {
		return last, fmt.Errorf("logs of task %s: %w", taskID, err)
	}
	return last, nil
}

// followTask follows a running task's log until the task has ended (or is gone), then reads what
// the followed stream had not delivered yet. It returns the time of the last line passed on.
func (r *Runtime) followTask(ctx context.Context, taskID string, since time.Time, lines chan<- LogLine) (time.Time, error) {
	fctx, cancel := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		r.watchTaskEnd(fctx, taskID)
		cancel()
	}()
	last, err := r.taskLogs(fctx, taskID, since, true, lines)
	cancel()
	<-watched
	if ctx.Err() != nil {
		return last, ctx.Err()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return last, err
	}
	if !last.IsZero() {
		since = last.Add(time.Nanosecond)
	}
	rest, err := r.taskLogs(ctx, taskID, since, false, lines)
	if rest.After(last) {
		last = rest
	}
	return last, err
}

// watchTaskEnd returns taskLogSettle after the task has reached a final state or disappeared, or
// when ctx ends. An engine that does not answer ends the watch at once: the follower looks again.
func (r *Runtime) watchTaskEnd(ctx context.Context, taskID string) {
	sw, err := r.swarmAPI()
	if err != nil {
		return
	}
	tick := time.NewTicker(taskPollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		t, _, err := sw.TaskInspectWithRaw(ctx, taskID)
		if err == nil && !taskEnded(t.Status.State) {
			continue
		}
		settle := time.NewTimer(taskLogSettle)
		defer settle.Stop()
		select {
		case <-ctx.Done():
		case <-settle.C:
		}
		return
	}
}

// taskEnded reports the final states of a task: its container will not run again.
func taskEnded(s swarm.TaskState) bool {
	switch s {
	case swarm.TaskStateComplete, swarm.TaskStateShutdown, swarm.TaskStateFailed,
		swarm.TaskStateRejected, swarm.TaskStateOrphaned, swarm.TaskStateRemove:
		return true
	}
	return false
}
