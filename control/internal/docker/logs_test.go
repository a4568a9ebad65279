package docker

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// frame is one log message as the engine sends it: a stream and a payload (timestamp included).
type frame struct {
	stream stdcopy.StdType
	data   string
}

// multiplexed encodes frames the way the engine does for a container without TTY.
func multiplexed(t *testing.T, frames []frame) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, f := range frames {
		if _, err := stdcopy.NewStdWriter(&buf, f.stream).Write([]byte(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// fakeLogs is an engine whose ContainerLogs replays a fixed multiplexed body.
type fakeLogs struct {
	engine
	body    []byte
	err     error
	gotOpts container.LogsOptions
}

func (f *fakeLogs) ContainerLogs(_ context.Context, _ string, o container.LogsOptions) (io.ReadCloser, error) {
	f.gotOpts = o
	if f.err != nil {
		return nil, f.err
	}
	return io.NopCloser(bytes.NewReader(f.body)), nil
}

// collect drains Logs' channels.
func collect(lines <-chan LogLine, errs <-chan error) ([]LogLine, error) {
	var got []LogLine
	for l := range lines {
		got = append(got, l)
	}
	return got, <-errs
}

const (
	ts1 = "2026-11-22T10:00:00.000000001Z"
	ts2 = "2026-11-22T10:00:01.500000000Z"
	ts3 = "2026-11-22T10:00:02.000000000Z"
)

func TestLogsDemultiplexesLines(t *testing.T) {
	t1, _ := time.Parse(time.RFC3339Nano, ts1)
	t2, _ := time.Parse(time.RFC3339Nano, ts2)
	t3, _ := time.Parse(time.RFC3339Nano, ts3)
	tests := []struct {
		name   string
		frames []frame
		want   []LogLine
	}{
		// One message per stream, interleaved: order and stream are kept, timestamps stripped.
		{"interleaved", []frame{
			{stdcopy.Stdout, ts1 + " {\"a\":1}\n"}, {stdcopy.Stderr, ts2 + " oops\n"}, {stdcopy.Stdout, ts3 + " {\"a\":2}\n"},
		}, []LogLine{{StreamStdout, t1, `{"a":1}`}, {StreamStderr, t2, "oops"}, {StreamStdout, t3, `{"a":2}`}}},
		// A long line split by the log driver arrives as pieces; it is joined and dated by its first piece.
		{"partial messages", []frame{
			{stdcopy.Stdout, ts1 + " first half "}, {stdcopy.Stdout, ts2 + " second half\n"},
		}, []LogLine{{StreamStdout, t1, "first half second half"}}},
		// A last line without newline (the process died mid-line) is still delivered.
		{"no final newline", []frame{{stdcopy.Stderr, ts1 + " panic: boom"}}, []LogLine{{StreamStderr, t1, "panic: boom"}}},
		// Windows line endings lose their carriage return; empty lines are skipped.
		{"crlf and empty", []frame{{stdcopy.Stdout, ts1 + " x\r\n"}, {stdcopy.Stdout, ts2 + " \n"}}, []LogLine{{StreamStdout, t1, "x"}}},
		// A frame without timestamp is kept whole with a zero time.
		{"no timestamp", []frame{{stdcopy.Stdout, "plain line\n"}}, []LogLine{{StreamStdout, time.Time{}, "plain line"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRuntime(&fakeLogs{body: multiplexed(t, tt.frames)}, "s")
			got, err := collect(r.Logs(t.Context(), "c1", LogOptions{}))
			if err != nil {
				t.Fatalf("Logs error = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d lines %+v, want %+v", len(got), got, tt.want)
			}
			for i := range got {
				if got[i].Stream != tt.want[i].Stream || got[i].Text != tt.want[i].Text || !got[i].Time.Equal(tt.want[i].Time) {
					t.Errorf("line %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestLogsOptions(t *testing.T) {
	since := time.Unix(1700000000, 5)
	tests := []struct {
		name string
		in   LogOptions
		want container.LogsOptions
	}{
		// By default the whole log, both streams, with the engine's timestamps.
		{"defaults", LogOptions{}, container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Tail: "all"}},
		// Follow, tail and since pass through; since keeps its nanoseconds.
		{"all set", LogOptions{Follow: true, Tail: 50, Since: since}, container.LogsOptions{
			ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: true, Tail: "50", Since: "1700000000.000000005"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := logsOptions(tt.in); got != tt.want {
				t.Errorf("logsOptions(%+v) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestLogsMissingContainer(t *testing.T) {
	r := newRuntime(&fakeLogs{err: notFoundError{}}, "s")
	got, err := collect(r.Logs(t.Context(), "gone", LogOptions{}))
	if len(got) != 0 || !errors.Is(err, ErrNotFound) {
		t.Fatalf("Logs of a missing container = %v lines, err %v; want none and ErrNotFound", len(got), err)
	}
}

func TestLogsStopsWhenContextEnds(t *testing.T) {
	// The body blocks until closed, like a followed log of a running container.
	pr, pw := io.Pipe()
	defer pw.Close()
	r := newRuntime(&blockingLogs{body: pr}, "s")
	ctx, cancel := context.WithCancel(t.Context())
	lines, errs := r.Logs(ctx, "c1", LogOptions{Follow: true})
	go func() {
		_, _ = pw.Write(multiplexed(t, []frame{{stdcopy.Stdout, ts1 + " before cancel\n"}}))
	}()
	if l := <-lines; l.Text != "before cancel" {
		t.Fatalf("first line = %+v", l)
	}
	cancel()
	got, err := collect(lines, errs)
	if len(got) != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("after cancel: %d lines, err %v; want none and context.Canceled", len(got), err)
	}
}

// blockingLogs returns a body the test controls.
type blockingLogs struct {
	engine
	body io.ReadCloser
}

func (b *blockingLogs) ContainerLogs(context.Context, string, container.LogsOptions) (io.ReadCloser, error) {
	return b.body, nil
}

func TestSplitTimestampKeepsTextThatLooksLikeOne(t *testing.T) {
	_, rest := splitTimestamp([]byte("hello world"))
	if !strings.HasPrefix(string(rest), "hello") {
		t.Errorf("rest = %q, want the text unchanged", rest)
	}
}
