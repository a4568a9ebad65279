package api

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// Log tail bounds (the original allowed 10 to 10,000 lines).
const (
	defaultLogTail = 200
	maxLogTail     = 10_000
)

// tokenParamRE finds token_auth values in query strings, form bodies and JSON ("token_auth=x",
// "token_auth":"x", token_auth: x). The loader never prints a token; this is a second line of
// defence for whatever else ends up in a container's output.
var tokenParamRE = regexp.MustCompile(`(?i)(token_auth["']?\s*[=:]\s*["']?)([^&\s"',;}\]]+)`)

const redactedText = "[redacted]"

// redactor removes tokens from log text: token_auth values anywhere, and the exact tokens of the
// run's config when the store knows them.
type redactor struct {
	secrets []string
}

func (r redactor) clean(s string) string {
	s = tokenParamRE.ReplaceAllString(s, "${1}"+redactedText)
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, redactedText)
	}
	return s
}

// redactorFor collects the tokens of run id from the store (best effort: a run the store does not
// know still gets the pattern-based redaction).
func (s *Server) redactorFor(ctx context.Context, id string) redactor {
	r, err := s.store.GetRun(ctx, id)
	if err != nil {
		return redactor{}
	}
	var secs []string
	for _, t := range r.Config.ResolvedTargets() {
		if len(t.Token) >= 4 { // a very short "token" would blank ordinary text
			secs = append(secs, t.Token)
		}
	}
	if tok := r.Config.TokenAuth; len(tok) >= 4 {
		secs = append(secs, tok)
	}
	return redactor{secrets: secs}
}

// LogsResponse is GET /api/runs/{id}/logs without follow.
type LogsResponse struct {
	RunID string         `json:"run_id"`
	Lines []runs.LogLine `json:"lines"`
}

// logQuery reads tail (default 200, 1 to 10,000) and filter (a substring).
func logQuery(c echo.Context, tailParam string, def int) (int, string, error) {
	tail := def
	if v := c.QueryParam(tailParam); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLogTail {
			return 0, "", invalidField(tailParam, truncateText(v, 20), "must be a whole number from 1 to %d", maxLogTail)
		}
		tail = n
	}
	return tail, c.QueryParam("filter"), nil
}

// runLogs serves a run's last lines as JSON, or with ?follow=1 as an SSE stream of "log" events
// that continues while the run writes.
func (s *Server) runLogs(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	tail, filter, err := logQuery(c, "tail", defaultLogTail)
	if err != nil {
		return err
	}
	follow := truthy(c.QueryParam("follow"))
	ctx := c.Request().Context()
	ch, err := s.runs.Logs(ctx, id, tail, follow)
	if err != nil {
		return runErr(err, id)
	}
	red := s.redactorFor(ctx, id)
	if follow {
		return streamSSE(s, c, filtered(ctx, ch, filter), func(l runs.LogLine) sseEvent {
			l.Text = red.clean(l.Text)
			return sseEvent{"log", l}
		}, s.endState(ctx, id))
	}
	lines, err := collectLogs(ctx, ch, filter, red)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, LogsResponse{RunID: id, Lines: lines})
}

// collectLogs reads a finite log channel (bounded by the tail the service was given).
func collectLogs(ctx context.Context, ch <-chan runs.LogLine, filter string, red redactor) ([]runs.LogLine, error) {
	lines := []runs.LogLine{}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case l, ok := <-ch:
			if !ok {
				return lines, nil
			}
			if filter != "" && !strings.Contains(l.Text, filter) {
				continue
			}
			l.Text = red.clean(l.Text)
			if len(lines) < maxLogTail {
				lines = append(lines, l)
			}
		}
	}
}

// filtered passes on the lines that contain filter (all when it is empty) until ch closes or ctx ends.
func filtered(ctx context.Context, ch <-chan runs.LogLine, filter string) <-chan runs.LogLine {
	if filter == "" {
		return ch
	}
	out := make(chan runs.LogLine)
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case l, ok := <-ch:
				if !ok {
					return
				}
				if !strings.Contains(l.Text, filter) {
					continue
				}
				select {
				case out <- l:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// endState returns the "end" event of a run's stream: the run's state at that moment.
func (s *Server) endState(ctx context.Context, id string) func() EndEvent {
	return func() EndEvent {
		e := EndEvent{Reason: "finished"}
		if v, err := s.runs.Get(ctx, id); err == nil {
			e.State = v.State
		}
		return e
	}
}

// runEvents streams a run's report records as SSE: the event name is the record type (stats, day,
// progress, summary, error, start), the data the record as the loader printed it.
func (s *Server) runEvents(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ch, err := s.runs.Events(ctx, id)
	if err != nil {
		return runErr(err, id)
	}
	red := s.redactorFor(ctx, id)
	return streamSSE(s, c, ch, func(ev runs.Event) sseEvent {
		ev.Record = json.RawMessage(red.clean(string(ev.Record)))
		return sseEvent{ev.Type, ev}
	}, s.endState(ctx, id))
}
