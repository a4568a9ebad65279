package matomo

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"
)

// direct sends single tracking hits (Track) over HTTP/1.1 keep-alive connections it owns, on the
// calling goroutine: it writes the request in one write, and reads the reply with
// http.ReadResponse on a buffered reader kept with the connection.
//
// It exists because the loader's live mode sends many small requests at a realistic pace, where
// the process is idle between them. net/http's client hands every request to two goroutines of
// its connection (one writes, one reads) and builds a Request, a parsed URL, a timeout context
// and header maps for it; at that pace the hand-offs and the garbage cost more CPU than the request
// itself. Here a request is the caller's own write and read, its timeout a connection deadline,
// and its cancellation one context.AfterFunc.
//
// It is used only where it sends exactly what net/http would: a tracking URL without user info
// and no proxy configured for it (HTTP_PROXY and friends), no caller-supplied http.Client and no
// per-host connection cap; everything else, and every other call, goes through net/http.
type direct struct {
	addr      string // host:port to dial
	host      string // the Host header
	uriPrefix string // path and query of the tracking URL: the request target up to the hit's query
	trackURL  string // the tracking URL, whose continuation a call's url must be
	userAgent string
	timeout   time.Duration
	tls       *tls.Config // nil for http
	dialer    net.Dialer

	mu      sync.Mutex
	idle    []*directConn // most recently used last
	maxIdle int
}

// directConn is one connection and its read buffer.
type directConn struct {
	c     net.Conn
	br    *bufio.Reader
	wbuf  []byte
	since time.Time // when it went idle
}

// directIdleTimeout drops connections idle for longer, as the transport's IdleConnTimeout does.
const directIdleTimeout = 90 * time.Second

// newDirect returns the direct sender for trackURL, or nil when net/http must be used.
func newDirect(trackURL string, opts Options) *direct {
	if opts.HTTPClient != nil || opts.MaxConnsPerHost > 0 || !validHeaderValue(opts.UserAgent) {
		return nil
	}
	u, err := url.Parse(trackURL)
	if err != nil || u.User != nil || u.Fragment != "" || u.ForceQuery || u.Opaque != "" {
		return nil
	}
	if proxyConfigured() {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	d := &direct{
		addr: net.JoinHostPort(u.Hostname(), port), host: u.Host, uriPrefix: u.RequestURI(), trackURL: trackURL,
		userAgent: opts.UserAgent, timeout: opts.Timeout, maxIdle: opts.MaxConns,
		dialer: net.Dialer{Timeout: min(30*time.Second, opts.Timeout), KeepAlive: 30 * time.Second},
	}
	if u.Scheme == "https" {
		d.tls = &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"},
			InsecureSkipVerify: opts.InsecureSkipVerify} //nolint:gosec // the user asked for it (TLS_SKIP_VERIFY)
	}
	return d
}

// proxyConfigured reports whether the environment names an HTTP proxy, which net/http's transport
// would use (NO_PROXY may exempt the target; the direct sender then still leaves it to net/http).
func proxyConfigured() bool {
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
		if os.Getenv(k) != "" {
			return true
		}
	}
	return false
}

// validHeaderValue reports whether v can be sent as a header value as it is.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}

// target returns the request target (path and query) for a call's url, and whether the direct
// sender can send it: the url must continue the tracking URL with a query of plain URL bytes.
func (d *direct) target(dst []byte, callURL string) ([]byte, bool) {
	if len(callURL) < len(d.trackURL) || callURL[:len(d.trackURL)] != d.trackURL {
		return dst, false
	}
	rest := callURL[len(d.trackURL):]
	for i := 0; i < len(rest); i++ {
		if b := rest[i]; b <= ' ' || b >= 0x7f || b == '#' {
			return dst, false
		}
	}
	dst = append(dst, d.uriPrefix...)
	return append(dst, rest...), true
}

// attempt is Client.attempt for a call the direct sender can send; ok is false when it cannot.
func (d *direct) attempt(ctx context.Context, cl *call) (ex exchange, ok bool) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		ex.err = err
		return ex, true
	}
	deadline := start.Add(d.timeout)
	if dl, has := ctx.Deadline(); has && dl.Before(deadline) {
		deadline = dl
	}
	for fresh := false; ; fresh = true {
		pc, reused, err := d.get(ctx, deadline, fresh)
		if err != nil {
			ex.err, ex.latency = err, time.Since(start)
			return ex, true
		}
		var sendable bool
		if pc.wbuf, sendable = d.request(pc.wbuf[:0], cl); !sendable {
			d.put(pc)
			return exchange{}, false
		}
		var noReply bool
		ex, noReply = d.exchange(ctx, pc, cl, deadline)
		if noReply && reused && ctx.Err() == nil {
			// The server closed the idle connection before it read the request (keep-alive
			// timeouts race with reuse): send it on a new connection, as net/http does.
			continue
		}
		ex.latency = time.Since(start)
		return ex, true
	}
}

