package docker

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
)

// These tests run against the real Docker Engine (see dockerRuntime for when they skip).

func TestDockerStartWithEnvAndFiles(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	greeting := "hello-" + randomHex(4)
	const path = "/etc/trafficinator/conf/funnels.json" // parents do not exist in a FROM-scratch image
	content := `{"funnels":[{"name":"checkout"}]}`
	spec := fakeSpec(t, rt, "run-env", 0, "FAKE_GREETING="+greeting, "FAKE_FILE="+path, "FAKE_LINES=3")
	spec.DataDir, spec.Files = "/etc/trafficinator", []File{{Path: path, Data: []byte(content)}}
	spec.Labels = map[string]string{"io.trafficinator.config-id": "42"}

	c := startFake(t, rt, spec)
	if c.RunID != "run-env" || c.Index != 0 || c.Kind != KindLive || c.Labels["io.trafficinator.config-id"] != "42" ||
		c.Labels[LabelScope] != rt.Scope() || !strings.HasPrefix(c.Name, "trafficinator-run-env-0-") {
		t.Errorf("started container = %+v", c)
	}

	// Following the log ends by itself when the program exits.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	lines, err := collect(rt.Logs(ctx, c.ID, LogOptions{Follow: true}))
	if err != nil {
		t.Fatalf("followed log ended with %v, want a clean end at exit", err)
	}
	var stdout []map[string]any
	var stderr []string
	for _, l := range lines {
		if l.Time.IsZero() {
			t.Errorf("line %q has no engine timestamp", l.Text)
		}
		switch l.Stream {
		case StreamStdout:
			var rec map[string]any
			if err := json.Unmarshal([]byte(l.Text), &rec); err != nil {
				t.Errorf("stdout line %q is not JSON: %v", l.Text, err)
			}
			stdout = append(stdout, rec)
		case StreamStderr:
			stderr = append(stderr, l.Text)
		}
	}
	if len(stdout) != 5 || stdout[0]["greeting"] != greeting || stdout[1]["content"] != content || stdout[4]["seq"] != 2.0 {
		t.Errorf("stdout = %v, want hello with %q, the file's content and 3 numbered lines", stdout, greeting)
	}
	if len(stderr) != 1 || !strings.Contains(stderr[0], "stderr") {
		t.Errorf("stderr = %q, want the program's one stderr line", stderr)
	}
}

func TestDockerExitCodeInInspectListAndEvents(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	spec := fakeSpec(t, rt, "run-exit", 2, "FAKE_EXIT=3")
	spec.Kind = KindBackfill

	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	evc, errc := rt.Events(ctx) // subscribed before the start, so no event is missed
	c := startFake(t, rt, spec)

	var seen []string
	for die := false; !die; {
		select {
		case e, ok := <-evc:
			if !ok {
				t.Fatalf("events ended before the die event (seen %v): %v", seen, <-errc)
			}
			if e.ContainerID != c.ID {
				t.Fatalf("event %+v of a container this test did not start", e)
			}
			seen = append(seen, e.Action)
			if e.Action == EventDie {
				die = true
				if e.ExitCode != 3 || e.RunID != "run-exit" || e.Index != 2 || e.Kind != KindBackfill || e.Time.IsZero() {
					t.Errorf("die event = %+v, want exit code 3 of run-exit/2 (backfill)", e)
				}
			}
		case <-ctx.Done():
			t.Fatalf("no die event within the deadline (seen %v)", seen)
		}
	}
	if seen[0] != EventStart {
		t.Errorf("events = %v, want start first", seen)
	}

	if code, err := rt.Wait(ctx, c.ID); err != nil || code != 3 {
		t.Errorf("Wait = %d, %v; want 3", code, err)
	}
	got, err := rt.Inspect(ctx, c.ID)
	// No order is asserted between the two times: for a process that exits at once the engine
	// records FinishedAt a little before StartedAt.
	if err != nil || got.State != "exited" || got.ExitCode != 3 || got.FinishedAt.IsZero() || got.StartedAt.IsZero() {
		t.Errorf("Inspect = %+v, %v; want exited with code 3 and both times set", got, err)
	}
	all, err := rt.List(ctx, Filter{All: true})
	if err != nil || len(all) != 1 || all[0].ID != c.ID || all[0].ExitCode != 3 {
		t.Errorf("List(all) = %+v, %v; want the exited loader with code 3", all, err)
	}
	if running, err := rt.List(ctx, Filter{}); err != nil || len(running) != 0 {
		t.Errorf("List(running) = %+v, %v; want none", running, err)
	}
}

