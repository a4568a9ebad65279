package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
)

// Problem is one field error or warning: the field (a JSON path such as "MATOMO_TARGETS[1].url" or
// "steps[2].url"), the offending value (secrets masked), the rule broken, and for files the line.
type Problem struct {
	Field   string `json:"field"`
	Value   string `json:"value"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
}

// ErrorBody is the body of every error response. Errors and Warnings are set for 400s about the
// request's content; RequestID for server errors, to find the log line.
type ErrorBody struct {
	Error     string    `json:"error"`
	Errors    []Problem `json:"errors,omitempty"`
	Warnings  []Problem `json:"warnings,omitempty"`
	RequestID string    `json:"request_id,omitempty"`
}

// invalidError is a 400 carrying every problem found in the request.
type invalidError struct {
	msg      string
	errors   []Problem
	warnings []Problem
}

func (e *invalidError) Error() string {
	return fmt.Sprintf("%s (%d problems)", e.msg, len(e.errors))
}

// invalid returns a 400 error listing errs (and, for context, warns).
func invalid(msg string, errs, warns []Problem) error {
	return &invalidError{msg: msg, errors: errs, warnings: warns}
}

// invalidField is a 400 about one field.
func invalidField(field, value, format string, args ...any) error {
	return invalid("invalid request", []Problem{{Field: field, Value: value, Message: fmt.Sprintf(format, args...)}}, nil)
}

// publicError gives err a message that is safe to show; the status still comes from err's chain.
type publicError struct {
	msg string
	err error
}

func (e *publicError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *publicError) Unwrap() error { return e.err }

// public wraps err with a client-facing message, used when the sentinel alone says too little
// ("config 12 not found" instead of "not found").
func public(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &publicError{msg: fmt.Sprintf(format, args...), err: err}
}

// msgUnavailable explains a 503 from the run service.
const msgUnavailable = "the Docker Engine is unavailable: runs cannot be started, stopped or followed until it " +
	"answers (check DOCKER_HOST and that the control can reach the Docker socket)"

// handleError is the one place errors become responses. Client mistakes get their 4xx with a message
// written for them; anything unclassified is a 500 whose body only carries a request id, and whose
// details go to the log.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		s.log.Debug("error after the response started", "path", c.Path(), "err", err)
		return
	}
	status, body := describeError(err)
	if status == http.StatusInternalServerError {
		body.RequestID = requestID(c)
		s.log.Error("request failed", "request_id", body.RequestID, "method", c.Request().Method,
			"path", c.Path(), "err", err)
	}
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(status)
	} else {
		werr = c.JSON(status, body)
	}
	if werr != nil {
		s.log.Debug("writing error response", "err", werr)
	}
}

// describeError maps err to a status and a body, using errors.As/Is only.
func describeError(err error) (int, ErrorBody) {
	var (
		inv  *invalidError
		ps   config.Problems
		cps  *content.ProblemsError
		he   *echo.HTTPError
		pub  *publicError
		body ErrorBody
	)
	switch {
	case errors.As(err, &inv):
		return http.StatusBadRequest, ErrorBody{Error: inv.msg, Errors: nonNil(inv.errors), Warnings: inv.warnings}
	case errors.As(err, &ps):
		errs, warns := fromConfig(ps)
		return http.StatusBadRequest, ErrorBody{Error: "invalid configuration", Errors: nonNil(errs), Warnings: warns}
	case errors.As(err, &cps):
		errs, _ := fromContent("", cps.Problems)
		return http.StatusBadRequest, ErrorBody{Error: "invalid content", Errors: nonNil(errs)}
	case errors.As(err, &he):
		return he.Code, ErrorBody{Error: httpErrorMessage(he)}
	}
	status, msg := sentinelStatus(err)
	body.Error = msg
	if errors.As(err, &pub) && status != http.StatusInternalServerError {
		body.Error = pub.msg
	}
	return status, body
}

// sentinelStatus classifies the sentinel errors of the store and the run service.
func sentinelStatus(err error) (int, string) {
	switch {
	case errors.Is(err, runs.ErrUnavailable):
		return http.StatusServiceUnavailable, msgUnavailable
	case errors.Is(err, runs.ErrImage):
		return http.StatusServiceUnavailable, "the loader image is not in the Docker Engine; build it with make images (or set LOADER_IMAGE)"
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, runs.ErrLimit):
		return http.StatusConflict, "too many active runs; stop one before starting another"
	case errors.Is(err, runs.ErrConflict):
		return http.StatusConflict, "the run's state does not allow this"
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, "the name is already taken"
	case errors.Is(err, runs.ErrInvalid), errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest, "invalid request"
	case errors.Is(err, store.ErrDecrypt):
		return http.StatusInternalServerError, "stored tokens cannot be decrypted; the key file is not the one they were sealed with"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the request took too long; try again"
	case errors.Is(err, context.Canceled):
		return http.StatusServiceUnavailable, "the request was cancelled"
	}
	return http.StatusInternalServerError, "internal error"
}

// httpErrorMessage returns Echo's message when it is text meant for clients.
func httpErrorMessage(he *echo.HTTPError) string {
	if msg, ok := he.Message.(string); ok && he.Code < http.StatusInternalServerError {
		return msg
	}
	return http.StatusText(he.Code)
}

// fromConfig splits config problems into API errors and warnings.
func fromConfig(ps config.Problems) (errs, warns []Problem) {
	for _, p := range ps {
		ap := Problem{Field: p.Field, Value: p.Value, Message: p.Message}
		if p.Severity == config.SeverityWarning {
			warns = append(warns, ap)
		} else {
			errs = append(errs, ap)
		}
	}
	return errs, warns
}

// fromContent converts content-file problems; prefix names the request field that held the file.
func fromContent(prefix string, ps []content.Problem) (errs, warns []Problem) {
	for _, p := range ps {
		ap := Problem{Field: joinField(prefix, p.Field), Value: p.Value, Message: p.Message, Line: p.Line}
		if p.Warning {
			warns = append(warns, ap)
		} else {
			errs = append(errs, ap)
		}
	}
	return errs, warns
}

// joinField joins a request field and a path inside it ("config" + "MATOMO_URL" = "config.MATOMO_URL").
func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
