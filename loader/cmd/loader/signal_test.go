package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// TestMain lets the test binary be the loader itself: with LOADER_TEST_MAIN=1 it runs main, so that
// a test can send a real loader process real signals.
func TestMain(m *testing.M) {
	if os.Getenv("LOADER_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// A second SIGTERM ends the grace period at once: with SHUTDOWN_GRACE=1h and a hit hanging in
// flight, the first signal stops new visits and waits, the second ends the run, which still
// prints its summary (reason signal) and exits 0, the hits before tracked. The second signal
// was ignored and the loader waited out the hour.
func TestSecondSignalEndsGrace(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{})
	defer srv.Close()
	front, hanging := hangAfter(srv, 6)
	defer front.Close()
	child := startLoader(t, "MATOMO_URL="+front.URL+"/matomo.php", "TARGET_VISITS_PER_DAY=100000",
		"PAUSE_BETWEEN_PVS_MIN=0", "PAUSE_BETWEEN_PVS_MAX=0", "RANDOMIZE_VISITOR_COUNTRIES=false",
		"SHUTDOWN_GRACE=1h", "HTTP_TIMEOUT=600s", "STATS_INTERVAL=1h")
	select {
	case <-hanging:
	case err := <-child.exited:
		t.Fatalf("the loader ended before a hit hung: %v\n%s", err, child.logs.text())
	}
	child.signal(t)
	child.logs.waitFor(t, "stopping: the work under way gets SHUTDOWN_GRACE")
	child.signal(t)
	select {
	case err := <-child.exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, child.logs.text())
		}
	case <-time.After(time.Minute): // SHUTDOWN_GRACE is an hour: only the second signal ends it sooner
		t.Fatalf("the loader still waits out SHUTDOWN_GRACE after a second signal:\n%s", child.logs.text())
	}
	if !strings.Contains(child.logs.text(), "second signal: ending now") {
		t.Errorf("no log line about the second signal:\n%s", child.logs.text())
	}
	if out := child.stdout.String(); !strings.Contains(out, `"type":"summary"`) || !strings.Contains(out, `"reason":"signal"`) {
		t.Fatalf("no summary with reason signal:\n%s", out)
	}
	if s := srv.Summary(); s.Tracked == 0 || s.Invalid != 0 {
		t.Fatalf("server: %d tracked, %d invalid", s.Tracked, s.Invalid)
	}
}

// hangAfter serves srv in front of it for the first n requests and the empty bulk probe; later
// hits are never answered (hanging gets a value when one is held).
func hangAfter(srv *matomotest.Server, n int) (*httptest.Server, <-chan struct{}) {
	hanging := make(chan struct{}, 1)
	var mu sync.Mutex
	requests := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read whole, so that the server notices the client going away, then handed on.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		requests++
		seen := requests
		mu.Unlock()
		if seen <= n || strings.Contains(string(body), `"requests":[]`) {
			srv.Handler().ServeHTTP(w, r)
			return
		}
		select {
		case hanging <- struct{}{}:
		default:
		}
		<-r.Context().Done() // until the loader gives up on it
	})), hanging
}

// child is a loader process: this test binary run as main (see TestMain).
type child struct {
	cmd    *exec.Cmd
	stdout bytes.Buffer
	logs   *lines
	exited chan error
}

// startLoader starts a loader with env added to this process's environment; it is killed when
// the test ends, if it still runs.
func startLoader(t *testing.T, env ...string) *child {
	t.Helper()
	c := &child{cmd: exec.Command(os.Args[0]), exited: make(chan error, 1)} // no arguments: they would be the loader's
	c.cmd.Env = append(append(os.Environ(), "LOADER_TEST_MAIN=1"), env...)
	c.cmd.Stdout = &c.stdout
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c.logs = watchLines(stderr)
	go func() { c.exited <- c.cmd.Wait() }()
	t.Cleanup(func() { _ = c.cmd.Process.Kill() })
	return c
}

// signal sends the loader SIGTERM.
func (c *child) signal(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
}

// lines collects a stream's lines and lets a test wait for one.
type lines struct {
	mu    sync.Mutex
	all   []string
	added chan struct{}
}

func watchLines(r io.Reader) *lines {
	l := &lines{added: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			l.mu.Lock()
			l.all = append(l.all, sc.Text())
			l.mu.Unlock()
			select {
			case l.added <- struct{}{}:
			default:
			}
		}
	}()
	return l
}

func (l *lines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// waitFor waits until a line contains want, failing after a minute.
func (l *lines) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(time.Minute)
	for !strings.Contains(l.text(), want) {
		select {
		case <-l.added:
		case <-deadline:
			t.Fatalf("no line with %q:\n%s", want, l.text())
		}
	}
}
