package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// notFoundError is how the SDK's errors look to errdefs: anything with a NotFound method.
type notFoundError struct{}

func (notFoundError) Error() string { return "Error: No such container: x" }
func (notFoundError) NotFound()     {}

// connFailed is the SDK's error for an engine that does not answer, as a client gets it.
var connFailed = func() error {
	c, err := client.NewClientWithOpts(client.WithHost("unix:///nonexistent.sock"))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if _, err = c.Ping(context.Background()); !client.IsErrConnectionFailed(err) {
		panic(fmt.Sprintf("ping of a missing socket: %v, not a connection failure", err))
	}
	return err
}()

// fakeEngine records the calls a test is about; any other call panics on the nil engine.
type fakeEngine struct {
	engine
	createErr, copyErr, startErr, stopErr, removeErr error
	created                                          *container.Config
	copied                                           []byte
	removed                                          []string
}

func (f *fakeEngine) ContainerCreate(_ context.Context, cfg *container.Config, _ *container.HostConfig,
	_ *network.NetworkingConfig, _ *ocispec.Platform, _ string) (container.CreateResponse, error) {
	f.created = cfg
	return container.CreateResponse{ID: "abc123"}, f.createErr
}

func (f *fakeEngine) CopyToContainer(_ context.Context, _, _ string, r io.Reader, _ container.CopyToContainerOptions) error {
	f.copied, _ = io.ReadAll(r)
	return f.copyErr
}

func (f *fakeEngine) ContainerStart(context.Context, string, container.StartOptions) error {
	return f.startErr
}

func (f *fakeEngine) ContainerStop(context.Context, string, container.StopOptions) error {
	return f.stopErr
}

func (f *fakeEngine) ContainerRemove(_ context.Context, id string, _ container.RemoveOptions) error {
	f.removed = append(f.removed, id)
	return f.removeErr
}

func TestStartRemovesHalfMadeContainer(t *testing.T) {
	tests := []struct {
		name      string
		eng       *fakeEngine
		wantIn    string
		wantClass error
	}{
		// Copying the files failed: the container must not stay behind without them.
		{"copy fails", &fakeEngine{copyErr: errors.New("disk full")}, "copy files", nil},
		// Starting failed (say, an unknown network): the created container is removed.
		{"start fails", &fakeEngine{startErr: notFoundError{}}, "start container", ErrNotFound},
		// The engine went away after create: the error says so, and removal is still tried.
		{"engine gone", &fakeEngine{startErr: connFailed, removeErr: connFailed}, "start container", ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRuntime(tt.eng, "s")
			spec := validSpec()
			spec.DataDir, spec.Files = "/data", []File{{Path: "/data/f", Data: []byte("x")}}
			_, err := r.Start(t.Context(), spec)
			if err == nil || !strings.Contains(err.Error(), tt.wantIn) || !strings.Contains(err.Error(), "start loader run-1/0") {
				t.Fatalf("Start error = %v, want it to mention %q and the loader", err, tt.wantIn)
			}
			if tt.wantClass != nil && !errors.Is(err, tt.wantClass) {
				t.Errorf("Start error = %v, want errors.Is %v", err, tt.wantClass)
			}
			if len(tt.eng.removed) != 1 || tt.eng.removed[0] != "abc123" {
				t.Errorf("removed %v, want the created container", tt.eng.removed)
			}
		})
	}
}

func TestStartRejectsInvalidSpecBeforeCreating(t *testing.T) {
	// A nil engine panics on any call, so reaching the engine fails the test.
	r := newRuntime(nil, "s")
	if _, err := r.Start(t.Context(), Spec{}); !errors.Is(err, ErrInvalidSpec) {
		t.Fatalf("Start(empty spec) = %v, want ErrInvalidSpec", err)
	}
}

func TestStartCreateErrorIsClassified(t *testing.T) {
	r := newRuntime(&fakeEngine{createErr: notFoundError{}}, "s") // the image does not exist
	_, err := r.Start(t.Context(), validSpec())
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "create container") {
		t.Fatalf("Start = %v, want ErrNotFound from create", err)
	}
}

