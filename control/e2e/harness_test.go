package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
)

// project is one compose project of one test run: unique names, so that parallel runs on one
// engine (and a developer's own `make up`) are never touched.
type project struct {
	root        string // the repository (holds go.work and the Makefile)
	name        string // COMPOSE_PROJECT_NAME, also the network's name
	scope       string // CONTROL_SCOPE: the labels of the loader containers the control starts
	controlPort int
	sinkPort    int
	sinkToken   string
	key         string   // the API key `make up` printed (redacted from what the test logs)
	env         []string // the environment of every make/compose/docker command
}

// newProject checks the tools, picks names and ports, and registers the cleanup (before anything
// is started, so it runs however the test ends).
func newProject(t *testing.T) *project {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: needs Docker and Docker Compose; skipped with -short")
	}
	requireTools(t)
	root, err := dockertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	id := dockertest.RandomHex(4)
	p := &project{
		root:        root,
		name:        "trafficinator-e2e-" + id,
		scope:       "e2e-" + id,
		controlPort: freePort(t),
		sinkPort:    freePort(t),
		sinkToken:   dockertest.RandomHex(16),
	}
	p.env = append(cleanEnv(os.Environ()),
		"COMPOSE_PROJECT_NAME="+p.name,
		"TRAFFICINATOR_NETWORK="+p.name,
		"COMPOSE_PROFILES=demo",
		"CONTROL_SCOPE="+p.scope,
		"CONTROL_BIND=127.0.0.1",
		"CONTROL_PORT="+strconv.Itoa(p.controlPort),
		"SINK_PORT="+strconv.Itoa(p.sinkPort),
		"SINK_TOKEN="+p.sinkToken,
	)
	t.Cleanup(func() { p.cleanup(t) })
	return p
}

// requireTools fails (CI=true) or skips the test when Docker, Docker Compose or make is missing.
func requireTools(t *testing.T) {
	t.Helper()
	missing := func(format string, args ...any) { t.Helper(); dockertest.Need(t, format, args...) }
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").CombinedOutput(); err != nil {
		missing("no Docker Engine: %v: %s", err, bytes.TrimSpace(out))
	}
	v2 := exec.CommandContext(ctx, "docker", "compose", "version").Run() == nil
	_, v1 := exec.LookPath("docker-compose")
	if !v2 && v1 != nil {
		missing("neither 'docker compose' nor 'docker-compose' is installed")
	}
	if _, err := exec.LookPath("make"); err != nil {
		missing("no make: %v", err)
	}
}

// cleanEnv drops what would change the project under test: the caller's compose and control
// settings (a developer may have exported them for their own `make up`) and GOFLAGS (a -race
// in it would break the static builds of `make images`).
func cleanEnv(env []string) []string {
	drop := []string{"COMPOSE_", "CONTROL_", "SINK_", "TRAFFICINATOR_", "DEMO_", "LOADER_", "GOFLAGS=", "TAG=", "PURGE="}
	var out []string
next:
	for _, kv := range env {
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		out = append(out, kv)
	}
	return out
}

// run runs a command in the repository with the project's environment and returns its combined
// output; a failure is returned with the output's tail.
func (p *project) run(ctx context.Context, timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = p.root
	cmd.Env = p.env
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(string(out), 40))
	}
	return string(out), nil
}

// compose runs deploy/compose.sh, the wrapper `make up` and `make down` use.
func (p *project) compose(ctx context.Context, timeout time.Duration, args ...string) (string, error) {
	return p.run(ctx, timeout, "bash", append([]string{"deploy/compose.sh"}, args...)...)
}

// cleanup is `make purge` (what a user runs to remove everything), then a check that it left no
// container, volume or network of the project behind, then forced removal of anything that is
// left so that a failed run does not leak into the next one.
func (p *project) cleanup(t *testing.T) {
	// t.Context() is already cancelled when cleanups run.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if t.Failed() {
		if out, err := p.compose(ctx, time.Minute, "--profile", "demo", "logs", "--no-color", "--tail=60"); err == nil {
			if p.key != "" {
				out = strings.ReplaceAll(out, p.key, "[key]")
			}
			t.Logf("compose logs of the failed run:\n%s", out)
		}
	}
	if out, err := p.run(ctx, 2*time.Minute, "make", "--no-print-directory", "purge"); err != nil {
		t.Errorf("make purge: %v", err)
	} else {
		t.Logf("make purge:\n%s", tail(out, 20))
	}
	left := p.leftovers(ctx)
	for _, l := range left {
		t.Errorf("after make purge, still there: %s", l)
	}
	p.forceRemove(ctx, t)
}

// leftovers lists the project's containers (compose services and the control's loaders), its
// volumes and its network, as "kind id".
func (p *project) leftovers(ctx context.Context) []string {
	var out []string
	list := func(kind string, args ...string) {
		s, err := p.run(ctx, 30*time.Second, "docker", args...)
		if err != nil {
			out = append(out, kind+" listing failed: "+err.Error())
			return
		}
		for _, id := range strings.Fields(s) {
			out = append(out, kind+" "+id)
		}
	}
	list("container", "ps", "-aq", "--filter", "label=com.docker.compose.project="+p.name)
	list("loader container", "ps", "-aq", "--filter", "label=io.trafficinator.scope="+p.scope)
	list("volume", "volume", "ls", "-q", "--filter", "label=com.docker.compose.project="+p.name)
	s, err := p.run(ctx, 30*time.Second, "docker", "network", "ls", "--format", "{{.Name}}", "--filter", "name="+p.name)
	if err != nil {
		out = append(out, "network listing failed: "+err.Error())
	}
	for _, n := range strings.Fields(s) {
		if n == p.name { // the filter matches parts of names too
			out = append(out, "network "+n)
		}
	}
	return out
}

// forceRemove removes whatever leftovers reports, ignoring errors (it is the last resort).
func (p *project) forceRemove(ctx context.Context, t *testing.T) {
	for _, l := range p.leftovers(ctx) {
		kind, id, _ := strings.Cut(l, " ")
		var err error
		switch kind {
		case "container", "loader container":
			_, err = p.run(ctx, time.Minute, "docker", "rm", "-f", "-v", id)
		case "volume":
			_, err = p.run(ctx, time.Minute, "docker", "volume", "rm", "-f", id)
		case "network":
			_, err = p.run(ctx, time.Minute, "docker", "network", "rm", id)
		}
		if err != nil {
			t.Logf("force remove %s: %v", l, err)
		}
	}
}

// freePort asks the kernel for a free loopback port. Another process may take it before compose
// binds it; the test then fails at `make up` with a clear message, it does not hang.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
