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
)

// ErrorBody is the body of every error response. Errors and Warnings are set for 400s about the
// request's content (each a config.Problem: field, value, rule, severity, and for files the line);
// RequestID for server errors, to find the log line.
type ErrorBody struct {
	Error     string          `json:"error"`
	Errors    config.Problems `json:"errors,omitempty"`
	Warnings  config.Problems `json:"warnings,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
}

// invalidError is a 400 carrying every problem found in the request, errors and warnings.
type invalidError struct {
	msg      string
	problems config.Problems
}

func (e *invalidError) Error() string {
	return fmt.Sprintf("%s (%d problems)", e.msg, len(e.problems.Errors()))
}

// invalid returns a 400 error listing the errors of ps (and, for context, its warnings).
func invalid(msg string, ps config.Problems) error {
	return &invalidError{msg: msg, problems: ps}
}

// invalidField is a 400 about one field.
func invalidField(field, value, format string, args ...any) error {
	return invalid("invalid request", config.Problems{config.Errorf(field, value, format, args...)})
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
		he   *echo.HTTPError
		pub  *publicError
		body ErrorBody
	)
	switch {
	case errors.As(err, &inv):
		return http.StatusBadRequest, problemsBody(inv.msg, inv.problems)
	case errors.As(err, &ps):
		return http.StatusBadRequest, problemsBody("invalid configuration", ps)
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

// problemsBody is the body of a 400 that lists problems: the errors (never null) and the warnings.
func problemsBody(msg string, ps config.Problems) ErrorBody {
	return ErrorBody{Error: msg, Errors: nonNil(ps.Errors()), Warnings: ps.Warnings()}
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[S ~[]T, T any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}
