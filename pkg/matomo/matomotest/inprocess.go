package matomotest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

// InProcessClient returns an http.Client that hands every request straight to the server's
// Handler, in the calling goroutine, without a socket. The server need not be started. Inside a
// testing/synctest bubble the server's latencies (Faults, Load, APILatency) then pass in virtual
// time, so a test can run minutes of load against a slow or overloaded server in milliseconds
// and deterministically. Whatever the URL's host, the request goes to this server. A reply the
// server drops (Faults.DropReplyRate) is an error, as a closed connection is.
func (s *Server) InProcessClient() *http.Client {
	return &http.Client{Transport: inProcess{h: s.Handler()}}
}

// inProcess is the RoundTripper of InProcessClient.
type inProcess struct{ h http.Handler }

// errDropped is the error of a reply the server dropped.
var errDropped = errors.New("matomotest: connection closed without a reply")

// RoundTrip serves req with the handler and returns its recorded reply.
func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	var body []byte
	if req.Body != nil {
		var rerr error
		body, rerr = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if rerr != nil {
			return nil, fmt.Errorf("matomotest: read request body: %w", rerr)
		}
	}
	req = req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.RemoteAddr = "127.0.0.1:1"
	req.RequestURI = req.URL.RequestURI()
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler { //nolint:errorlint // the sentinel is panicked, not wrapped
				panic(p)
			}
			resp, err = nil, errDropped
		}
	}()
	t.h.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, fmt.Errorf("matomotest: %w", err)
	}
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}
