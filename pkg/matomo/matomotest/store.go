package matomotest

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// numShards splits visitors over independent locks so parallel bulks rarely wait on each other.
	numShards = 64
	// visitLength is Matomo's visit_standard_length.
	visitLength = 1800
	// maxVisitActions is Matomo's create_new_visit_after_x_actions.
	maxVisitActions = 10000
	// maxDetailLength is Matomo's page_maximum_length; longer URLs and titles are cut.
	maxDetailLength = 1024
)

// state is everything Reset throws away. Handlers load it once per request, so a Reset during
// a request only loses that request's effects.
type state struct {
	shards    [numShards]shard
	nextVisit atomic.Int64
	details   atomic.Int64
	spread    atomic.Uint32
	requests  atomic.Int64
	bulks     atomic.Int64
	faults    atomic.Int64
	// rolledBack counts bulk hits lost to an injected deadlock.
	rolledBack atomic.Int64

	// flight finds visitors whose hits were in two bulks at once.
	flight inflight

	ordersMu sync.Mutex
	orders   map[orderKey]struct{}

	hits ring[record]
	api  ring[APICall]
}

// orderKey is Matomo's UNIQUE(idsite, idorder) on log_conversion.
type orderKey struct {
	site int
	id   string
}

// shard holds the visitors whose key hashes to it, and the request counters of the hits it saw.
type shard struct {
	mu       sync.Mutex
	visitors map[vkey][]*visit
	seen     map[uint64]struct{} // queryHash of every recorded hit of these visitors
	total    counters
	perSite  []counters
	reports  hitReports   // per-hit report tallies of all sites
	siteReps []hitReports // the same per site
	days     []dayCache
	_        [64]byte // keeps neighbouring shards' locks off one cache line
}

// counters are per-request tallies; visit figures are derived from the visits themselves.
type counters struct {
	hits, tracked, invalid, excluded int64
	duplicates                       int64
	outcomes                         [numOutcomes]int64
}

// visit is one Matomo visit (a log_visit row) with what tests and Live need of it.
type visit struct {
	id    int64
	key   vkey
	count int32 // visitor_count_visits: 1 for the visitor's first visit
	day   int32 // site-local calendar day of the visit, in days since 1970-01-01
	first int64
	last  int64
	// firstSeen and lastAction are what Matomo's Live API reports as the visit's first and last
	// action times: the first PROCESSED hit (a hit with an earlier cdt that joins later does not
	// lower it) and the latest hit other than a ping.
	firstSeen, lastAction int64
	actions               int32
	orders                int32
	revenue               float64
	kinds                 [numKinds]int32
	details               []action

	// Visit-level report fields (reports.go).
	returning uint8 // visitor_returning: 0 new, 1 returning, 2 returning customer
	sinceLast int64 // seconds since the start of the visitor's previous visit; -1 none
	totalTime int64 // visit_total_time
	campaign  *campaignTag
	uid       string
	device    uint64
	dims      []dimValue // visit-scope custom dimensions
	goals     []goalConv
}

// lastActionTime is the visit's visit_last_action_time: its latest hit other than a ping.
func (v *visit) lastActionTime() int64 { return max(v.lastAction, v.firstSeen) }

// action is one entry of a visit's actionDetails.
type action struct {
	ts    int64
	kind  kind
	order bool
	url   string
	title string
}

// dayCache remembers the bounds of the last site-local day looked up, since hits mostly arrive
// in time order and converting a time to a zone's calendar is the slow part.
type dayCache struct {
	start, end int64
	day        int32
}

func newState(sites, recordLimit int) *state {
	st := &state{orders: make(map[orderKey]struct{}), flight: newInflight()}
	for i := range st.shards {
		st.shards[i].visitors = make(map[vkey][]*visit)
		st.shards[i].seen = make(map[uint64]struct{})
		st.shards[i].perSite = make([]counters, sites)
		st.shards[i].siteReps = make([]hitReports, sites)
		st.shards[i].days = make([]dayCache, sites)
	}
	st.hits.init(recordLimit)
	st.api.init(recordLimit)
	return st
}

// shardOf spreads visitor keys over shards; the id bytes are already random for cid visitors.
func shardOf(k vkey) int {
	return int((uint32(k.id[0]) ^ uint32(k.id[7])<<3 ^ uint32(k.site)*31) % numShards)
}

// claimOrder records an order id for a site; false means the id was used before.
func (st *state) claimOrder(site int, id string) bool {
	k := orderKey{site: site, id: id}
	st.ordersMu.Lock()
	defer st.ordersMu.Unlock()
	if _, dup := st.orders[k]; dup {
		return false
	}
	st.orders[k] = struct{}{}
	return true
}

// count tallies a request that did not reach a visit (rejected, or excluded before sessionising).
func (st *state) count(site *siteConf, o outcome) {
	sh := &st.shards[st.spread.Add(1)%numShards]
	sh.mu.Lock()
	sh.tally(site, o)
	sh.mu.Unlock()
}

