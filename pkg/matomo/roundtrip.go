package matomo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"
)

// call is one logical request that may take several attempts.
type call struct {
	what        string // for error texts, e.g. "track", "bulk", "API.getMatomoVersion"
	method, url string
	body        *sharedBody // nil for GET
	// keep, when > 0, reads up to that many reply bytes (any status); otherwise the reply is
	// drained and discarded.
	keep int64
	// retryUncertain allows another attempt after a request was fully written but got no reply,
	// or (with partial) after a 5xx.
	retryUncertain bool
	// partial calls may have been partly recorded behind a 5xx: a bulk that met a database
	// deadlock loses the hits processed before it and records the rest (Matomo then fails its
	// commit and answers 500). Such a 5xx is uncertain, not a rollback. 503 (Matomo in
	// maintenance, tracking off) and 429 are answered before anything is processed.
	partial bool
	// idempotent calls may be repeated after anything, even an unreadable 2xx reply.
	idempotent bool
	// sniff keeps the first bytes of a reply that is otherwise drained (exchange.head), to tell
	// Matomo's GIF from another page.
	sniff bool
	// direct lets the client's direct sender carry the call (see direct), when it has one.
	direct bool
}

// exchange is what one attempt produced.
type exchange struct {
	status      int
	contentType string
	retryAfter  time.Duration
	body        []byte
	head        []byte // the first bytes of a sniffed reply
	location    string // a redirect's target (see redirectLocation)
	bodyErr     error  // reading a kept body failed
	err         error  // no reply (transport error, timeout)
	wrote       bool   // the whole request was written before err
	sawReply    bool   // some of a reply was read (the direct sender's)
	latency     time.Duration
}

// Bounds on reply handling.
const (
	maxDrain      = 64 << 10        // read this much of an unwanted reply to keep the conn
	maxRetryAfter = 5 * time.Minute // a longer Retry-After is taken as this
	sniffLen      = 8               // bytes of a sniffed reply kept: enough for "GIF89a"
)

// do runs c's attempts until one succeeds, one fails for good, retries run out or ctx ends.
// It returns the last exchange and the number of attempts made.
func (c *Client) do(ctx context.Context, cl *call) (exchange, int, error) {
	uncertain := false // some attempt may have been recorded
	var lastErr error
	for attempt := 1; ; attempt++ {
		ex := c.attempt(ctx, cl)
		var retryAfter time.Duration
		switch {
		case ex.err != nil || ex.status == http.StatusGatewayTimeout:
			// A 504 is a proxy giving up while Matomo may still be processing: as uncertain
			// as a lost reply.
			landed := ex.wrote || ex.status == http.StatusGatewayTimeout
			lastErr = ex.err
			if lastErr == nil {
				lastErr = &StatusError{Code: ex.status}
			}
			if ctx.Err() != nil {
				return ex, attempt, ctxError(cl.what, ctx.Err(), uncertain || landed)
			}
			uncertain = uncertain || landed
			if landed && !cl.retryUncertain {
				return ex, attempt, fmt.Errorf("matomo: %s: %w: %w", cl.what, ErrUncertain, lastErr)
			}
		case ex.status >= 200 && ex.status < 300:
			if ex.bodyErr == nil {
				return ex, attempt, nil
			}
			if !cl.idempotent {
				return ex, attempt, fmt.Errorf("matomo: %s: %w: accepted (HTTP %d) but the reply was cut: %w",
					cl.what, ErrUncertain, ex.status, ex.bodyErr)
			}
			lastErr = ex.bodyErr
		case retryableStatus(ex.status):
			lastErr, retryAfter = &StatusError{Code: ex.status}, ex.retryAfter
			if cl.partial && mayBePartial(ex.status) {
				uncertain = true
				if !cl.retryUncertain {
					return ex, attempt, fmt.Errorf("matomo: %s: %w: %w", cl.what, ErrUncertain, lastErr)
				}
			}
		case ex.status >= 300 && ex.status < 400:
			// Not followed (see keepRedirect), and not retried: it would redirect again.
			return ex, attempt, fmt.Errorf("matomo: %s: %w", cl.what, &RedirectError{Code: ex.status, Location: ex.location})
		default:
			return ex, attempt, fmt.Errorf("matomo: %s: %w", cl.what, &StatusError{Code: ex.status})
		}
		if attempt > c.opts.Retries {
			return ex, attempt, giveUp(cl.what, attempt, lastErr, uncertain)
		}
		if err := c.opts.Wait(ctx, c.backoff(attempt, retryAfter)); err != nil {
			return ex, attempt, ctxError(cl.what, err, uncertain)
		}
	}
}

