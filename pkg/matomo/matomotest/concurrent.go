package matomotest

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"slices"
	"sync"
)

// inflight tracks the visitors of the bulks being handled, to find visitors whose hits were in
// two bulks at the same time: in a real Matomo, two PHP workers then race on the same visit
// (import_logs.py hashes each visitor to one thread to avoid it).
type inflight struct {
	mu      sync.Mutex
	count   map[vkey]int32    // bulks in flight per visitor
	overlap map[vkey]struct{} // visitors seen in two bulks at once
}

func newInflight() inflight {
	return inflight{count: make(map[vkey]int32), overlap: make(map[vkey]struct{})}
}

// enter marks the distinct visitors of a bulk as in flight; a visitor already in flight in
// another bulk becomes an overlapping one.
func (f *inflight) enter(keys []vkey) {
	if len(keys) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		if f.count[k] > 0 {
			f.overlap[k] = struct{}{}
		}
		f.count[k]++
	}
}

// leave undoes enter for the same keys.
func (f *inflight) leave(keys []vkey) {
	if len(keys) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range keys {
		if f.count[k] <= 1 {
			delete(f.count, k)
		} else {
			f.count[k]--
		}
	}
}

// overlapping is the number of visitors seen in two bulks at once so far.
func (f *inflight) overlapping() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.overlap)
}

// distinctVisitors returns the visitor keys of a bulk's parsed hits, each once, in keys' memory.
// Hits Matomo would reject before sessionising (unknown site, malformed cid) have no visitor.
func (s *Server) distinctVisitors(ps []params, keys []vkey) []vkey {
	keys = keys[:0]
	for i := range ps {
		site := s.siteByID[siteNumber(ps[i].idsite)]
		if site == nil {
			continue
		}
		if id, ok := visitorKey(&ps[i]); ok {
			keys = append(keys, vkey{site: int32(site.id), id: id})
		}
	}
	slices.SortFunc(keys, func(a, b vkey) int {
		if c := cmp.Compare(a.site, b.site); c != 0 {
			return c
		}
		return bytes.Compare(a.id[:], b.id[:])
	})
	return slices.Compact(keys)
}

// dupSeed keys the hashes of recorded queries; it only has to be fixed for the process's life.
var dupSeed = maphash.MakeSeed()

// queryHash identifies a recorded request by its site and its query without token_auth;
// hasToken says whether the query holds a token_auth to strip.
func queryHash(site int, raw string, hasToken bool) uint64 {
	var h maphash.Hash
	h.SetSeed(dupSeed)
	var b [8]byte
	for i := range b {
		b[i] = byte(uint64(site) >> (8 * i))
	}
	_, _ = h.Write(b[:])
	if hasToken {
		raw = stripToken(raw)
	}
	_, _ = h.WriteString(raw)
	return h.Sum64()
}

// bulkJob is a bulk request parsed before it is handled: its hits' parameters, parsed once, and
// its distinct visitors.
type bulkJob struct {
	body     bulkBody
	params   []params
	visitors []vkey
}

var jobPool = sync.Pool{New: func() any { return new(bulkJob) }}

// newBulkJob parses a bulk body; release it when the request is done.
func (s *Server) newBulkJob(body []byte) *bulkJob {
	j := jobPool.Get().(*bulkJob)
	j.body, _ = parseBulk(body)
	n := len(j.body.requests)
	j.params = slices.Grow(j.params[:0], n)[:n]
	for i, raw := range j.body.requests {
		j.params[i] = parseParams(raw)
	}
	j.visitors = s.distinctVisitors(j.params, j.visitors)
	return j
}

// release returns the job to the pool, keeping no reference to the request's strings.
func (j *bulkJob) release() {
	clear(j.params)
	j.params = j.params[:0]
	j.body = bulkBody{}
	j.visitors = j.visitors[:0]
	jobPool.Put(j)
}
