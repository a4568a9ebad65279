package visit

import (
	"crypto/sha1" //nolint:gosec // Matomo's own uid → visitor id mapping, not a security use
	"encoding/hex"
	"math"
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/dayplan"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// sourceWeights are the relative shares of non-direct referrers (the original's 35:15:20). They are
// rescaled to 1 − DIRECT_TRAFFIC_PROBABILITY, so the direct share is exactly what is configured.
var sourceWeights = []float64{0.35, 0.15, 0.20}
var sourceNames = []string{SourceSearch, SourceSocial, SourceWebsite}

// maxDwell keeps every gap between a visit's hits under Matomo's 30-minute visit timeout, so a visit
// is never split in two.
const maxDwell = 29 * time.Minute

// ReturnRange says from which earlier visits (sequence numbers lo ≤ m < hi) visit seq may take its
// returning visitor; an empty range means a new visitor. It must be a pure function of seq.
type ReturnRange func(seq uint64) (lo, hi uint64)

// PastRange says how long before visit seq the last visit of a visitor who came before the window
// (a returning visitor whose ReturnRange is empty) lies: between lo and hi. The model sends that
// earlier visit too, so that Matomo knows the visitor: it must lie where no planned visit is.
type PastRange func(seq uint64) (lo, hi time.Duration)

// defaultPast keeps a synthetic earlier visit within the last day, which Matomo accepts without a
// token (a cdt older than 24 hours needs one).
func defaultPast(uint64) (time.Duration, time.Duration) { return time.Hour, 20 * time.Hour }

// maxGoals is the most goals a visit can convert (one bit each in a visit's draw).
const maxGoals = 64

// Model builds visits.
type Model struct {
	cfg      config.Config
	cat      Catalog
	funnels  []content.Funnel
	seed     int64
	returns  ReturnRange
	past     PastRange
	clickP   float64
	randomP  float64
	orders   OrderRules
	products []Product
	journeys []journey
	withGeo  bool
	segs     *segmented // a scenario's segments (segment.go); nil without one

	contents *contentTable         // content blocks per site origin, shared by every hit
	offsets  [numFamilies]uint64   // where each share family's sequence starts (see share.go)
	lengths  []config.LengthBucket // VISIT_LENGTHS; nil: uniform VISIT_DURATION_MIN..MAX
	lengthW  []float64
	// bounceLengthW and stayLengthW are lengthW for bounces and other visits: Matomo keeps a visit
	// open 30 minutes after its last action (a ping does not count), so a one-page visit cannot
	// reach the buckets past 30 minutes, and the other visits take their share.
	bounceLengthW, stayLengthW []float64
	campaigns                  []Campaign
	campaignW                  []float64
	goals                      []Goal
	visitDims                  []Dimension
	actionDims                 []Dimension
	dimWeights                 [][]float64 // per dimension of actionDims, then visitDims
	visitDimW                  [][]float64
}

// New returns a model for cfg drawing from cat. funnels are the enabled user funnels, in priority order.
// events may override the click and random event probabilities (the events file's own settings).
func New(cfg config.Config, cat Catalog, funnels []content.Funnel, seed int64, returns ReturnRange, events *content.EventSet) *Model {
	m := &Model{cfg: cfg, cat: cat, funnels: funnels, seed: seed, returns: returns,
		clickP: cfg.ClickEventsProb, randomP: cfg.RandomEventsProb, products: cat.Products(),
		withGeo: cfg.RandomizeCountries}
	if events != nil && events.ClickProbability != nil {
		m.clickP = *events.ClickProbability
	}
	if events != nil && events.RandomProbability != nil {
		m.randomP = *events.RandomProbability
	}
	if len(cat.ClickEvents()) == 0 {
		m.clickP = 0
	}
	if len(cat.RandomEvents()) == 0 {
		m.randomP = 0
	}
	m.orders = OrderRules{ValueMin: cfg.OrderValueMin, ValueMax: cfg.OrderValueMax, ItemsMin: cfg.ItemsMin,
		ItemsMax: cfg.ItemsMax, TaxRate: cfg.TaxRate, ShippingRates: cfg.ShippingRates, Currency: cfg.Currency}
	m.journeys = builtinJourneys()
	m.past = defaultPast
	m.contents = &contentTable{}
	m.offsets = offsetsFor(seed)
	m.lengths, _ = config.ParseVisitLengths(cfg.VisitLengths) // validated with the config
	for _, b := range m.lengths {
		m.lengthW = append(m.lengthW, b.Weight)
	}
	m.bounceLengthW, m.stayLengthW = splitLengths(m.lengths, m.lengthW, cfg.BounceProb)
	if cc, ok := cat.(CampaignCatalog); ok {
		m.campaigns = cc.Campaigns()
	}
	if len(m.campaigns) == 0 {
		m.campaigns = BuiltinCampaigns()
	}
	for _, c := range m.campaigns {
		m.campaignW = append(m.campaignW, c.Weight)
	}
	if gc, ok := cat.(GoalCatalog); ok {
		m.goals = gc.Goals()
	}
	if m.goals == nil {
		gs, _ := config.ParseGoals(cfg.Goals) // validated with the config
		m.goals = goalsOf(gs)
	}
	if len(m.goals) > maxGoals {
		m.goals = m.goals[:maxGoals]
	}
	if dc, ok := cat.(DimensionCatalog); ok {
		for _, d := range dc.Dimensions() {
			if len(d.Values) == 0 {
				continue
			}
			w := make([]float64, len(d.Values))
			for i, v := range d.Values {
				w[i] = v.Weight
			}
			if d.Scope == ScopeAction {
				m.actionDims, m.dimWeights = append(m.actionDims, d), append(m.dimWeights, w)
			} else {
				m.visitDims, m.visitDimW = append(m.visitDims, d), append(m.visitDimW, w)
			}
		}
	}
	return m
}

// SetPast sets where the earlier visits of visitors who came before the window lie (the default:
// 1 to 20 hours before their visit, which needs no token).
func (m *Model) SetPast(p PastRange) {
	if p == nil {
		return
	}
	m.past = p
	if m.segs != nil {
		for _, sm := range m.segs.models {
			sm.past = p
		}
	}
}

// Build returns visit seq. It is a pure function of the model and seq.
func (m *Model) Build(seq uint64) Visit {
	if m.segs != nil {
		return m.buildSegment(seq)
	}
	if m.isBot(seq) {
		return m.buildBot(seq)
	}
	g := newRand(m.seed, seq, streamVisit)
	defer g.release()
	sg := newRand(m.seed, seq, streamSignals)
	defer sg.release()
	r := g.Rand
	v := Visit{Seq: seq, Visitor: m.visitor(seq)}
	b := builder{m: m, r: r, s: sg.Rand, v: &v}
	b.signals()
	switch {
	case m.in(seq, famBounce, m.cfg.BounceProb):
		v.Bounce = true
		b.reserve(1 + b.extra)
		b.land(m.cat.Entry(r), "")
	case m.cfg.JourneyProb > 0 && r.Float64() < m.cfg.JourneyProb:
		j := m.journeys[pick(r, journeyWeights(m.journeys))]
		v.Journey = j.name
		b.reserve(journeyHits + b.extra)
		j.run(&b)
	default:
		f, funnel := m.chooseFunnel(r)
		n, sp := between(r, m.cfg.PageviewsMin, m.cfg.PageviewsMax), m.specials(r)
		if !funnel || !f.ExitAfterCompletion {
			b.reserve(n + sp.count() + len(f.Steps) + b.extra)
		} else {
			b.reserve(len(f.Steps) + b.extra)
		}
		if funnel {
			v.Journey = "funnel:" + f.Name
			b.funnel(f)
			if f.ExitAfterCompletion {
				break
			}
		}
		b.browse(n, sp)
	}
	b.convert()
	b.finish()
	if v.Visitor.Past {
		m.prelude(&v)
	}
	return v
}

// chooseFunnel walks the funnels in priority order and runs the first whose draw hits, as the
// original did.
func (m *Model) chooseFunnel(r *rand.Rand) (content.Funnel, bool) {
	for _, f := range m.funnels {
		if r.Float64() < f.Probability {
			return f, true
		}
	}
	return content.Funnel{}, false
}

// specials draws the special actions of a normal visit, each independently with its probability.
// Every drawn action happens (the original silently dropped about 8% of them on slot collisions).
func (m *Model) specials(r *rand.Rand) specialSet {
	return specialSet{
		search:   r.Float64() < m.cfg.SiteSearchProb,
		outlink:  r.Float64() < m.cfg.OutlinksProb,
		download: r.Float64() < m.cfg.DownloadsProb,
		click:    r.Float64() < m.clickP,
		random:   r.Float64() < m.randomP,
		order:    r.Float64() < m.cfg.EcommerceProb && len(m.products) > 0,
	}
}

// Target picks the target of visit seq among targets with the given weights (weighted mode).
func (m *Model) Target(seq uint64, weights []float64) int {
	if len(weights) <= 1 {
		return 0
	}
	g := newRand(m.seed, seq, streamTarget)
	defer g.release()
	return pick(g.Rand, weights)
}

// visitor returns who makes visit seq: with RETURNING_VISITOR_PROBABILITY someone from an earlier visit
// in the return range (recomputed, not remembered), or, when the range is empty (the start of a run or
// of a backfill window), someone who came before it, whose earlier visit the model makes up (see
// prelude); otherwise a new visitor. Bot visits are never anyone's earlier visit.
func (m *Model) visitor(seq uint64) Visitor {
	g := newRand(m.seed, seq, streamIdentity)
	defer g.release()
	r := g.Rand
	at, hops, past := seq, 0, false
	var since, last time.Duration // from the root visit to seq; from the previous visit to seq
	for {
		g.reseed(m.seed, at, streamIdentity)
		lo, hi := uint64(0), uint64(0)
		if m.returns != nil {
			lo, hi = m.returns(at)
		}
		back := m.in(at, famReturning, m.cfg.ReturningProb)
		if back && hi > lo && hi <= at && hops < 64 {
			prev := lo + r.Uint64N(hi-lo)
			if !m.isBot(prev) {
				gap := m.gapBetween(prev, at)
				if hops == 0 {
					last = gap
				}
				since += gap
				at, hops = prev, hops+1
				continue
			}
		}
		past = back
		break
	}
	v := Visitor{ID: hexID(r, 16), Returning: hops > 0 || past, Past: past && hops == 0, Count: 1 + hops}
	v.UserAgent, v.Resolution = m.cat.Device(r)
	if m.withGeo {
		v.Country, v.Lang, v.IP = m.cat.Country(r)
	}
	// Draws added after the identity's first ones, so that they do not change who visitors are.
	member := m.in(at, famMember, m.cfg.UserIDProb)
	uid := ""
	if member {
		uid = "user-" + hexID(r, 10)
		// A member's browser cookie id is what Matomo makes of the uid, so the first visit (anonymous,
		// before logging in) and the later ones (with uid) are one visitor to Matomo.
		v.ID = userIDHash(uid)
	}
	if past {
		lo, hi := m.past(at)
		ago := logUniform(r, lo, hi)
		v.Count++
		since += ago
		if hops == 0 {
			last = ago
		}
	}
	if v.Returning {
		v.SinceFirst, v.SinceLast = since, last
		if src := sourceNames[pick(r, sourceWeights)]; src != SourceSearch {
			v.Referrer = m.cat.Referrer(r, src, "") // where the visitor first came from (_ref)
		}
		if member {
			v.UserID = uid
			if hops > 0 && r.Float64() < m.cfg.CrossDeviceProb {
				m.otherDevice(&v, at)
			}
		}
	}
	return v
}

// otherDevice puts v on the person's second device: its own cookie id, user agent and screen.
func (m *Model) otherDevice(v *Visitor, root uint64) {
	g := newRand(m.seed, root, streamDevice)
	defer g.release()
	v.ID = hexID(g.Rand, 16)
	v.UserAgent, v.Resolution = m.cat.Device(g.Rand)
	v.OtherDevice = true
}

// userIDHash is the visitor id Matomo derives from a User ID: the first 16 hex digits of its SHA-1.
func userIDHash(uid string) string {
	sum := sha1.Sum([]byte(uid))
	return hex.EncodeToString(sum[:8])
}

// gapBetween estimates the time from visit prev to visit seq: whole days in a backfill (whose
// sequence numbers hold the day), else the run's mean spacing of visits.
func (m *Model) gapBetween(prev, seq uint64) time.Duration {
	if m.cfg.BackfillEnabled {
		days := int64(seq>>dayplan.IndexBits) - int64(prev>>dayplan.IndexBits)
		return time.Duration(max(days, 0)) * 24 * time.Hour
	}
	if m.cfg.VisitsPerDay <= 0 {
		return 0
	}
	return time.Duration(float64(seq-prev) * 86400 / m.cfg.VisitsPerDay * float64(time.Second)).Round(time.Second)
}

// logUniform draws a duration in [lo, hi] whose logarithm is uniform: short gaps are commoner.
func logUniform(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo || lo <= 0 {
		return max(lo, hi)
	}
	x := math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))
	return time.Duration(math.Exp(x)).Round(time.Second)
}