// retryableStatus: server-side trouble and rate limits pass; 4xx other than 408 and 429 mean
// the request is wrong and would fail again.
func retryableStatus(code int) bool {
	return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
}

// mayBePartial reports whether a bulk answered with code may have been partly recorded.
func mayBePartial(code int) bool {
	return code >= 500 && code != http.StatusServiceUnavailable
}

func ctxError(what string, err error, uncertain bool) error {
	if uncertain {
		return fmt.Errorf("matomo: %s: %w: stopped: %w", what, ErrUncertain, err)
	}
	return fmt.Errorf("matomo: %s: stopped: %w", what, err)
}

func giveUp(what string, attempts int, last error, uncertain bool) error {
	if uncertain {
		return fmt.Errorf("matomo: %s: gave up after %d attempts: %w: %w", what, attempts, ErrUncertain, last)
	}
	return fmt.Errorf("matomo: %s: gave up after %d attempts: %w", what, attempts, last)
}

// backoff is the wait before retry number attempt: full jitter over a capped exponential
// ceiling, so parallel senders that failed together do not come back together. A longer
// Retry-After wins, because the server asked for it.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	ceil := c.opts.BackoffMax
	if shift := attempt - 1; shift < 32 {
		if d := c.opts.BackoffBase << shift; d > 0 && d < ceil {
			ceil = d
		}
	}
	d := time.Duration(rand.Int64N(int64(ceil) + 1))
	return max(d, min(retryAfter, maxRetryAfter))
}

// attempt sends the request once, bounded by opts.Timeout, and reads or drains the reply.
func (c *Client) attempt(ctx context.Context, cl *call) (ex exchange) {
	if c.direct != nil && cl.direct {
		if ex, ok := c.direct.attempt(ctx, cl); ok {
			return ex
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	var wrote atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	})
	req, err := c.newRequest(actx, cl)
	if err != nil {
		ex.err = err
		return ex
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		ex.err, ex.wrote, ex.latency = err, wrote.Load(), time.Since(start)
		return ex
	}
	ex.status = resp.StatusCode
	ex.contentType = resp.Header.Get("Content-Type")
	ex.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		ex.location = redirectLocation(req.URL, resp.Header.Get("Location"))
	}
	switch {
	case cl.keep > 0:
		ex.body, ex.bodyErr = readLimited(resp.Body, cl.keep)
	case cl.sniff:
		var head [sniffLen]byte
		n, _ := io.ReadFull(resp.Body, head[:])
		ex.head = head[:n]
		fallthrough
	default:
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	}
	_ = resp.Body.Close()
	ex.latency = time.Since(start)
	return ex
}

func (c *Client) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	if cl.body == nil {
		req, err := http.NewRequestWithContext(ctx, cl.method, cl.url, nil)
		if err == nil {
			req.Header.Set("User-Agent", c.opts.UserAgent)
		}
		return req, err
	}
	var body io.ReadCloser
	if cl.body.pooled {
		body = cl.body.reader()
	} else {
		// An unpooled body never needs releasing, and as a NopCloser around a bytes.Reader it is
		// one the transport knows to be in memory: it then sends headers and body together
		// instead of flushing the headers first (an extra write syscall and TCP segment per hit).
		body = io.NopCloser(bytes.NewReader(*cl.body.buf))
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, cl.url, body)
	if err != nil {
		_ = body.Close()
		return nil, err
	}
	req.ContentLength = int64(cl.body.len())
	req.Header.Set("Content-Type", cl.body.contentType)
	req.Header.Set("User-Agent", c.opts.UserAgent)
	return req, nil
}

// errReplyTooLarge guards memory against a reply that is not what Matomo sends.
var errReplyTooLarge = errors.New("reply larger than expected")

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errReplyTooLarge
	}
	return b, err
}

// parseRetryAfter reads delay-seconds or an HTTP date; anything else is no hint.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return min(time.Duration(secs)*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
