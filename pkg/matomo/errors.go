package matomo

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Errors the client returns, classifiable with errors.Is whatever context wraps them. No error
// text ever contains a token.
var (
	// ErrInvalid means Matomo rejected the request as invalid (HTTP 400, or a Reporting API
	// complaint about a parameter). Retrying cannot help: the request itself is wrong (unknown
	// site or goal, cip/old cdt without a valid token, repeated ec_id, malformed cid, ...).
	ErrInvalid = errors.New("matomo: request rejected as invalid")
	// ErrUncertain means a request was fully sent but no usable reply came back, so it may or
	// may not have been recorded. For a bulk batch the caller decides (e.g. by asking the Live
	// API) whether to send it again.
	ErrUncertain = errors.New("matomo: request sent, outcome unknown")
	// ErrUnavailable means Matomo answered 503: tracking is switched off (record_statistics=0),
	// under maintenance, or not installed.
	ErrUnavailable = errors.New("matomo: unavailable (HTTP 503)")
	// ErrAuth means Matomo refused the token: missing, wrong, or without access to the site.
	ErrAuth = errors.New("matomo: not authorised")
	// ErrNotFound means the site does not exist (or is not visible to the token).
	ErrNotFound = errors.New("matomo: site not found")
	// ErrRedirect means the target answered with a redirect (an http→https or proxy redirect,
	// say). The client never follows one, so nothing was recorded; see RedirectError.
	ErrRedirect = errors.New("matomo: the URL redirects")
	// ErrNotTracker means a hit was answered with a success that is not Matomo's tracking answer
	// (204 or a GIF): some other page answered, so nothing was recorded.
	ErrNotTracker = errors.New("matomo: the reply is not Matomo's tracking answer")
)

// RedirectError is a 3xx reply. It unwraps to ErrRedirect.
type RedirectError struct {
	// Code is the HTTP status.
	Code int
	// Location is where the reply points, resolved against the request's URL, without query,
	// fragment or password (the query of a GET hit is tracking data); empty when there was none.
	Location string
}

// Error names the status and where it points.
func (e *RedirectError) Error() string {
	msg := "matomo: HTTP " + strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
	if e.Location == "" {
		return msg + " without a Location"
	}
	return msg + " redirects to " + e.Location
}

// Unwrap returns ErrRedirect.
func (e *RedirectError) Unwrap() error { return ErrRedirect }

// Advice tells a user what to do, naming the setting that holds the URL (field), e.g.
// "MATOMO_URL redirects to https://host/matomo.php: use that URL".
func (e *RedirectError) Advice(field string) string {
	if e.Location == "" {
		return fmt.Sprintf("%s answers with a redirect (HTTP %d) that names no URL: use the URL it should go to", field, e.Code)
	}
	return field + " redirects to " + e.Location + ": use that URL"
}

// redirectLocation resolves a Location header against the request's URL and drops what must not
// be echoed: the query, the fragment and any password.
func redirectLocation(base *url.URL, location string) string {
	if location == "" {
		return ""
	}
	u, err := base.Parse(location)
	if err != nil {
		return ""
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// StatusError is an HTTP status Matomo (or a proxy in front of it) answered with, when it is not
// a success. It unwraps to ErrInvalid (400), ErrAuth (401, 403) or ErrUnavailable (503), so
// callers can use errors.Is for the meaning and errors.As for the code.
type StatusError struct {
	Code int
}

// Error names the status; it carries no body text, which could echo request data.
func (e *StatusError) Error() string {
	return "matomo: HTTP " + strconv.Itoa(e.Code) + " " + http.StatusText(e.Code)
}

// Unwrap maps the status to the sentinel of its meaning, if it has one.
func (e *StatusError) Unwrap() error {
	switch e.Code {
	case http.StatusBadRequest:
		return ErrInvalid
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrAuth
	case http.StatusServiceUnavailable:
		return ErrUnavailable
	}
	return nil
}

// APIError is a {"result":"error","message":...} reply from the Reporting API, which Matomo
// sends with status 200 as often as with 401. It unwraps to ErrAuth, ErrNotFound or ErrInvalid
// when the message or the call says which it is.
type APIError struct {
	// Method is the API method called, e.g. "SitesManager.getSiteFromId".
	Method string
	// Message is Matomo's message, with any token removed and long text cut.
	Message string
	// Status is the HTTP status the error came with (200, 401, ...).
	Status int
	kind   error
}

// Error includes Matomo's message, which names the problem better than any code.
func (e *APIError) Error() string {
	return "matomo: " + e.Method + ": " + e.Message
}

// Unwrap returns the sentinel for the kind of refusal, or nil.
func (e *APIError) Unwrap() error { return e.kind }

// maxMessage bounds how much of a server message ends up in an error.
const maxMessage = 300

// newAPIError classifies Matomo's message: refusals of access win, then the caller's fallback
// (Site uses ErrNotFound: Matomo's texts for a missing site vary by version), then complaints
// about a parameter.
func newAPIError(method, message, token string, fallback error) *APIError {
	if token != "" {
		message = strings.ReplaceAll(message, token, redactedToken)
	}
	if len(message) > maxMessage {
		message = message[:maxMessage] + "..."
	}
	lower := strings.ToLower(message)
	kind := fallback
	switch {
	case strings.Contains(lower, "access"), strings.Contains(lower, "token"),
		strings.Contains(lower, "authenticat"), strings.Contains(lower, "permission"):
		kind = ErrAuth
	case fallback != nil:
	case strings.Contains(lower, "expected to be"), strings.Contains(lower, "invalid"):
		kind = ErrInvalid
	}
	return &APIError{Method: method, Message: message, kind: kind}
}
