package api

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// sseItem is one event read from a stream; comment lines come as name ":".
type sseItem struct {
	name, data string
}

// openStream starts reading an SSE stream; items arrive on the channel until the server closes it.
// stop ends the request.
func (e *testEnv) openStream(path string) (items <-chan sseItem, head reply, stop func()) {
	e.t.Helper()
	// A bound for the whole stream, so that a broken server fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(e.t.Context(), 20*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.hs.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-API-Key", testKey)
	resp, err := e.hs.Client().Do(req) //nolint:bodyclose // readEvents closes it, in its goroutine, when the stream ends
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	ch := make(chan sseItem, 64)
	go readEvents(resp.Body, ch)
	e.t.Cleanup(cancel)
	return ch, reply{StatusCode: resp.StatusCode, Header: resp.Header}, cancel
}

// readEvents sends the events of an SSE stream on ch, then closes ch and body.
func readEvents(body io.ReadCloser, ch chan<- sseItem) {
	defer close(ch)
	defer body.Close()
	sc := bufio.NewScanner(body)
	var it sseItem
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, ":"):
			ch <- sseItem{name: ":"}
		case strings.HasPrefix(line, "event: "):
			it.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			it.data = strings.TrimPrefix(line, "data: ")
		case line == "" && it.name != "":
			ch <- it
			it = sseItem{}
		}
	}
}

// collect reads events until the stream closes.
func collect(items <-chan sseItem) []sseItem {
	var out []sseItem
	for it := range items {
		if it.name != ":" {
			out = append(out, it)
		}
	}
	return out
}

func startedRun(t *testing.T, e *testEnv) runs.View {
	t.Helper()
	id := e.saveConfig("c", nil)
	var v runs.View
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/runs", map[string]any{"config_id": id}, &v)
	return v
}

func TestRunEventsStream(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.RateLimit = 2 }) // two requests to start the run; streams are exempt
	v := startedRun(t, e)
	e.runs.setEvents(v.ID,
		runs.Event{Type: "stats", Record: json.RawMessage(`{"type":"stats","total":{"hits_sent":10}}`)},
		runs.Event{Type: "day", Record: json.RawMessage(`{"type":"day","date":"2026-01-01"}`)},
		runs.Event{Type: "error", Record: json.RawMessage(`{"type":"error","message":"token_auth=` + secretToken + `"}`)},
		runs.Event{Type: "summary", Record: json.RawMessage(`{"type":"summary"}`)})
	for range 2 {
		items, resp, _ := e.openStream("/api/runs/" + v.ID + "/events")
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("content type %q", ct)
		}
		got := collect(items)
		var names []string
		for _, it := range got {
			names = append(names, it.name)
			if strings.Contains(it.data, secretToken) {
				t.Errorf("token in event %s", it.data)
			}
		}
		if strings.Join(names, ",") != "stats,day,error,summary,end" {
			t.Fatalf("events %v", names)
		}
		var ev runs.Event
		if err := json.Unmarshal([]byte(got[0].data), &ev); err != nil || ev.Type != "stats" || !strings.Contains(string(ev.Record), `"hits_sent":10`) {
			t.Errorf("stats event %s (%v)", got[0].data, err)
		}
		var end EndEvent
		if err := json.Unmarshal([]byte(got[4].data), &end); err != nil || end.Reason != "finished" || end.State != "running" {
			t.Errorf("end event %s", got[4].data)
		}
	}
}

func TestRunLogsFollow(t *testing.T) {
	e := newEnv(t, func(d *Deps) { d.Heartbeat = 10 * time.Millisecond })
	v := startedRun(t, e)
	e.runs.setLogs(v.ID, "one", "two token_auth="+secretToken, "three")

	// A finished log ends with "end".
	items, _, _ := e.openStream("/api/runs/" + v.ID + "/logs?follow=1&filter=t")
	got := collect(items)
	if len(got) != 3 || got[0].name != "log" || got[2].name != "end" || strings.Contains(got[0].data, secretToken) {
		t.Fatalf("followed %+v", got)
	}
	var line runs.LogLine
	if err := json.Unmarshal([]byte(got[0].data), &line); err != nil || line.Text != "two token_auth=[redacted]" {
		t.Errorf("log event %s", got[0].data)
	}

	// A live log gets heartbeats while idle, and ends with "end" when the server closes its streams.
	e.runs.mu.Lock()
	e.runs.holdFollow = true
	e.runs.mu.Unlock()
	items, _, _ = e.openStream("/api/runs/" + v.ID + "/logs?follow=1")
	logs, pings := 0, 0
	for it := range items {
		switch it.name {
		case "log":
			logs++
		case ":":
			pings++
			if pings == 2 {
				e.srv.CloseStreams()
			}
		case "end":
			if !strings.Contains(it.data, "shutdown") {
				t.Errorf("end %s", it.data)
			}
		}
	}
	if logs != 3 || pings < 2 {
		t.Errorf("logs %d, heartbeats %d", logs, pings)
	}
}
