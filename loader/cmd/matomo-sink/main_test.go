package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

const sinkToken = "feedfacefeedfacefeedfacefeedface"

// lockedBuffer is a log destination the test can read while the sink runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSink runs the program on a loopback port and returns its base URL; it is stopped (and
// must stop cleanly) at the end of the test.
func startSink(t *testing.T, args ...string) (string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	ready := make(chan string, 1)
	done := make(chan error, 1)
	env := func(k string) string {
		if k == "SINK_TOKEN" {
			return sinkToken
		}
		return ""
	}
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), env, logs, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("sink did not start: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("shutdown: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("sink did not stop")
		}
	})
	return "http://" + addr, logs
}

func getSummary(t *testing.T, base string) matomotest.Summary {
	t.Helper()
	resp, err := http.Get(base + "/summary")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s matomotest.Summary
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("summary: %v", err)
	}
	return s
}

// TestSinkEndToEnd runs the program and drives it over loopback HTTP: a bulk with the token from
// SINK_TOKEN, /summary, /reset and /health.
func TestSinkEndToEnd(t *testing.T) {
	base, logs := startSink(t, "-sites", "1,2", "-timezone", "Europe/Stockholm")

	cdt := time.Now().Add(-72 * time.Hour).UTC().Format(time.DateTime)
	body, _ := json.Marshal(map[string]any{
		"token_auth": sinkToken,
		"requests": []string{
			"?idsite=1&rec=1&cid=0123456789abcdef&url=https%3A%2F%2Fa.example%2F&cdt=" + strings.ReplaceAll(cdt, " ", "+"),
			"?idsite=2&rec=1&cid=0123456789abcdef&url=https%3A%2F%2Fb.example%2F",
			"?idsite=3&rec=1",
		},
	})
	resp, err := http.Post(base+"/matomo.php", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	reply, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `{"status":"success","tracked":2,"invalid":1,"invalid_indices":[2]}`; string(reply) != want {
		t.Errorf("bulk reply %s, want %s", reply, want)
	}

	s := getSummary(t, base)
	if s.Hits != 3 || s.Tracked != 2 || s.Visits != 2 || s.PerSite[2].Visits != 1 || s.InvalidByReason["unknown_site"] != 1 {
		t.Errorf("summary %+v", s)
	}

	resp, err = http.Post(base+"/reset", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || getSummary(t, base).Hits != 0 {
		t.Errorf("reset: status %d", resp.StatusCode)
	}

	resp, err = http.Get(base + "/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health: %d", resp.StatusCode)
	}

	if l := logs.String(); !strings.Contains(l, "listening on http://127.0.0.1:") || strings.Contains(l, sinkToken) {
		t.Errorf("start-up log %q must name the address and never the token", l)
	}
}

// TestSinkQueuedAndSiteInfo checks that -queued and -timezone reach the server.
// -goals and -dimensions give every site goals and custom dimensions: the API lists them and a
// conversion of another goal is rejected.
func TestSinkGoalsAndDimensions(t *testing.T) {
	base, _ := startSink(t, "-goals", "1,3", "-dimensions", "2:action")
	call := func(method string) string {
		resp, err := http.Post(base+"/index.php?module=API&method="+method+"&idSite=1&format=json",
			"application/x-www-form-urlencoded", strings.NewReader("token_auth="+sinkToken))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if g := call("Goals.getGoals"); !strings.Contains(g, `"idgoal":1`) || !strings.Contains(g, `"idgoal":3`) {
		t.Errorf("goals %s", g)
	}
	if d := call("CustomDimensions.getConfiguredCustomDimensions"); !strings.Contains(d, `"idcustomdimension":"2"`) || !strings.Contains(d, `"scope":"action"`) {
		t.Errorf("dimensions %s", d)
	}
	for goal, want := range map[string]int{"3": http.StatusNoContent, "2": http.StatusBadRequest} {
		resp, err := http.Get(base + "/matomo.php?idsite=1&rec=1&send_image=0&cid=0123456789abcdef&idgoal=" + goal)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("conversion of goal %s: %d, want %d", goal, resp.StatusCode, want)
		}
	}
}

func TestSinkQueuedAndSiteInfo(t *testing.T) {
	base, _ := startSink(t, "-queued", "-timezone", "Asia/Tokyo", "-token", "cmdline-token")
	resp, err := http.Post(base+"/matomo.php", "application/json", strings.NewReader(`{"requests":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("queued bulk probe: %d, want 204", resp.StatusCode)
	}
	resp, err = http.Post(base+"/index.php?module=API&method=SitesManager.getSiteFromId&idSite=1&format=json",
		"application/x-www-form-urlencoded", strings.NewReader("token_auth=cmdline-token"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"timezone":"Asia/Tokyo"`) {
		t.Errorf("site %s", b)
	}
}

// TestParseArgs checks the command line, row by row.
func TestParseArgs(t *testing.T) {
	env := func(string) string { return "from-env" }
	tests := []struct {
		name    string // what the row shows
		args    []string
		wantErr string
		token   string
	}{
		{"defaults take the token from SINK_TOKEN", nil, "", "from-env"},
		{"-token wins over the environment", []string{"-token", "flag"}, "", "flag"},
		{"a site id must be a number", []string{"-sites", "1,x"}, "-sites", ""},
		{"a site id must be positive", []string{"-sites", "0"}, "-sites", ""},
		{"an unknown timezone is refused", []string{"-timezone", "Mars/Base"}, "-timezone", ""},
		{"an error rate above 1 is refused", []string{"-error-rate", "2"}, "-error-rate", ""},
		{"a negative deadlock rate is refused", []string{"-deadlock-rate", "-0.1"}, "-deadlock-rate", ""},
		{"a late rate above 1 is refused", []string{"-late-rate", "1.5"}, "-late-rate", ""},
		{"rates adding up to more than 1 are refused", []string{"-error-rate", "0.6", "-deadlock-rate", "0.5"}, "add up", ""},
		{"a negative late delay is refused", []string{"-late-delay", "-1s"}, "-late-delay", ""},
		{"a negative latency cap is refused", []string{"-latency-max", "-1s"}, "-latency-max", ""},
		{"a negative tail shape is refused", []string{"-latency-tail-alpha", "-1"}, "-latency-tail-alpha", ""},
		{"every fault flag together is accepted", []string{"-latency", "10ms", "-latency-tail-alpha", "1.5",
			"-latency-max", "1s", "-error-rate", "0.1", "-deadlock-rate", "0.2", "-late-rate", "0.3",
			"-late-delay", "2s", "-seed", "7"}, "", "from-env"},
		{"stray arguments are refused", []string{"extra"}, "unexpected", ""},
		{"goal ids are accepted", []string{"-goals", "1, 2,7"}, "", "from-env"},
		{"a goal id must be a positive number", []string{"-goals", "1,x"}, "-goals", ""},
		{"dimensions are accepted", []string{"-dimensions", "1:visit,2:action"}, "", "from-env"},
		{"a dimension needs a known scope", []string{"-dimensions", "1:page"}, "-dimensions", ""},
		{"a dimension id is given once", []string{"-dimensions", "1:visit,1:action"}, "-dimensions", ""},
		{"a capacity and an error rate above it are accepted", []string{"-capacity", "100", "-errors-above", "150",
			"-base-latency", "2ms", "-latency-growth", "50", "-api-latency", "VisitsSummary.get=2s, *=10ms"}, "", "from-env"},
		{"a negative capacity is refused", []string{"-capacity", "-1"}, "-capacity", ""},
		{"errors below the capacity are refused", []string{"-capacity", "100", "-errors-above", "50"}, "below -capacity", ""},
		{"errors without a capacity are refused", []string{"-errors-above", "50"}, "needs -capacity", ""},
		{"an API latency that is not Method=duration is refused", []string{"-api-latency", "VisitsSummary.get:2s"}, "-api-latency", ""},
		{"a negative API latency is refused", []string{"-api-latency", "*=-1s"}, "-api-latency", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseArgs(tc.args, env, io.Discard)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one about %s", err, tc.wantErr)
			case tc.wantErr == "" && c.token != tc.token:
				t.Errorf("token %q, want %q", c.token, tc.token)
			}
			if tc.wantErr == "" && slices.Contains(tc.args, "-capacity") {
				if o := c.options(); o.Load.Capacity != 100 || o.Load.ErrorsAbove != 150 || o.Load.BaseLatency != 2*time.Millisecond ||
					o.APILatency["VisitsSummary.get"] != 2*time.Second || o.APILatency["*"] != 10*time.Millisecond {
					t.Errorf("options %+v, %v", o.Load, o.APILatency)
				}
			}
		})
	}
}

