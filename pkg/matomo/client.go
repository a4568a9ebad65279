package matomo

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Client sends hits and API calls to one Target. It is safe for concurrent use by many
// goroutines; one Client per target shares one connection pool.
type Client struct {
	target   Target
	opts     Options
	hc       *http.Client
	trackURL string // single hits
	bulkURL  string // bulk batches (with queuedtracking=0 when asked)
	apiURL   string
	direct   *direct // single hits, when it can send them (see direct); nil otherwise
}

// NewClient checks the target and builds a client with a connection pool sized for
// opts.MaxConns parallel senders.
func NewClient(t Target, opts Options) (*Client, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if opts.Method > TransportBulk {
		return nil, fmt.Errorf("matomo: target %q: unknown transport %d", t.Name, opts.Method)
	}
	opts = opts.withDefaults()
	trackURL, err := t.TrackingURL()
	if err != nil {
		return nil, err
	}
	apiURL, err := t.APIURL()
	if err != nil {
		return nil, err
	}
	bulkURL := trackURL
	if opts.QueuedTrackingBypass {
		bulkURL += querySep(trackURL) + "queuedtracking=0"
	}
	hc := &http.Client{Transport: newTransport(opts)}
	if opts.HTTPClient != nil {
		own := *opts.HTTPClient // a copy: the caller's client keeps its own redirect policy
		hc = &own
	}
	hc.CheckRedirect = keepRedirect
	return &Client{target: t, opts: opts, hc: hc, trackURL: trackURL, bulkURL: bulkURL, apiURL: apiURL,
		direct: newDirect(trackURL, opts)}, nil
}

// newTransport tunes a copy of http.DefaultTransport for many small requests to one host:
// enough idle connections to keep every sender's connection alive, and timeouts on every phase
// so a stuck Matomo cannot hold a sender for ever.
func newTransport(opts Options) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = opts.MaxConns
	tr.MaxIdleConns = max(tr.MaxIdleConns, opts.MaxConns)
	tr.MaxConnsPerHost = max(opts.MaxConnsPerHost, 0)
	tr.IdleConnTimeout = 90 * time.Second
	tr.TLSHandshakeTimeout = min(10*time.Second, opts.Timeout)
	tr.ResponseHeaderTimeout = opts.Timeout
	if opts.InsecureSkipVerify {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for it (TLS_SKIP_VERIFY)
	}
	tr.DialContext = (&net.Dialer{Timeout: min(30*time.Second, opts.Timeout), KeepAlive: 30 * time.Second}).DialContext
	return tr
}

// keepRedirect makes a redirect the reply instead of following it. Following would lose the hits
// (a POST answered 301, 302 or 303 is re-sent as a GET without its body, and the tracker's page
// for a request without parameters answers 200) or carry them to another host.
func keepRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// querySep is the separator for one more query parameter on u.
func querySep(u string) string {
	if strings.Contains(u, "?") {
		return "&"
	}
	return "?"
}

// Target is the target this client sends to.
func (c *Client) Target() Target { return c.target }

// Method is the transport Track uses.
func (c *Client) Method() Transport { return c.opts.Method }

// CloseIdleConnections releases pooled connections, e.g. when a run ends.
func (c *Client) CloseIdleConnections() {
	c.hc.CloseIdleConnections()
	if c.direct != nil {
		c.direct.closeIdle()
	}
}