// isBot reports whether visit seq is a crawler's (BOT_PROBABILITY).
func (m *Model) isBot(seq uint64) bool {
	return m.in(seq, famBot, m.cfg.BotProb)
}

// buildBot returns a crawler's visit: a few page views with a bot's user agent, nothing else.
func (m *Model) buildBot(seq uint64) Visit {
	g := newRand(m.seed, seq, streamBot)
	defer g.release()
	r := g.Rand
	v := Visit{Seq: seq, Bot: true, Journey: JourneyBot}
	v.Visitor = Visitor{ID: hexID(r, 16), UserAgent: botAgents[r.IntN(len(botAgents))]}
	vp := matomo.NewVisitorParams(v.Visitor.ID, v.Visitor.UserAgent, "", "")
	n := between(r, 1, 5)
	v.Hits = make([]Hit, 0, n)
	b := builder{m: m, r: r}
	var page content.Page
	offset := time.Duration(0)
	for i := 0; i < n; i++ {
		if i == 0 {
			page = m.cat.Entry(r)
		} else {
			page = m.cat.Next(r, page)
			offset += time.Duration(between(r, 1, 20)) * time.Second
		}
		req := matomo.Request{Visitor: vp, URL: page.URL, ActionName: title(page), NewVisit: i == 0}
		v.Hits = append(v.Hits, Hit{Offset: offset, Pause: b.pause(i), Request: req})
	}
	v.Duration = offset
	return v
}

