package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// Stream names of a LogLine.
const (
	StreamStdout = "stdout"
	StreamStderr = "stderr"
)

// maxLineBytes caps how much of a line without a newline is buffered before it is passed on as
// a line of its own, so a misbehaving container cannot grow the control's memory without bound.
const maxLineBytes = 1 << 20

// LogOptions selects which log lines Logs delivers.
type LogOptions struct {
	// Follow keeps the stream open for new lines until the container stops (or ctx ends).
	Follow bool
	// Tail starts with only the last Tail lines; 0 means the whole log.
	Tail int
	// Since skips lines logged before this time; zero means from the start.
	Since time.Time
}

// LogLine is one line a container printed, without its trailing newline.
type LogLine struct {
	// Stream is StreamStdout or StreamStderr.
	Stream string
	// Time is when the engine received the line (Docker's own timestamp, not the control's clock).
	Time time.Time
	// Text is the line itself. A loader's stdout lines are JSON records (pkg/report). Empty lines
	// are skipped.
	Text string
}

// Logs streams a container's log lines, stdout and stderr told apart (containers are created
// without a TTY, so the engine multiplexes the two streams).
//
// The line channel is closed when the log ends: at once without Follow, when the container stops
// with Follow, or when ctx is done. The error channel then yields at most one error (wrapping
// ErrNotFound for a missing container, or ctx's error when ctx ended the stream) and is closed, so
// the usual loop is `for l := range lines {…}; if err := <-errs; err != nil {…}`. A reader that
// stops reading early must cancel ctx; the goroutine behind the channels then ends.
//
// For a slot of a Swarm service (see slots.go) Logs reads the logs of the slot's tasks, oldest
// first, and with Follow ends when the slot's newest task has ended, as a container's log ends when
// it stops: Swarm's own log stream of a task does not end by itself.
func (r *Runtime) Logs(ctx context.Context, id string, opts LogOptions) (<-chan LogLine, <-chan error) {
	lines := make(chan LogLine, 64)
	errs := make(chan error, 1)
	go func() {
		defer close(lines)
		defer close(errs)
		if svcID, slot, ok := parseSlotID(id); ok {
			if err := r.slotLogs(ctx, svcID, slot, opts, lines); err != nil {
				errs <- fmt.Errorf("logs of slot %d of service %s: %w", slot, svcID, err)
			}
			return
		}
		if err := r.streamLogs(ctx, id, opts, lines); err != nil {
			errs <- fmt.Errorf("logs of container %s: %w", shortID(id), err)
		}
	}()
	return lines, errs
}

// streamLogs runs in Logs' goroutine until the log ends.
func (r *Runtime) streamLogs(ctx context.Context, id string, opts LogOptions, lines chan<- LogLine) error {
	body, err := r.api.ContainerLogs(ctx, id, logsOptions(opts))
	if err != nil {
		return classify(err)
	}
	_, err = copyLog(ctx, body, lines)
	return err
}

// copyLog turns a multiplexed, timestamped log stream into lines until it ends (or ctx does), and
// closes it. It returns the time of the last line it passed on (zero when none).
func copyLog(ctx context.Context, body io.ReadCloser, lines chan<- LogLine) (time.Time, error) {
	defer body.Close()
	// Closing the body unblocks a read waiting for the next frame when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = body.Close() })
	defer stop()

	var last time.Time
	out := &lineWriter{ctx: ctx, stream: StreamStdout, lines: lines, last: &last}
	errOut := &lineWriter{ctx: ctx, stream: StreamStderr, lines: lines, last: &last}
	_, copyErr := stdcopy.StdCopy(out, errOut, body)
	if ctx.Err() != nil {
		return last, ctx.Err()
	}
	if copyErr != nil && !errors.Is(copyErr, io.EOF) {
		return last, classify(copyErr)
	}
	if err := out.flush(); err != nil {
		return last, err
	}
	return last, errOut.flush()
}

// logsOptions translates LogOptions; timestamps are always requested so LogLine.Time is Docker's.
func logsOptions(opts LogOptions) container.LogsOptions {
	o := container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: opts.Follow, Tail: "all"}
	if opts.Tail > 0 {
		o.Tail = strconv.Itoa(opts.Tail)
	}
	if !opts.Since.IsZero() {
		o.Since = fmt.Sprintf("%d.%09d", opts.Since.Unix(), opts.Since.Nanosecond())
	}
	return o
}

// lineWriter turns one demultiplexed stream into LogLines. stdcopy hands it one frame per Write;
// with timestamps on, the engine starts every log message with "<RFC 3339 nano time> ", and a
// message longer than the log driver's buffer arrives as several messages, only the last ending
// in a newline. The writer strips each message's timestamp and joins the pieces, dating the line
// by its first piece.
type lineWriter struct {
	ctx     context.Context
	stream  string
	lines   chan<- LogLine
	pending []byte
	started time.Time
	last    *time.Time // the latest time of a line passed on, shared by a stream's two writers
}

// Write consumes one frame. It returns an error only when ctx ends, which stops stdcopy.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	ts, rest := splitTimestamp(p)
	if len(w.pending) == 0 {
		w.started = ts
	}
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			w.pending = append(w.pending, rest...)
			if len(w.pending) >= maxLineBytes {
				if err := w.flush(); err != nil {
					return 0, err
				}
			}
			break
		}
		w.pending = append(w.pending, rest[:i]...)
		if err := w.flush(); err != nil {
			return 0, err
		}
		rest = rest[i+1:]
		w.started = ts
	}
	return n, nil
}

// flush emits the pending bytes as one line (nothing when there are none).
func (w *lineWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	text := string(bytes.TrimSuffix(w.pending, []byte("\r")))
	w.pending = w.pending[:0]
	select {
	case w.lines <- LogLine{Stream: w.stream, Time: w.started, Text: text}:
		if w.last != nil && w.started.After(*w.last) {
			*w.last = w.started
		}
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// splitTimestamp separates the engine's timestamp from a log message. A message without one
// (which the engine does not send when asked for timestamps) is kept whole, dated zero.
func splitTimestamp(p []byte) (time.Time, []byte) {
	i := bytes.IndexByte(p, ' ')
	if i <= 0 || i > len("2006-01-02T15:04:05.000000000+07:00") {
		return time.Time{}, p
	}
	t, err := time.Parse(time.RFC3339Nano, string(p[:i]))
	if err != nil {
		return time.Time{}, p
	}
	return t, p[i+1:]
}