func TestDockerStopIsGraceful(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	// The program takes a while to drain after SIGTERM, well within the stop timeout: a stop that
	// did not wait for it would end in SIGKILL.
	c := startFake(t, rt, fakeSpec(t, rt, "run-stop", 0, "FAKE_WAIT=true", "FAKE_DRAIN_MS=1500"))
	followUntil(t, rt, c.ID, `"waiting"`)

	if err := rt.Stop(t.Context(), c.ID, 20*time.Second); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	got, err := rt.Inspect(t.Context(), c.ID)
	// A SIGKILL would show as 137; 0 means the program handled SIGTERM and was given time to drain.
	if err != nil || got.State != "exited" || got.ExitCode != 0 {
		t.Fatalf("after Stop: %+v, %v; want exited with code 0", got, err)
	}
	lines := allLogs(t, rt, c.ID)
	if len(lines) == 0 || lines[len(lines)-1].Text != "stopping" {
		t.Errorf("last log line = %+v, want the program's goodbye", lines)
	}
	// Stopping a stopped container is not an error.
	if err := rt.Stop(t.Context(), c.ID, time.Second); err != nil {
		t.Errorf("second Stop = %v, want nil", err)
	}
}

func TestDockerRemoveIsIdempotent(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	c := startFake(t, rt, fakeSpec(t, rt, "run-rm", 0, "FAKE_WAIT=true"))

	// Remove forces a running container away; the second remove finds nothing and succeeds.
	for i := range 2 {
		if err := rt.Remove(t.Context(), c.ID); err != nil {
			t.Fatalf("Remove #%d = %v, want nil", i+1, err)
		}
	}
	if _, err := rt.Inspect(t.Context(), c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Inspect(removed) = %v, want ErrNotFound", err)
	}
	if err := rt.Stop(t.Context(), c.ID, time.Second); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stop(removed) = %v, want ErrNotFound", err)
	}
	if err := rt.StopAndRemove(t.Context(), c.ID, time.Second); err != nil {
		t.Errorf("StopAndRemove(removed) = %v, want nil", err)
	}
}

