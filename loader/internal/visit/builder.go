package visit

import (
	"math"
	"math/rand/v2"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// gap is how much simulated time follows a hit: weight shares the visit's duration among the
// auto-timed gaps; fixed (seconds) overrides it (funnel step delays).
type gap struct {
	weight float64
	fixed  float64
	hasFix bool
}

// builder assembles one visit: its hits go straight into the visit (requests are large; copying
// them from a draft list would cost more than building them), their gaps alongside.
type builder struct {
	m        *Model
	r        *rand.Rand // the visit's shape: pages, actions, times
	s        *rand.Rand // its signals: campaign, content, goals, timings, dimensions
	v        *Visit
	vp       matomo.VisitorParams // the visitor's cid, ua, lang and res, encoded
	cookie   matomo.Cookie        // a returning visitor's cookie counts, as of the visit's start
	class    int                  // device class, for page timings
	first    bool                 // a visitor's synthetic first visit: no uid, cookie or signals
	gaps     []gap
	page     content.Page // the page the visitor is on
	pvID     string       // its page view id
	started  bool
	duration float64 // scale of the visit duration (journeys lengthen or shorten visits)

	camp     *Campaign // the campaign the visit lands from, or nil
	legacy   bool      // with pk_* parameters
	block    int       // 1 + index of the content block the landing page shows; 0: none
	interact bool      // the visitor clicks it
	goals    uint64    // bit i: the visit converts goal i
	extra    int       // hits the signals add
}

// signals draws what the visit carries besides its shape: a campaign, a content impression (and
// interaction), goal conversions.
func (b *builder) signals() {
	m, s, seq := b.m, b.s, b.v.Seq
	// A share within a share (legacy campaigns, interactions) is the lower part of the outer one.
	if p, u := m.cfg.CampaignProb, m.position(seq, famCampaign); u < p {
		if i := pick(s, m.campaignW); i >= 0 {
			b.camp = &m.campaigns[i]
			b.legacy = u < p*m.cfg.CampaignLegacyProb
		}
	}
	if p, u := m.cfg.ContentImpressionProb, m.position(seq, famContent); u < p {
		b.block = 1 + s.IntN(len(contentBlocks))
		b.extra++
		if u < p*m.cfg.ContentInteractionProb {
			b.interact = true
			b.extra++
		}
	}
	for i, g := range m.goals {
		if m.in(seq, famGoal+i, g.Rate) {
			b.goals |= 1 << i
			b.extra++
		}
	}
}

// convert adds the visit's goal conversions on its last page.
func (b *builder) convert() {
	for i := range b.m.goals {
		if b.goals&(1<<i) == 0 {
			continue
		}
		g := &b.m.goals[i]
		req := b.onPage()
		req.PageViewID = ""
		req.Goal = matomo.Goal{ID: g.ID}
		if g.HasRevenue {
			req.Goal.Revenue = g.Revenue
		}
		b.add(req, 0.1)
	}
}

// showContent adds the landing page's content impression and, when the visitor clicks it, the
// interaction.
func (b *builder) showContent() {
	shown, clicked := b.m.contents.of(origin(b.page.URL), b.block-1)
	req := b.onPage()
	req.Content = shown
	b.add(req, 0.05)
	if b.interact {
		req.Content = clicked
		b.add(req, 0.1)
	}
}

// specialSet is which special actions a normal visit has.
type specialSet struct{ search, outlink, download, click, random, order bool }

// count is the number of hits the special actions add.
func (sp specialSet) count() int {
	n := 0
	for _, on := range [...]bool{sp.search, sp.outlink, sp.download, sp.click, sp.random, sp.order} {
		if on {
			n++
		}
	}
	return n
}

// journeyHits is room enough for most journeys (the researcher's longest visits grow the slice).
const journeyHits = 14

// reserve sizes the visit for n hits plus its ping, so the hits are allocated once, at their size: a
// live visit holds them while it is in flight, and spare room would be most of its memory.
func (b *builder) reserve(n int) {
	b.v.Hits = make([]Hit, 0, n+1)
	b.gaps = make([]gap, 0, n)
}

// land starts the visit on page, coming from an external referrer (or directly).
// A campaign visit lands on page with the campaign's parameters, from the campaign source's site.
func (b *builder) land(page content.Page, source string) {
	req := b.pageview(page)
	req.NewVisit = true
	req.Referrer = b.referrer(source)
	if b.camp != nil {
		req.URL = campaignURL(page.URL, b.camp, b.legacy)
		req.Referrer = campaignReferrers[b.camp.Source]
	}
	b.add(req, uniform(b.r, 0.5, 1.5))
	b.started = true
	if b.block > 0 {
		b.showContent()
	}
}

// referrer draws the first hit's urlref: "" for direct traffic, else a search, social or website URL.
// source forces a source ("" draws one: direct with DIRECT_TRAFFIC_PROBABILITY, the rest rescaled).
func (b *builder) referrer(source string) string {
	if source == "" {
		if b.r.Float64() < b.m.cfg.DirectTrafficProb {
			return ""
		}
		source = sourceNames[pick(b.r, sourceWeights)]
	}
	if source == "direct" {
		return ""
	}
	kw := ""
	if source == SourceSearch {
		kw, _ = b.m.cat.SearchTerm(b.r)
	}
	return b.m.cat.Referrer(b.r, source, kw)
}

// pageview returns a page view of page, coming from the current page.
func (b *builder) pageview(page content.Page) matomo.Request {
	req := b.request(page)
	req.ActionName = title(page)
	req.PageViewID = hexID(b.r, 6)
	if b.started {
		req.Referrer = b.page.URL
	}
	if p := b.m.cfg.PerformanceProb; p > 0 && b.s.Float64() < p {
		req.Timings = timings(b.s, b.class)
	}
	if n := len(b.m.actionDims); n > 0 && !b.first {
		req.Dimensions = make([]matomo.Dimension, n)
		for i, d := range b.m.actionDims {
			req.Dimensions[i] = matomo.Dimension{ID: d.ID, Value: d.Values[pick(b.s, b.m.dimWeights[i])].Value}
		}
	}
	b.page, b.pvID = page, req.PageViewID
	return req
}

// view adds a page view of page (after the landing).
func (b *builder) view(page content.Page) {
	if !b.started {
		b.land(page, "")
		return
	}
	b.add(b.pageview(page), uniform(b.r, 0.5, 1.5))
}

// onPage returns a request for an action on the current page (event, outlink, download).
func (b *builder) onPage() matomo.Request {
	req := b.request(b.page)
	req.PageViewID = b.pvID
	return req
}

func (b *builder) add(req matomo.Request, weight float64) {
	b.v.Hits = append(b.v.Hits, Hit{Request: req})
	b.gaps = append(b.gaps, gap{weight: weight})
}

// last is the hit added last.
func (b *builder) last() *Hit { return &b.v.Hits[len(b.v.Hits)-1] }

// Special actions a normal visit can have.
const (
	actSearch = iota
	actOutlink
	actDownload
	actClick
	actRandom
	numActions
)

// browse adds n page views following the site's structure, with the special actions each on one of
// them (an order after the last).
func (b *builder) browse(n int, sp specialSet) {
	var at [numActions]int // the page view each action follows; -1: none
	for i, on := range [numActions]bool{sp.search, sp.outlink, sp.download, sp.click, sp.random} {
		at[i] = -1
		if on {
			at[i] = b.r.IntN(n)
		}
	}
	for i := 0; i < n; i++ {
		switch {
		case !b.started:
			b.land(b.m.cat.Entry(b.r), "")
		default:
			b.view(b.m.cat.Next(b.r, b.page))
		}
		for act, page := range at {
			if page == i {
				b.special(act)
			}
		}
	}
	if sp.order {
		b.order(b.m.orders, nil)
	}
}

// special adds one special action on the current page.
func (b *builder) special(act int) {
	switch act {
	case actSearch:
		b.search()
	case actOutlink:
		req := b.onPage()
		req.Link = b.m.cat.Outlink(b.r)
		b.add(req, 0.1)
	case actDownload:
		b.download(b.m.cat.Download(b.r))
	case actClick:
		b.event(b.m.cat.ClickEvents())
	case actRandom:
		b.event(b.m.cat.RandomEvents())
	}
}

// search adds a site search from the current page.
func (b *builder) search() {
	kw, cat := b.m.cat.SearchTerm(b.r)
	b.searchFor(kw, cat, b.r.IntN(26))
}

func (b *builder) searchFor(kw, cat string, count int) {
	req := b.request(b.page)
	req.URL = origin(b.page.URL) + "/search?q=" + url.QueryEscape(kw)
	req.Search = matomo.Search{Keyword: kw, Category: cat, Count: count, HasCount: true}
	req.PageViewID = hexID(b.r, 6)
	b.add(req, 0.3)
}

func (b *builder) download(target string) {
	req := b.onPage()
	req.Download = resolve(b.page.URL, target)
	b.add(req, 0.1)
}

func (b *builder) event(pool []content.Event) {
	if len(pool) == 0 {
		return
	}
	e := pool[b.r.IntN(len(pool))]
	req := b.onPage()
	req.Event = matomo.Event{Category: e.Category, Action: e.Action, Name: e.Name}
	if e.Value != nil {
		req.Event.Value, req.Event.HasValue = *e.Value, true
	}
	b.add(req, 0.1)
}

// order adds an ecommerce order on the current page. override (a funnel step) may fix amounts.
func (b *builder) order(rules OrderRules, override func(*matomo.Order)) {
	req := b.onPage()
	req.PageViewID = ""
	req.Order = buildOrder(b.r, orderID(b.m.seed, b.v.Seq), rules, b.m.products)
	if override != nil {
		override(&req.Order)
	}
	b.v.Order = true
	b.add(req, 0.2)
}

// finish closes the visit with a ping and lays out the timeline: the visit length is drawn from
// VISIT_LENGTHS (or VISIT_DURATION_MIN..MAX) and shared among the gaps by weight; every gap is a
// whole number of seconds, at least one (cdt has one-second resolution and must strictly
// increase) and at most 29 minutes: Matomo starts a new visit 30 minutes after the last action,
// and a ping is no action, so the closing ping keeps the last page's time only up to that.
func (b *builder) finish() {
	if !b.started {
		b.land(b.m.cat.Entry(b.r), "")
	}
	ping := b.request(b.page)
	ping.Ping, ping.PageViewID = true, b.pvID
	scale := b.duration
	if scale == 0 {
		scale = 1
	}
	var total float64
	if b.m.lengths != nil {
		total = drawLengthAt(b.lengthPosition(), b.r, b.m.lengths, b.lengthWeights()) * scale
	} else {
		total = uniform(b.r, b.m.cfg.VisitDurationMin, b.m.cfg.VisitDurationMax) * 60 * scale
	}
	fixed, weights := 0.0, 0.0
	for _, g := range b.gaps {
		if g.hasFix {
			fixed += g.fixed
		} else {
			weights += g.weight
		}
	}
	auto := math.Max(total-fixed, 0)
	want, fixedGap := make([]float64, len(b.gaps)), make([]bool, len(b.gaps))
	for i, g := range b.gaps {
		want[i], fixedGap[i] = g.fixed, g.hasFix
		if !g.hasFix {
			want[i] = auto * g.weight / weights
		}
	}
	secs := wholeSeconds(want, fixedGap, total)
	offset := time.Duration(0)
	for i := range b.gaps {
		h := &b.v.Hits[i]
		h.Offset, h.Pause = offset, b.pause(i)
		sec := secs[i]
		offset += clampGap(sec)
	}
	b.v.Hits = append(b.v.Hits, Hit{Offset: offset, Request: ping})
	b.v.Duration = offset
	if b.cookie.Count > 0 {
		for i := range b.v.Hits {
			c := &b.v.Hits[i].Request.Cookie
			at := int32(b.v.Hits[i].Offset / time.Second)
			c.FirstAgo += at
			c.LastAgo += at
			if c.RefAgo > 0 {
				c.RefAgo += at
			}
		}
	}
}

// pause is the real wait before hit i in live mode (none before the first).
func (b *builder) pause(i int) time.Duration {
	if i == 0 {
		return 0
	}
	s := uniform(b.r, b.m.cfg.PauseMin, b.m.cfg.PauseMax)
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// lengthPosition places the visit in the stratified sequence of its kind, bounces or the others,
// from its bounce position: bounces are the visits below BOUNCE_PROBABILITY there, so rescaled they
// are spread evenly over [0, 1) in every block, and so are the others. The length buckets of each
// kind then hold their shares exactly, which one position shared by both kinds would not.
func (b *builder) lengthPosition() float64 {
	p, u := b.m.cfg.BounceProb, b.m.position(b.v.Seq, famBounce)
	switch {
	case p <= 0 || p >= 1:
		return u
	case b.v.Bounce:
		return u / p
	}
	return min((u-p)/(1-p), math.Nextafter(1, 0))
}

// lengthWeights are the length buckets' weights for the visit's kind (see splitLengths).
func (b *builder) lengthWeights() []float64 {
	if b.v.Bounce {
		return b.m.bounceLengthW
	}
	return b.m.stayLengthW
}

// wholeSeconds turns the gaps' wanted lengths into whole seconds, each at least one, so that the
// visit lasts what was drawn as Matomo measures it: visit_total_time is 1 + the last hit's time −
// the first's, so the gaps add up to round(total) − 1. Fixed gaps (a funnel's delays) keep their
// length; the others share the rest by their wanted lengths (largest remainder). A visit of more
// hits than seconds lasts one second per gap.
func wholeSeconds(want []float64, fixed []bool, total float64) []float64 {
	out := make([]float64, len(want))
	rest, weight := int(math.Round(total))-1, 0.0
	var free []int
	for i, w := range want {
		if fixed[i] {
			out[i] = math.Max(math.Round(w), 1)
			rest -= int(out[i])
			continue
		}
		free = append(free, i)
		weight += w
		out[i] = 1
		rest--
	}
	if rest <= 0 || len(free) == 0 {
		return out
	}
	rem := make([]float64, len(want))
	given := 0
	for _, i := range free {
		share := float64(rest) / float64(len(free))
		if weight > 0 {
			share = float64(rest) * want[i] / weight
		}
		whole := math.Floor(share)
		out[i] += whole
		rem[i] = share - whole
		given += int(whole)
	}
	for ; given < rest; given++ {
		best := free[0]
		for _, i := range free {
			if rem[i] > rem[best] {
				best = i
			}
		}
		out[best]++
		rem[best] = -1
	}
	capGaps(out, free)
	return out
}

// capGaps keeps every free gap within maxDwell, moving the excess to free gaps with room: a hit
// more than 30 minutes after the last action (a ping is none) would not be in the same visit.
// What no gap has room for is cut.
func capGaps(out []float64, free []int) {
	limit := maxDwell.Seconds()
	excess := 0.0
	for _, i := range free {
		if out[i] > limit {
			excess += out[i] - limit
			out[i] = limit
		}
	}
	for _, i := range free {
		if excess <= 0 {
			return
		}
		add := math.Min(limit-out[i], excess)
		out[i] += add
		excess -= add
	}
}

func clampGap(seconds float64) time.Duration {
	d := time.Duration(math.Round(seconds)) * time.Second
	return min(max(d, time.Second), maxDwell)
}

// title is a page's action_name: its title from the URL file, else one made from its path.
func title(p content.Page) string {
	if p.Title != "" {
		return p.Title
	}
	u, err := url.Parse(p.URL)
	if err != nil || u.Path == "" || u.Path == "/" {
		return "Home"
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, s := range parts {
		s = strings.ReplaceAll(s, "-", " ")
		if s != "" {
			parts[i] = strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return strings.Join(parts, " / ")
}

// resolve makes target absolute against the page's URL ("/files/a.pdf" → "https://host/files/a.pdf").
func resolve(page, target string) string {
	t, err := url.Parse(target)
	if err != nil || t.IsAbs() {
		return target
	}
	base, err := url.Parse(page)
	if err != nil {
		return target
	}
	if !strings.HasPrefix(target, "/") {
		base.Path = path.Dir(base.Path) + "/"
	}
	return base.ResolveReference(t).String()
}