// request appends the HTTP/1.1 request for cl to dst.
func (d *direct) request(dst []byte, cl *call) ([]byte, bool) {
	dst = append(dst, cl.method...)
	dst = append(dst, ' ')
	dst, ok := d.target(dst, cl.url)
	if !ok {
		return dst, false
	}
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, d.host...)
	dst = append(dst, "\r\nUser-Agent: "...)
	dst = append(dst, d.userAgent...)
	if cl.body != nil {
		dst = append(dst, "\r\nContent-Type: "...)
		dst = append(dst, cl.body.contentType...)
		dst = append(dst, "\r\nContent-Length: "...)
		dst = strconv.AppendInt(dst, int64(cl.body.len()), 10)
		dst = append(dst, "\r\n\r\n"...)
		return append(dst, *cl.body.buf...), true
	}
	return append(dst, "\r\n\r\n"...), true
}

// exchange writes the request in pc.wbuf and reads the reply; the connection is back in the pool,
// or closed, when it returns. noReply reports a failure before any byte of a reply came.
func (d *direct) exchange(ctx context.Context, pc *directConn, cl *call, deadline time.Time) (ex exchange, noReply bool) {
	_ = pc.c.SetDeadline(deadline)
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { _ = pc.c.SetDeadline(aLongTimeAgo) })
	}
	keep := d.roundTrip(ctx, pc, cl, &ex)
	// A connection whose cancellation ran (or is running) may have a deadline in the past: never reused.
	if stopped := stop(); keep && stopped && ctx.Err() == nil {
		_ = pc.c.SetDeadline(time.Time{})
		d.put(pc)
	} else {
		_ = pc.c.Close()
	}
	return ex, ex.err != nil && ex.status == 0 && !ex.sawReply
}

// roundTrip writes and reads on pc, filling ex; it reports whether the connection may be reused.
func (d *direct) roundTrip(ctx context.Context, pc *directConn, cl *call, ex *exchange) bool {
	if _, err := pc.c.Write(pc.wbuf); err != nil {
		ex.err = d.connError(ctx, err)
		return false
	}
	ex.wrote = true
	if _, err := pc.br.Peek(1); err != nil {
		ex.err = d.connError(ctx, err)
		return false
	}
	ex.sawReply = true
	rp, err := readReplyHead(pc.br)
	// Informational replies (103 Early Hints; 100 Continue is not asked for) precede the real one.
	for err == nil && rp.status >= 100 && rp.status < 200 && rp.status != http.StatusSwitchingProtocols {
		rp, err = readReplyHead(pc.br)
	}
	if err != nil {
		ex.err = d.connError(ctx, err)
		return false
	}
	ex.status = rp.status
	ex.contentType = rp.contentType
	ex.retryAfter = parseRetryAfter(rp.retryAfter)
	if rp.status >= 300 && rp.status < 400 {
		if base, perr := url.Parse(cl.url); perr == nil {
			ex.location = redirectLocation(base, rp.location)
		}
	}
	body := rp.body(pc.br)
	if cl.sniff {
		var head [sniffLen]byte
		n, _ := io.ReadFull(body, head[:])
		ex.head = head[:n]
	}
	// Keep the connection only when the whole reply has been read and the server keeps it too.
	n, rerr := io.CopyN(io.Discard, body, maxDrain)
	return !rp.close && errors.Is(rerr, io.EOF) && n < maxDrain
}

// connError is the error of a failed exchange: the context's when it ended the exchange.
func (d *direct) connError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// aLongTimeAgo is a deadline in the past: it ends any read or write at once.
var aLongTimeAgo = time.Unix(1, 0)

// get returns an idle connection (reused true) or, with none or when fresh, a new one.
func (d *direct) get(ctx context.Context, deadline time.Time, fresh bool) (pc *directConn, reused bool, err error) {
	if !fresh {
		now := time.Now()
		d.mu.Lock()
		for len(d.idle) > 0 {
			pc = d.idle[len(d.idle)-1]
			d.idle = d.idle[:len(d.idle)-1]
			if now.Sub(pc.since) < directIdleTimeout {
				d.mu.Unlock()
				return pc, true, nil
			}
			_ = pc.c.Close()
		}
		d.mu.Unlock()
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	c, err := d.dialer.DialContext(dctx, "tcp", d.addr)
	if err != nil {
		return nil, false, err
	}
	if d.tls != nil {
		tc := tls.Client(c, d.tls)
		if err := tc.HandshakeContext(dctx); err != nil {
			_ = c.Close()
			return nil, false, err
		}
		c = tc
	}
	return &directConn{c: c, br: bufio.NewReaderSize(c, 4096), wbuf: make([]byte, 0, 2048)}, false, nil
}

// put makes pc idle, or closes it when the pool is full or closed.
func (d *direct) put(pc *directConn) {
	pc.since = time.Now()
	d.mu.Lock()
	if len(d.idle) >= d.maxIdle {
		d.mu.Unlock()
		_ = pc.c.Close()
		return
	}
	d.idle = append(d.idle, pc)
	d.mu.Unlock()
}

// closeIdle closes the idle connections.
func (d *direct) closeIdle() {
	d.mu.Lock()
	idle := d.idle
	d.idle = nil
	d.mu.Unlock()
	for _, pc := range idle {
		_ = pc.c.Close()
	}
}
