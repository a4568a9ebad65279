package matomo

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/trafficinator/trafficinator/pkg/version"
)

// Transport is how hits travel to Matomo. The zero value is TransportPOST.
type Transport uint8

// The transports. POST is the default because it is the only single-hit way that can carry a
// token; bulk is what backfill uses.
const (
	// TransportPOST sends each hit as a form-encoded POST, token in the body.
	TransportPOST Transport = iota
	// TransportGET sends each hit as a GET query, like a browser's image beacon. It can carry no
	// token (tokens never go in URLs), so hits needing one are rejected by Matomo.
	TransportGET
	// TransportBulk sends batches through TrackBulk; Track still sends single hits as POST.
	TransportBulk
)

var transportNames = [...]string{"post", "get", "bulk"}

// String is the transport's configuration name.
func (m Transport) String() string {
	if int(m) < len(transportNames) {
		return transportNames[m]
	}
	return fmt.Sprintf("Transport(%d)", m)
}

// ParseTransport reads "post", "get" or "bulk" (any case, surrounding space ignored).
func ParseTransport(s string) (Transport, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, name := range transportNames {
		if s == name {
			return Transport(i), nil
		}
	}
	return 0, fmt.Errorf("matomo: transport %q: want post, get or bulk", s)
}

// MarshalText writes the configuration name, so a Transport works as a JSON or env value.
func (m Transport) MarshalText() ([]byte, error) {
	if int(m) >= len(transportNames) {
		return nil, fmt.Errorf("matomo: unknown transport %d", m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText accepts what ParseTransport accepts.
func (m *Transport) UnmarshalText(b []byte) error {
	v, err := ParseTransport(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Defaults used for zero Options fields.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultRetries     = 3
	DefaultBackoffBase = 200 * time.Millisecond
	DefaultBackoffMax  = 10 * time.Second
	DefaultMaxConns    = 64
)

// Options tune a Client. Zero values take the defaults above.
type Options struct {
	// Method is the transport for Track (GET or POST); see Transport.
	Method Transport
	// Timeout bounds each attempt (connect, send, reply). Default 10 s.
	Timeout time.Duration
	// Retries is how many times a failed attempt is repeated; 0 means the default (3) and a
	// negative value means none.
	Retries int
	// BackoffBase and BackoffMax shape the wait before retry n: a random duration in
	// [0, min(BackoffMax, BackoffBase·2ⁿ⁻¹)] ("full jitter"), or Retry-After when that is longer.
	BackoffBase, BackoffMax time.Duration
	// MaxConns is how many idle connections per host are kept (and so how many parallel
	// senders can reuse connections). Default 64.
	MaxConns int
	// MaxConnsPerHost, when > 0, caps connections per host (senders then queue for one).
	MaxConnsPerHost int
	// InsecureSkipVerify accepts any TLS certificate (self-signed test servers only).
	InsecureSkipVerify bool
	// HTTPClient replaces the tuned client built from the options above (its own timeouts and
	// transport apply; Timeout still bounds each attempt).
	HTTPClient *http.Client
	// UserAgent is the HTTP User-Agent header; default "Trafficinator/<version>". The browser
	// user agent Matomo records is the hit's ua parameter.
	UserAgent string
	// RetryUncertain lets TrackBulk re-send a batch that was fully sent but got no reply,
	// accepting possible duplicates. Off, TrackBulk returns ErrUncertain instead.
	RetryUncertain bool
	// QueuedTrackingBypass adds ?queuedtracking=0 to bulk requests so Matomo validates and
	// counts them even when QueuedTracking is active.
	QueuedTrackingBypass bool
	// Wait, when set, replaces the backoff wait; it must return ctx.Err() when ctx ends first.
	// Tests use it to observe backoff without waiting.
	Wait func(ctx context.Context, d time.Duration) error
}

// withDefaults fills zero fields.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.Retries == 0:
		o.Retries = DefaultRetries
	case o.Retries < 0:
		o.Retries = 0
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = DefaultBackoffMax
	}
	if o.BackoffMax < o.BackoffBase {
		o.BackoffMax = o.BackoffBase
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	if o.UserAgent == "" {
		o.UserAgent = "Trafficinator/" + version.Version
	}
	if o.Wait == nil {
		o.Wait = waitTimer
	}
	return o
}

// waitTimer waits d or until ctx ends, whichever is first.
func waitTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
