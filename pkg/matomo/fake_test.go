package matomo

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testToken is a recognisable token: any output containing it is a leak.
const testToken = "c0ffee0123456789abcdef0123456789"

// gif43 is Matomo's 43-byte transparent GIF.
var gif43 = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

// htmlNotice is what Matomo sends for a bad request it cannot explain.
const htmlNotice = "<html><body>This resource is part of Matomo. Keep full control of your data.</body></html>"

// seen is one request as the fake server received it.
type seen struct {
	method, path, rawQuery, contentType, userAgent string
	body                                           []byte
}

// reply answers the n-th request (1-based) the fake server got.
type reply func(w http.ResponseWriter, r *http.Request, n int)

// fake is a recording HTTP server on 127.0.0.1 that answers with a scripted reply.
type fake struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, answer reply) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"),
			r.UserAgent(), body})
		n := len(f.reqs)
		f.mu.Unlock()
		answer(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

// requests returns a copy of what the server received so far.
func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// Replies Matomo (or a proxy in front of it) gives.

func replyGIF(w http.ResponseWriter, _ *http.Request, _ int) {
	w.Header().Set("Content-Type", "image/gif")
	_, _ = w.Write(gif43)
}

func replyNoContent(w http.ResponseWriter, _ *http.Request, _ int) {
	w.WriteHeader(http.StatusNoContent)
}

func replyStatus(code int) reply {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, htmlNotice)
	}
}

func replyJSON(code int, body string) reply {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

func replyRedirect(code int, location string) reply {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, location, code)
	}
}

func replyRetryAfter(secs string) reply {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Retry-After", secs)
		w.WriteHeader(http.StatusTooManyRequests)
	}
}

// replyReset drops the connection with a TCP reset after the request was read: the client has
// written everything and gets no reply.
func replyReset(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// replyHang never answers; it returns when the client gives up.
func replyHang(_ http.ResponseWriter, r *http.Request, _ int) {
	select {
	case <-r.Context().Done():
	case <-time.After(30 * time.Second): // bound: a broken client must not hang the test run
	}
}

// sequence answers request n with replies[n-1], repeating the last one.
func sequence(replies ...reply) reply {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		replies[min(n, len(replies))-1](w, r, n)
	}
}

// waits records backoff waits instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// newTestClient builds a client for srv with a token, no real backoff waits and a short
// per-attempt timeout; change adjusts options.
func newTestClient(t *testing.T, srv *fake, change func(*Options)) (*Client, *waits) {
	t.Helper()
	w := &waits{}
	opts := Options{Retries: 3, Timeout: 2 * time.Second, Wait: w.wait}
	if change != nil {
		change(&opts)
	}
	c, err := NewClient(Target{Name: "test", URL: srv.URL + "/matomo.php", SiteID: 1, Token: testToken}, opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, w
}
