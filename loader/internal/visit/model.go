package visit

import (
	"math/rand/v2"
	"net/url"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
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

// Model builds visits.
type Model struct {
	cfg      config.Config
	cat      Catalog
	funnels  []content.Funnel
	seed     int64
	returns  ReturnRange
	clickP   float64
	randomP  float64
	orders   OrderRules
	products []Product
	journeys []journey
	withGeo  bool
	segs     *segmented // a scenario's segments (segment.go); nil without one
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
	return m
}

// Build returns visit seq. It is a pure function of the model and seq.
func (m *Model) Build(seq uint64) Visit {
	if m.segs != nil {
		return m.buildSegment(seq)
	}
	g := newRand(m.seed, seq, streamVisit)
	defer g.release()
	r := g.Rand
	v := Visit{Seq: seq, Visitor: m.visitor(seq)}
	b := builder{m: m, r: r, v: &v}
	switch {
	case m.cfg.JourneyProb > 0 && r.Float64() < m.cfg.JourneyProb:
		j := m.journeys[pick(r, journeyWeights(m.journeys))]
		v.Journey = j.name
		b.reserve(journeyHits)
		j.run(&b)
	default:
		f, funnel := m.chooseFunnel(r)
		n, sp := between(r, m.cfg.PageviewsMin, m.cfg.PageviewsMax), m.specials(r)
		if !funnel || !f.ExitAfterCompletion {
			b.reserve(n + sp.count() + len(f.Steps))
		} else {
			b.reserve(len(f.Steps))
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
	b.finish()
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
// in the return range (recomputed, not remembered), otherwise a new visitor.
func (m *Model) visitor(seq uint64) Visitor {
	returning := false
	g := newRand(m.seed, seq, streamIdentity)
	defer g.release()
	r := g.Rand
	for hops := 0; ; hops++ {
		g.reseed(m.seed, seq, streamIdentity)
		lo, hi := uint64(0), uint64(0)
		if m.returns != nil {
			lo, hi = m.returns(seq)
		}
		back := r.Float64() < m.cfg.ReturningProb
		if back && hi > lo && hi <= seq && hops < 64 {
			seq = lo + r.Uint64N(hi-lo)
			returning = true
			continue
		}
		v := Visitor{ID: hexID(r, 16), Returning: returning}
		v.UserAgent, v.Resolution = m.cat.Device(r)
		if m.withGeo {
			v.Country, v.Lang, v.IP = m.cat.Country(r)
		}
		return v
	}
}

// origin is the scheme and host of a page URL ("https://example.test").
func origin(page string) string {
	u, err := url.Parse(page)
	if err != nil || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// request returns a hit's request with the visitor's fields set (encoded once per visit).
func (b *builder) request(page content.Page) matomo.Request {
	if b.vp.IsZero() {
		vis := &b.v.Visitor
		b.vp = matomo.NewVisitorParams(vis.ID, vis.UserAgent, vis.Lang, vis.Resolution)
	}
	return matomo.Request{Visitor: b.vp, URL: page.URL, IP: b.v.Visitor.IP}
}
