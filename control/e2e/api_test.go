package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// client calls the control's API (docs/api.md) and the sink's own endpoints, on loopback only.
type client struct {
	base string // http://127.0.0.1:<control port>
	sink string // http://127.0.0.1:<sink port>
	key  string
	http *http.Client
}

// run is the part of a run (GET /api/runs/{id}) the test reads.
type run struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Mode     string `json:"mode"`
	State    string `json:"state"`
	Error    string `json:"error"`
	ExitCode *int   `json:"exit_code"`
	Total    struct {
		VisitsStarted int64 `json:"visits_started"`
		HitsTracked   int64 `json:"hits_tracked"`
		HitsInvalid   int64 `json:"hits_invalid"`
	} `json:"total"`
	Days []struct {
		Date    string `json:"date"`
		Planned int64  `json:"planned"`
		Sent    int64  `json:"sent"`
		Invalid int64  `json:"invalid"`
		Done    bool   `json:"done"`
	} `json:"days"`
}

// summary is the part of matomo-sink's GET /summary the test reads.
type summary struct {
	Hits            int            `json:"hits"`
	Invalid         int            `json:"invalid"`
	Visits          int            `json:"visits"`
	InvalidByReason map[string]int `json:"invalid_by_reason"`
	PerSite         map[string]struct {
		Visits      int            `json:"visits"`
		Invalid     int            `json:"invalid"`
		VisitsByDay map[string]int `json:"visits_by_day"`
	} `json:"per_site"`
}

// call sends a JSON request with the API key and decodes a JSON answer into out (when not nil).
// A status other than want is an error carrying the answer's body (which never holds a token).
func (c *client) call(ctx context.Context, method, url string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if strings.HasPrefix(url, c.base) {
		req.Header.Set("X-API-Key", c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, url, err)
		}
	}
	return nil
}

// must is call that fails the test on error.
func (c *client) must(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	if err := c.call(t.Context(), method, c.base+path, body, want, out); err != nil {
		t.Fatal(err)
	}
}

// getRun reads one run.
func (c *client) getRun(ctx context.Context, id string) (run, error) {
	var r run
	err := c.call(ctx, http.MethodGet, c.base+"/api/runs/"+id, nil, http.StatusOK, &r)
	return r, err
}

// summary reads the sink's tallies.
func (c *client) summary(ctx context.Context) (summary, error) {
	var s summary
	err := c.call(ctx, http.MethodGet, c.sink+"/summary", nil, http.StatusOK, &s)
	return s, err
}

// eventually polls cond every half second until it reports done, the deadline passes (the test
// fails with cond's last word on the state) or the test ends.
func eventually(t *testing.T, what string, within time.Duration, cond func(ctx context.Context) (done bool, state string)) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		done, state := cond(t.Context())
		if done {
			return
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("waiting for %s: %v (last: %s)", what, t.Context().Err(), state)
		case <-deadline.C:
			t.Fatalf("waiting for %s: not within %s (last: %s)", what, within, state)
		case <-tick.C:
		}
	}
}

// waitRun waits until a run reaches state want; a run that ends in another state fails the test.
func (c *client) waitRun(t *testing.T, id, want string, within time.Duration) run {
	t.Helper()
	var r run
	eventually(t, "run "+id+" to be "+want, within, func(ctx context.Context) (bool, string) {
		var err error
		if r, err = c.getRun(ctx, id); err != nil {
			return false, err.Error()
		}
		if r.State != want && ended(r.State) {
			t.Fatalf("run %s ended %s (exit code %v, error %q), want %s", id, r.State, exitText(r.ExitCode), r.Error, want)
		}
		return r.State == want, "state " + r.State
	})
	return r
}

// ended reports whether a run state is final (docs/api.md: Runs).
func ended(state string) bool {
	switch state {
	case "completed", "stopped", "failed", "lost":
		return true
	}
	return false
}

func exitText(code *int) string {
	if code == nil {
		return "none"
	}
	return fmt.Sprint(*code)
}