func TestStopAndRemoveErrors(t *testing.T) {
	tests := []struct {
		name    string
		eng     *fakeEngine
		call    func(*Runtime) error
		wantErr error // nil means success
	}{
		// A container that is already gone counts as removed.
		{"remove missing", &fakeEngine{removeErr: notFoundError{}}, func(r *Runtime) error { return r.Remove(context.Background(), "x") }, nil},
		// A remove the engine refuses is reported.
		{"remove unavailable", &fakeEngine{removeErr: connFailed}, func(r *Runtime) error { return r.Remove(context.Background(), "x") }, ErrUnavailable},
		// Stopping a missing container is reported as not found…
		{"stop missing", &fakeEngine{stopErr: notFoundError{}}, func(r *Runtime) error { return r.Stop(context.Background(), "x", time.Second) }, ErrNotFound},
		// …but stop-and-remove of a missing container is a success.
		{"stop and remove missing", &fakeEngine{stopErr: notFoundError{}, removeErr: notFoundError{}}, func(r *Runtime) error {
			return r.StopAndRemove(context.Background(), "x", time.Second)
		}, nil},
		// When the stop fails for another reason, nothing is removed behind the caller's back.
		{"stop fails", &fakeEngine{stopErr: connFailed}, func(r *Runtime) error { return r.StopAndRemove(context.Background(), "x", time.Second) }, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(newRuntime(tt.eng, "s"))
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestNewUnavailable(t *testing.T) {
	_, err := New(t.Context(), Options{Host: "unix:///nonexistent.sock", Scope: "t"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("New(dead socket) = %v, want ErrUnavailable", err)
	}
}

func TestFromMessage(t *testing.T) {
	m := events.Message{
		Type: events.ContainerEventType, Action: events.ActionDie, TimeNano: 1_700_000_000_123_000_000,
		Actor: events.Actor{ID: "abc", Attributes: map[string]string{
			"exitCode": "3", LabelRunID: "r1", LabelIndex: "2", LabelKind: KindBackfill, "image": "x",
		}},
	}
	want := Event{Action: EventDie, ContainerID: "abc", RunID: "r1", Index: 2, Kind: KindBackfill, ExitCode: 3,
		Time: time.Unix(0, 1_700_000_000_123_000_000)}
	if got := fromMessage(m); got != want {
		t.Errorf("fromMessage = %+v, want %+v", got, want)
	}
	// A start event has no exit code, and a container without an index label gets -1.
	m = events.Message{Action: events.ActionStart, Time: 1_700_000_000, Actor: events.Actor{ID: "def"}}
	if got := fromMessage(m); got.ExitCode != 0 || got.Index != -1 || !got.Time.Equal(time.Unix(1_700_000_000, 0)) {
		t.Errorf("fromMessage(start) = %+v", got)
	}
}

// fakeEvents replays messages, then an error, like the SDK's Events.
type fakeEvents struct {
	engine
	msgs []events.Message
	end  error
	opts events.ListOptions
}

func (f *fakeEvents) Events(_ context.Context, o events.ListOptions) (<-chan events.Message, <-chan error) {
	f.opts = o
	msgs, errs := make(chan events.Message), make(chan error, 1)
	go func() {
		for _, m := range f.msgs {
			msgs <- m
		}
		errs <- f.end
	}()
	return msgs, errs
}

func TestEventsFiltersAndEnds(t *testing.T) {
	eng := &fakeEvents{
		msgs: []events.Message{{Action: "start", Actor: events.Actor{ID: "a"}}, {Action: "die", Actor: events.Actor{ID: "a"}}},
		end:  io.EOF,
	}
	r := newRuntime(eng, "my-scope")
	evc, errc := r.Events(t.Context())
	var got []string
	for e := range evc {
		got = append(got, e.Action+":"+e.ContainerID)
	}
	if err := <-errc; !errors.Is(err, io.EOF) {
		t.Errorf("end error = %v, want io.EOF", err)
	}
	if strings.Join(got, ",") != "start:a,die:a" {
		t.Errorf("events = %v", got)
	}
	f := eng.opts.Filters
	if !f.ExactMatch("label", "io.trafficinator.scope=my-scope") || !f.ExactMatch("label", "io.trafficinator.managed=true") ||
		!f.ExactMatch("type", "container") || !f.ExactMatch("event", "die") || f.ExactMatch("event", "exec_start") {
		t.Errorf("filters = %v, want this scope's managed container lifecycle events", f)
	}
}

// fakeBuild answers ImageBuild with a canned JSON stream.
type fakeBuild struct {
	engine
	stream string
	opts   build.ImageBuildOptions
	ctxTar []byte
}

func (f *fakeBuild) ImageBuild(_ context.Context, ctxTar io.Reader, o build.ImageBuildOptions) (build.ImageBuildResponse, error) {
	f.opts = o
	f.ctxTar, _ = io.ReadAll(ctxTar)
	return build.ImageBuildResponse{Body: io.NopCloser(strings.NewReader(f.stream))}, nil
}

func (f *fakeBuild) ImageRemove(context.Context, string, image.RemoveOptions) ([]image.DeleteResponse, error) {
	return nil, notFoundError{}
}

func TestBuildImageStream(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		wantErr string // "" means success
	}{
		// A clean build ends with the "Successfully" lines and no error.
		{"success", `{"stream":"Step 1/2 : FROM scratch\n"}{"stream":"Successfully built 0123\n"}`, ""},
		// A failed step arrives as an errorDetail message; its text and the step are reported.
		{"failed step", `{"stream":"Step 2/2 : COPY nope /nope\n"}{"errorDetail":{"message":"COPY failed: nope"},"error":"COPY failed: nope"}`,
			"COPY failed: nope (after: Step 2/2 : COPY nope /nope)"},
		// Old engines only set the plain error field.
		{"legacy error", `{"error":"no space left"}`, "no space left"},
		// A stream cut in the middle of a message is an error, not a success.
		{"truncated", `{"stream":"Step 1/2`, "read build output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			eng := &fakeBuild{stream: tt.stream}
			err := newRuntime(eng, "s").BuildImage(t.Context(), "x:1", dir, "", map[string]string{"k": "v"})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("BuildImage = %v, want error containing %q", err, tt.wantErr)
			}
			if eng.opts.Dockerfile != "Dockerfile" || eng.opts.Tags[0] != "x:1" || eng.opts.Labels["k"] != "v" || eng.opts.Version != build.BuilderV1 {
				t.Errorf("build options = %+v", eng.opts)
			}
		})
	}
}

func TestRemoveImageMissingIsSuccess(t *testing.T) {
	if err := newRuntime(&fakeBuild{}, "s").RemoveImage(t.Context(), "gone:1"); err != nil {
		t.Fatalf("RemoveImage(missing) = %v, want nil", err)
	}
}

func TestDirTar(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "Dockerfile", "FROM scratch\n")
	writeFile(t, dir, "bin/loader", "ELF")
	buf, err := dirTar(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := tarNames(t, buf)
	if strings.Join(names, ",") != "Dockerfile,bin/,bin/loader" {
		t.Errorf("entries = %v", names)
	}
	if _, err := dirTar(dir + "/missing"); err == nil {
		t.Error("dirTar(missing dir) succeeded")
	}
}
