package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"
)

// sseWriteTimeout bounds each write of a stream, so a client that stops reading cannot hold the
// handler for ever (the server's WriteTimeout is off because streams are long).
const sseWriteTimeout = 30 * time.Second

// EndEvent is the data of the last event of every stream.
type EndEvent struct {
	// Reason is "finished" (the run ended or the log ended) or "shutdown" (the control is stopping).
	Reason string `json:"reason"`
	// State is the run's state when the stream ended, when known.
	State string `json:"state,omitempty"`
}

// sseEvent is one event to send: its name and its data (marshalled to one line of JSON).
type sseEvent struct {
	name string
	data any
}

var eventNameRE = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

// streamSSE sends the items of ch as Server-Sent Events until ch closes (then an "end" event), the
// client goes away, or the server shuts its streams (an "end" event with reason "shutdown"). A
// comment line every heartbeat keeps proxies from closing an idle stream. end, when not nil, gives
// the final event's data.
func streamSSE[T any](s *Server, c echo.Context, ch <-chan T, render func(T) sseEvent, end func() EndEvent) error {
	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// The connection may serve further requests; with no server WriteTimeout nothing else resets
	// the deadline this stream sets.
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	flush := func() { _ = rc.Flush() }
	flush()
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	ctx := c.Request().Context()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-s.streamsDone:
			_ = writeEvent(rc, w, sseEvent{"end", EndEvent{Reason: "shutdown"}})
			flush()
			return nil
		case <-tick.C:
			_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
			_, err = fmt.Fprint(w, ": ping\n\n")
		case v, ok := <-ch:
			if !ok {
				e := EndEvent{Reason: "finished"}
				if end != nil {
					e = end()
				}
				_ = writeEvent(rc, w, sseEvent{"end", e})
				flush()
				return nil
			}
			err = writeEvent(rc, w, render(v))
		}
		if err != nil {
			return nil // the client went away; nothing more can be sent
		}
		flush()
	}
}

// writeEvent writes one event: "event: <name>" and one "data:" line of JSON.
func writeEvent(rc *http.ResponseController, w http.ResponseWriter, ev sseEvent) error {
	b, err := json.Marshal(ev.data)
	if err != nil {
		b = []byte(`{}`)
	}
	if !eventNameRE.MatchString(ev.name) {
		ev.name = "record"
	}
	_ = rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout)) // not every writer supports deadlines
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, b)
	return err
}