// TestSinkFaultFlags checks that the fault flags reach the server: each row's flags, the status
// a bulk of three distinct visits gets, and what the summary then shows.
func TestSinkFaultFlags(t *testing.T) {
	tests := []struct {
		name    string // what the row shows
		args    []string
		timeout time.Duration
		status  int // 0: the client gave up
		check   func(s matomotest.Summary) bool
	}{
		{"-deadlock-rate 1 loses the head of the bulk and answers 500",
			[]string{"-deadlock-rate", "1", "-seed", "3"}, 5 * time.Second, 500,
			func(s matomotest.Summary) bool {
				return s.RolledBack >= 1 && s.RolledBack <= 2 && s.Visits == 3-s.RolledBack && s.Faults == 1
			}},
		{"-late-rate 1 with an hour's -late-delay outlasts the client; shutdown does not wait for it",
			[]string{"-late-rate", "1", "-late-delay", "1h"}, 50 * time.Millisecond, 0,
			func(s matomotest.Summary) bool { return s.Requests == 1 && s.Hits == 0 }},
		{"a heavy-tailed latency still answers and records the bulk",
			[]string{"-latency", "1ms", "-latency-tail-alpha", "1.5", "-latency-max", "5ms"}, 5 * time.Second, 200,
			func(s matomotest.Summary) bool { return s.Visits == 3 && s.Faults == 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, _ := startSink(t, tc.args...)
			var reqs []string
			for i := range 3 {
				reqs = append(reqs, fmt.Sprintf("?idsite=1&rec=1&cid=%016x&url=u", i+1))
			}
			body, _ := json.Marshal(map[string]any{"requests": reqs})
			client := &http.Client{Timeout: tc.timeout}
			resp, err := client.Post(base+"/matomo.php", "application/json", bytes.NewReader(body))
			switch {
			case tc.status == 0 && err == nil:
				resp.Body.Close()
				t.Fatalf("got %d, want the client to give up", resp.StatusCode)
			case tc.status != 0 && err != nil:
				t.Fatal(err)
			case tc.status != 0:
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
			}
			if s := getSummary(t, base); !tc.check(s) {
				t.Errorf("summary %+v", s)
			}
		})
	}
}
