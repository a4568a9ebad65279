package matomotest

import (
	"maps"
	"net/url"
	"sync"
	"time"
)

// Recorded is one tracking request as the server saw it (one element of a bulk counts as one).
type Recorded struct {
	// Time the request was received (server clock, Options.Now).
	Time time.Time
	// Site is the idsite parameter as a number (0 when missing or not numeric).
	Site int
	// Params are the request's parameters, with token_auth removed.
	Params url.Values
	// Bulk is true when the request came inside a bulk.
	Bulk bool
	// Valid is false when Matomo would have rejected the request (400, or counted as invalid).
	Valid bool
	// Reason is a Reason* key when the request is invalid, an Excluded* key when it was accepted
	// but left no data, and empty otherwise.
	Reason string
}

// APICall is one Reporting API request.
type APICall struct {
	// Time the call was received.
	Time time.Time
	// Method is the API method, e.g. "CoreAdminHome.invalidateArchivedReports".
	Method string
	// Params are the query and form parameters together, with token_auth removed.
	Params url.Values
}

// record is the compact form a tracking request is kept in until Requests asks for it; the
// parameters stay a raw string so recording costs no parsing.
type record struct {
	at      time.Time
	site    int
	raw     string
	outcome outcome
	bulk    bool
}

func (r record) export() Recorded {
	params, _ := url.ParseQuery(stripToken(r.raw))
	return Recorded{
		Time: r.at, Site: r.site, Params: params, Bulk: r.bulk,
		Valid: !r.outcome.invalid(), Reason: outcomeNames[r.outcome],
	}
}

// ring keeps the last n items added.
type ring[T any] struct {
	mu   sync.Mutex
	buf  []T
	next int
	full bool
}

func (r *ring[T]) init(n int) { r.buf = make([]T, n) }

// add appends items under one lock acquisition, overwriting the oldest.
func (r *ring[T]) add(items ...T) {
	if len(r.buf) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, it := range items {
		r.buf[r.next] = it
		r.next++
		if r.next == len(r.buf) {
			r.next, r.full = 0, true
		}
	}
}

// snapshot returns the kept items, oldest first.
func (r *ring[T]) snapshot() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]T(nil), r.buf[:r.next]...)
	}
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// Requests returns the last Options.RecordLimit tracking requests, oldest first.
func (s *Server) Requests() []Recorded {
	recs := s.state().hits.snapshot()
	out := make([]Recorded, len(recs))
	for i, r := range recs {
		out[i] = r.export()
	}
	return out
}

// APICalls returns the last Options.RecordLimit Reporting API calls, oldest first.
func (s *Server) APICalls() []APICall {
	calls := s.state().api.snapshot()
	for i := range calls {
		calls[i].Params = maps.Clone(calls[i].Params)
	}
	return calls
}