// tally adds one request's outcome to the shard's counters; the caller holds sh.mu.
func (sh *shard) tally(site *siteConf, o outcome) {
	sh.total.add(o)
	if site != nil {
		sh.perSite[site.idx].add(o)
	}
}

func (c *counters) add(o outcome) {
	c.hits++
	c.outcomes[o]++
	switch {
	case o.invalid():
		c.invalid++
	case o.excluded():
		c.tracked++
		c.excluded++
	default:
		c.tracked++
	}
}

// record puts a valid hit into its visitor's visits, the way Matomo's VisitRequestProcessor
// decides between continuing the last visit and starting a new one.
func (st *state) record(h *hit, detailLimit int64) outcome {
	sh := &st.shards[shardOf(h.key)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	day := sh.dayOf(h.site, h.ts)
	visits := sh.visitors[h.key]
	v := continuedVisit(visits, h, day)
	if v == nil && h.kind == kPing {
		sh.tally(h.site, outPingWithoutVisit)
		return outPingWithoutVisit
	}
	isNew := v == nil
	if isNew {
		v = &visit{
			id: st.nextVisit.Add(1), key: h.key, count: int32(len(visits) + 1),
			day: day, first: h.ts, last: h.ts, firstSeen: h.ts,
		}
		startVisit(v, h, visits)
		sh.visitors[h.key] = append(visits, v)
	}
	updateVisit(v, h, isNew)
	sh.reports.addHit(h)
	sh.siteReps[h.site.idx].addHit(h)
	v.first = min(v.first, h.ts)
	v.last = max(v.last, h.ts)
	if h.kind != kPing {
		v.lastAction = max(v.lastAction, h.ts)
	}
	v.kinds[h.kind]++
	if h.kind != kPing {
		st.addAction(v, h, detailLimit)
	}
	sh.tally(h.site, outOK)
	sh.noteQuery(h)
	return outOK
}

// noteQuery counts a recorded hit whose query was recorded before for the same site. Identical
// queries have the same visitor key, so they meet in the same shard; the caller holds sh.mu.
func (sh *shard) noteQuery(h *hit) {
	if _, dup := sh.seen[h.query]; !dup {
		sh.seen[h.query] = struct{}{}
		return
	}
	sh.total.duplicates++
	sh.perSite[h.site.idx].duplicates++
}

// continuedVisit finds the visit a hit belongs to, or nil when it starts a new one. Matomo looks up
// the visitor's visit with the latest last action not after cdt+30min, and continues it when that
// action is less than 30 minutes before cdt, on the same site-local day, and new_visit is not set.
// A ping does not move visit_last_action_time (VisitLastActionTime::onExistingVisit), so pings keep
// a visit alive for 30 minutes after its last action, no longer: a later ping is dropped.
func continuedVisit(visits []*visit, h *hit, day int32) *visit {
	var cand *visit
	for _, v := range visits {
		if v.lastActionTime() <= h.ts+visitLength && (cand == nil || v.lastActionTime() > cand.lastActionTime()) {
			cand = v
		}
	}
	if cand == nil || h.newVisit || cand.lastActionTime() <= h.ts-visitLength || cand.day != day ||
		cand.actions >= maxVisitActions {
		return nil
	}
	return cand
}

// addAction counts an action (or conversion) and keeps its details while the budget lasts.
func (st *state) addAction(v *visit, h *hit, detailLimit int64) {
	switch h.kind {
	case kGoal, kContent: // no visit_total_actions, as observed in Matomo 5.0.2
	case kEcommerce:
		if h.order != "" {
			v.orders++
			v.revenue += h.revenue
		}
	default:
		v.actions++
	}
	if h.kind == kEcommerce && h.order == "" {
		return // a cart update is no entry of actionDetails
	}
	if st.details.Add(1) > detailLimit {
		return
	}
	v.details = append(v.details, action{
		ts: h.ts, kind: h.kind, order: h.order != "",
		url: detailText(h.rawURL), title: detailText(h.rawTitle),
	})
}

// detailText decodes a kept URL or title into its own memory, cut at Matomo's page_maximum_length.
func detailText(raw string) string {
	s := unescape(raw)
	if len(s) > maxDetailLength {
		s = s[:maxDetailLength]
	}
	if s == raw {
		// Nothing was decoded, so s still points into the request string: copy it, or the
		// whole request would stay in memory as long as the visit.
		return strings.Clone(s)
	}
	return s
}

// dayOf returns the site-local calendar day of a unix time; the caller holds sh.mu.
func (sh *shard) dayOf(site *siteConf, ts int64) int32 {
	c := &sh.days[site.idx]
	if ts >= c.start && ts < c.end {
		return c.day
	}
	t := time.Unix(ts, 0).In(site.loc)
	y, m, d := t.Date()
	*c = dayCache{
		start: time.Date(y, m, d, 0, 0, 0, 0, site.loc).Unix(),
		end:   time.Date(y, m, d+1, 0, 0, 0, 0, site.loc).Unix(),
		day:   int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400),
	}
	return c.day
}

// dayString formats a day number as YYYY-MM-DD.
func dayString(day int32) string {
	return time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly)
}
