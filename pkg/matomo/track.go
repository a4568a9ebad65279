package matomo

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Result is the outcome of one single hit.
type Result struct {
	// Status is the HTTP status of the last reply, 0 when none came.
	Status int
	// Attempts counts the requests made, retries included.
	Attempts int
	// Latency is the last attempt's time from sending to reading the reply.
	Latency time.Duration
}

// Track sends one hit, as GET or POST by Options.Method (TransportBulk sends POST), with
// send_image=0 so a success is a bare 204 (a 200 GIF is accepted too). POST carries token_auth
// in the form body when the target has a token; GET never carries it, so hits that need it
// (cip, cdt older than 24 h) come back as ErrInvalid. A 400 returns at once with Status 400 and
// an error wrapping ErrInvalid; 5xx, 429, timeouts and connection errors are retried. A hit
// sent but unanswered is retried too: one duplicate page view is better than a gap, and bulk
// is the path for exactly-once. Any other success (a page that is not the tracker) wraps
// ErrNotTracker and a redirect wraps ErrRedirect; neither is retried, and nothing was recorded.
func (c *Client) Track(ctx context.Context, r *Request) (Result, error) {
	site := r.SiteID
	if site == 0 {
		site = c.target.SiteID
	}
	bp := getBuf()
	buf := (*bp)[:0]
	cl := call{what: "track", retryUncertain: true, sniff: true, direct: true}
	if c.opts.Method == TransportGET {
		buf = append(buf, c.trackURL...)
		buf = append(buf, querySep(c.trackURL)...)
		buf = r.appendQuery(buf, site)
		buf = append(buf, "&send_image=0"...)
		cl.method, cl.url = http.MethodGet, string(buf)
		*bp = buf
		putBuf(bp)
	} else {
		buf = r.appendQuery(buf, site)
		buf = append(buf, "&send_image=0"...)
		if c.target.Token != "" {
			buf = append(buf, "&token_auth="...)
			buf = appendEscaped(buf, c.target.Token)
		}
		// An exact-size copy, not the pooled buffer: the transport recognises a plain in-memory
		// body and writes headers and body in one syscall (and one TCP segment), which matters
		// more than the allocation.
		body := append([]byte(nil), buf...)
		*bp = buf
		putBuf(bp)
		cl.method, cl.url = http.MethodPost, c.trackURL
		cl.body = newSharedBody(&body, false, contentForm)
	}
	ex, attempts, err := c.do(ctx, &cl)
	if err == nil && !trackingAnswer(ex) {
		err = fmt.Errorf("matomo: track: %w: HTTP %d with %s; is the URL the tracking endpoint (…/matomo.php)?",
			ErrNotTracker, ex.status, describeType(ex.contentType))
	}
	return Result{Status: ex.status, Attempts: attempts, Latency: ex.latency}, err
}

// trackingAnswer reports whether a success is what Matomo's tracker answers a hit with: 204 (asked
// for with send_image=0) or its GIF. Anything else came from another page, such as matomo.php's
// notice for a request without parameters, so the hit was not recorded.
func trackingAnswer(ex exchange) bool {
	return ex.status == http.StatusNoContent || bytes.HasPrefix(ex.head, []byte("GIF8")) ||
		strings.HasPrefix(ex.contentType, "image/")
}