// prelude puts the synthetic earlier visit of a visitor who came before the window in front of v:
// one to three page views ending SinceLast before v starts, as the visitor's first visit (no uid, no
// cookie counts), so that Matomo knows the visitor and counts v as returning.
func (m *Model) prelude(v *Visit) {
	g := newRand(m.seed, v.Seq, streamPast)
	defer g.release()
	r := g.Rand
	pv := Visit{Seq: v.Seq, Visitor: v.Visitor}
	pv.Visitor.UserID, pv.Visitor.Returning = "", false
	b := builder{m: m, r: r, s: r, v: &pv, first: true}
	n := between(r, 1, 3)
	b.reserve(n)
	b.land(m.cat.Entry(r), "")
	for i := 1; i < n; i++ {
		b.view(m.cat.Next(r, b.page))
	}
	b.finish()
	shift := -(pv.Duration + v.Visitor.SinceLast)
	hits := make([]Hit, 0, len(pv.Hits)+len(v.Hits))
	for _, h := range pv.Hits {
		h.Offset += shift
		h.Pause = 0
		hits = append(hits, h)
	}
	v.Past = len(hits)
	v.Hits = append(hits, v.Hits...)
}

// origin is the scheme and host of a page URL ("https://example.test").
func origin(page string) string {
	u, err := url.Parse(page)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// request returns a hit's request with the visitor's fields set (encoded once per visit): cid, ua,
// lang, res, and uid, _ref and the visit-scope custom dimensions, with the cookie counts of a
// returning visitor.
func (b *builder) request(page content.Page) matomo.Request {
	if b.vp.IsZero() {
		b.visitorParams()
	}
	return matomo.Request{Visitor: b.vp, URL: page.URL, IP: b.v.Visitor.IP, Cookie: b.cookie}
}

func (b *builder) visitorParams() {
	vis := &b.v.Visitor
	b.vp = matomo.NewVisitorParams(vis.ID, vis.UserAgent, vis.Lang, vis.Resolution)
	b.class = deviceClass(vis.UserAgent)
	if b.first {
		return
	}
	b.vp = b.vp.WithUserID(vis.UserID)
	for i, d := range b.m.visitDims {
		b.vp = b.vp.WithDimension(d.ID, d.Values[pick(b.s, b.m.visitDimW[i])].Value)
	}
	if vis.Returning {
		b.vp = b.vp.With("_ref", vis.Referrer)
		b.cookie = matomo.Cookie{Count: int32(vis.Count), FirstAgo: seconds(vis.SinceFirst), LastAgo: seconds(vis.SinceLast)}
		if vis.Referrer != "" {
			b.cookie.RefAgo = b.cookie.FirstAgo
		}
	}
}

// seconds is d in whole seconds, at least 1 and within int32.
func seconds(d time.Duration) int32 {
	return int32(min(max(d/time.Second, 1), math.MaxInt32))
}
