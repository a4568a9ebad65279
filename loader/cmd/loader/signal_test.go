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
	hanging := make(chan struct{}, 1)
	var mu sync.Mutex
	requests := 0
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read whole, so that the server notices the client going away, then handed on.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		requests++
		n := requests
		mu.Unlock()
		if n <= 6 || strings.Contains(string(body), `"requests":[]`) {
			srv.Handler().ServeHTTP(w, r) // the start-up probe and the first hits are answered
			return
		}
		select {
		case hanging <- struct{}{}:
		default:
		}
		<-r.Context().Done() // the rest hang until the loader gives up on them
	}))
	defer front.Close()

	cmd := exec.Command(os.Args[0]) // no arguments: they would be the loader's
	cmd.Env = append(os.Environ(), "LOADER_TEST_MAIN=1", "MATOMO_URL="+front.URL+"/matomo.php",
		"TARGET_VISITS_PER_DAY=100000", "PAUSE_BETWEEN_PVS_MIN=0", "PAUSE_BETWEEN_PVS_MAX=0",
		"RANDOMIZE_VISITOR_COUNTRIES=false", "SHUTDOWN_GRACE=1h", "HTTP_TIMEOUT=600s", "STATS_INTERVAL=1h")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	logs := watchLines(stderr)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()

	select {
	case <-hanging:
	case err := <-exited:
		t.Fatalf("the loader ended before a hit hung: %v\n%s", err, logs.text())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, "stopping: the work under way gets SHUTDOWN_GRACE")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, logs.text())
		}
	case <-time.After(time.Minute): // SHUTDOWN_GRACE is an hour: only the second signal ends it sooner
		t.Fatalf("the loader still waits out SHUTDOWN_GRACE after a second signal:\n%s", logs.text())
	}
	if !strings.Contains(logs.text(), "second signal: ending now") {
		t.Errorf("no log line about the second signal:\n%s", logs.text())
	}
	out := stdout.String()
	if !strings.Contains(out, `"type":"summary"`) || !strings.Contains(out, `"reason":"signal"`) {
		t.Fatalf("no summary with reason signal:\n%s", out)
	}
	if s := srv.Summary(); s.Tracked == 0 || s.Invalid != 0 {
		t.Fatalf("server: %d tracked, %d invalid", s.Tracked, s.Invalid)
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
