package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
)

// legacyStart starts the default run from the config named "default" (saving the body's config
// as that first, which the original never implemented). A running default run is left alone
// unless restart_if_running is set.
func (s *Server) legacyStart(c echo.Context) error {
	var req LegacyStartRequest
	if err := s.readOptional(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if req.Config != nil {
		if _, err := s.saveDefaultConfig(ctx, req.Config); err != nil {
			return err
		}
	}
	v, found, err := s.defaultRun(ctx)
	if err != nil {
		return err
	}
	if isActive(v, found) {
		if !req.RestartIfRunning {
			msg := "the default run is already running"
			if req.Config != nil {
				msg += "; the config was saved: restart to apply it"
			}
			return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: msg, State: legacyState(v.State), RunID: v.ID})
		}
		return s.replaceDefault(c, v, "restarted")
	}
	nv, err := s.startDefault(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: "started", State: legacyState(nv.State), RunID: nv.ID})
}

// replaceDefault stops the active default run and starts a new one from the default config.
func (s *Server) replaceDefault(c echo.Context, old runs.View, msg string) error {
	ctx := c.Request().Context()
	if err := s.stopIfActive(ctx, old); err != nil {
		return err
	}
	nv, err := s.startDefault(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: msg, State: legacyState(nv.State),
		RunID: nv.ID, ContainerRestarted: true})
}

// stopIfActive stops v; a run that finished in the meantime is fine.
func (s *Server) stopIfActive(ctx context.Context, v runs.View) error {
	if _, err := s.runs.Stop(ctx, v.ID); err != nil && !asConflict(err) {
		return runErr(err, v.ID)
	}
	return nil
}

func (s *Server) legacyStop(c echo.Context) error {
	if err := legacyTimeout(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, found, err := s.defaultRun(ctx)
	if err != nil {
		return err
	}
	if !isActive(v, found) {
		state := "not_found"
		if found {
			state = legacyState(v.State)
		}
		return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: "the default run is not running", State: state, RunID: v.ID})
	}
	if err := s.stopIfActive(ctx, v); err != nil {
		return err
	}
	nv, err := s.runs.Get(ctx, v.ID)
	if err != nil {
		nv = v
	}
	return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: "stopped", State: legacyState(nv.State), RunID: v.ID})
}

// legacyRestart restarts the default run with the config it runs with (as the original restarted
// its container); without a default run it starts one from the default config.
func (s *Server) legacyRestart(c echo.Context) error {
	if err := legacyTimeout(c); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v, found, err := s.defaultRun(ctx)
	if err != nil {
		return err
	}
	var nv runs.View
	if found {
		nv, err = s.runs.Restart(ctx, v.ID)
		err = runErr(err, v.ID)
	} else {
		nv, err = s.startDefault(ctx)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: "restarted", State: legacyState(nv.State),
		RunID: nv.ID, ContainerRestarted: true})
}

// legacyApply validates the config (400 with every problem), saves it as "default" and restarts the
// default run with it. Unlike the original, a blank token keeps the saved one (its bug 17) and no
// container is recreated by hand (its bug 18): the run is replaced.
func (s *Server) legacyApply(c echo.Context) error {
	var req LegacyApplyRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := s.saveDefaultConfig(ctx, req.Config); err != nil {
		return err
	}
	v, found, err := s.defaultRun(ctx)
	if err != nil {
		return err
	}
	if isActive(v, found) {
		return s.replaceDefault(c, v, "configuration applied; the default run was restarted")
	}
	nv, err := s.startDefault(ctx)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, LegacyAction{Success: true, Message: "configuration applied; the default run was started",
		State: legacyState(nv.State), RunID: nv.ID, ContainerRestarted: true})
}

// legacyLogs returns the default run's last ?lines= lines (default 100, 10 to 10,000) as one text
// with timestamps, optionally only those containing ?filter=.
func (s *Server) legacyLogs(c echo.Context) error {
	lines := 100
	if v := c.QueryParam("lines"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 || n > maxLogTail {
			return invalidField("lines", truncateText(v, 20), "must be a whole number from 10 to %d", maxLogTail)
		}
		lines = n
	}
	filter := c.QueryParam("filter")
	ctx := c.Request().Context()
	v, found, err := s.defaultRun(ctx)
	if err != nil {
		return err
	}
	if !found {
		return c.JSON(http.StatusOK, LegacyLogs{ContainerState: "not_found"})
	}
	ch, err := s.runs.Logs(ctx, v.ID, lines, false)
	if err != nil {
		return runErr(err, v.ID)
	}
	got, err := collectLogs(ctx, ch, filter, s.redactorFor(ctx, v.ID))
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, l := range got {
		b.WriteString(l.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"))
		b.WriteByte(' ')
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return c.JSON(http.StatusOK, LegacyLogs{Logs: b.String(), LinesReturned: len(got), ContainerState: legacyState(v.State)})
}