func TestDockerListFiltersByRunAndScope(t *testing.T) {
	t.Parallel()
	rtA, rtB := dockerRuntime(t), dockerRuntime(t)
	for _, s := range []Spec{
		fakeSpec(t, rtA, "run-1", 0, "FAKE_WAIT=true"),
		fakeSpec(t, rtA, "run-1", 1, "FAKE_WAIT=true"),
		fakeSpec(t, rtA, "run-2", 0, "FAKE_WAIT=true"),
	} {
		startFake(t, rtA, s)
	}
	other := startFake(t, rtB, fakeSpec(t, rtB, "run-1", 0, "FAKE_WAIT=true")) // same run id, other scope

	tests := []struct {
		name string
		rt   *Runtime
		f    Filter
		want []string // "run/index" of the expected containers, sorted
	}{
		// A scope sees its own loaders of every run.
		{"scope A, all runs", rtA, Filter{}, []string{"run-1/0", "run-1/1", "run-2/0"}},
		// A run filter keeps one run's loaders, not the other scope's loader of the same run id.
		{"scope A, run-1", rtA, Filter{RunID: "run-1"}, []string{"run-1/0", "run-1/1"}},
		// A run that does not exist yields nothing.
		{"scope A, unknown run", rtA, Filter{RunID: "run-9"}, nil},
		// The other scope sees only its own loader.
		{"scope B", rtB, Filter{All: true}, []string{"run-1/0"}},
	}
	for _, tt := range tests {
		got, err := tt.rt.List(t.Context(), tt.f)
		if err != nil {
			t.Fatalf("%s: List: %v", tt.name, err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.RunID+"/"+strconv.Itoa(c.Index))
			if c.State != "running" {
				t.Errorf("%s: %s is %s, want running", tt.name, c.Name, c.State)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: List = %v, want %v", tt.name, ids, tt.want)
		}
	}
	if got, _ := rtB.List(t.Context(), Filter{}); len(got) != 1 || got[0].ID != other.ID {
		t.Errorf("scope B lists %+v, want only its own container", got)
	}
}

func TestDockerHostConfigIsApplied(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	netName := "trafficinator-test-" + randomHex(4)
	api := rt.api.(*client.Client)
	if _, err := api.NetworkCreate(t.Context(), netName, network.CreateOptions{Labels: map[string]string{LabelScope: rt.Scope()}}); err != nil {
		t.Fatalf("create network: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Containers on the network must go first; the scope cleanup runs after this one, so do it here.
		if left, err := rt.List(ctx, Filter{All: true}); err == nil {
			for _, c := range left {
				_ = rt.Remove(ctx, c.ID)
			}
		}
		if err := api.NetworkRemove(ctx, netName); err != nil {
			t.Errorf("remove network: %v", err)
		}
	})

	tests := []struct {
		name    string
		mutate  func(*Spec)
		network string
		retries int
	}{
		// Restart policy "no" when no retries are asked for, on the default bridge.
		{"defaults", func(*Spec) {}, "default", 0},
		// On-failure with its retry count, visible in inspect.
		{"on-failure", func(s *Spec) { s.RestartOnFailure = 2 }, "default", 2},
		// Host networking, for loaders that target a Matomo on 127.0.0.1.
		{"host network", func(s *Spec) { s.Network = "host" }, "host", 0},
		// A network the caller created (a sink container would live on it too).
		{"own network", func(s *Spec) { s.Network = netName }, netName, 0},
	}
	for i, tt := range tests {
		spec := fakeSpec(t, rt, "run-host", i, "FAKE_WAIT=true")
		spec.User, spec.Memory, spec.NanoCPUs = "65534:65534", 64<<20, 500_000_000
		tt.mutate(&spec)
		c := startFake(t, rt, spec)
		if c.Network != tt.network || c.RestartOnFailure != tt.retries {
			t.Errorf("%s: network %q, restart-on-failure %d; want %q, %d", tt.name, c.Network, c.RestartOnFailure, tt.network, tt.retries)
		}
		raw, err := api.ContainerInspect(t.Context(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if raw.Config.User != "65534:65534" || raw.HostConfig.Memory != 64<<20 || raw.HostConfig.NanoCPUs != 500_000_000 ||
			raw.Config.StopTimeout == nil || *raw.Config.StopTimeout != 5 || raw.Config.Tty {
			t.Errorf("%s: engine config %+v / %+v does not match the spec", tt.name, raw.Config, raw.HostConfig.Resources)
		}
	}
}

func TestDockerLogsTailSinceAndCancel(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	done := startFake(t, rt, fakeSpec(t, rt, "run-logs", 0, "FAKE_LINES=10"))
	if _, err := rt.Wait(t.Context(), done.ID); err != nil {
		t.Fatal(err)
	}
	all := allLogs(t, rt, done.ID)

	ctx := t.Context()
	tail, err := collect(rt.Logs(ctx, done.ID, LogOptions{Tail: 2}))
	if err != nil || len(tail) != 2 || tail[0].Text != all[len(all)-2].Text || tail[1].Text != all[len(all)-1].Text {
		t.Errorf("Tail 2 = %+v, %v; want the last two of %d lines", tail, err, len(all))
	}
	// Since keeps exactly the lines the engine dated at or after it, in log order. (The log's order
	// is not strictly by time: the engine copies stdout and stderr separately.)
	since := all[5].Time
	var want []string
	for _, l := range all {
		if !l.Time.Before(since) {
			want = append(want, l.Stream+":"+l.Text)
		}
	}
	later, err := collect(rt.Logs(ctx, done.ID, LogOptions{Since: since}))
	var got []string
	for _, l := range later {
		got = append(got, l.Stream+":"+l.Text)
	}
	if err != nil || len(want) == 0 || len(want) == len(all) || !slices.Equal(got, want) {
		t.Errorf("Since %v = %q, %v; want %q", since, got, err, want)
	}

	// Following a running container ends when the context does, with the context's error.
	running := startFake(t, rt, fakeSpec(t, rt, "run-logs", 1, "FAKE_WAIT=true"))
	followCtx, cancel := context.WithCancel(ctx)
	lines, errs := rt.Logs(followCtx, running.ID, LogOptions{Follow: true})
	for l := range lines {
		if strings.Contains(l.Text, "waiting") {
			cancel()
		}
	}
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled follow ended with %v, want context.Canceled", err)
	}
	cancel()
}

func TestDockerBuildImageReportsFailedStep(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	dir := t.TempDir()
	writeFile(t, dir, "build/Dockerfile.test", "FROM scratch\nCOPY does-not-exist /x\n")
	tag := "trafficinator-test/broken:" + randomHex(6)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = rt.RemoveImage(ctx, tag)
	})
	err := rt.BuildImage(t.Context(), tag, dir, "build/Dockerfile.test", nil)
	if err == nil || !strings.Contains(err.Error(), "does-not-exist") {
		t.Fatalf("BuildImage = %v, want the builder's complaint about the missing file", err)
	}
	if _, err := rt.Start(t.Context(), Spec{RunID: "r", Kind: KindLive, Image: tag}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Start from the unbuilt image = %v, want ErrNotFound", err)
	}
}
