package visit

import (
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// Campaign is one campaign of the catalogue: what the landing URL of a visit from it carries
// (mtm_campaign, mtm_source, mtm_medium, mtm_keyword, mtm_content, mtm_cid; empty ones are left
// out). Weight is its relative share of campaign visits.
type Campaign struct {
	Name, Source, Medium, Keyword, Content, ID string
	Weight                                     float64
}

// Scopes of a custom dimension.
const (
	ScopeVisit  = "visit"
	ScopeAction = "action"
)

// DimensionValue is one value of a custom dimension with its relative weight.
type DimensionValue struct {
	Value  string
	Weight float64
}

// Dimension is a custom dimension to fill: dimensionID with one of Values. A visit-scope dimension
// has one value for the whole visit (sent on every hit); an action-scope one a value per page view.
type Dimension struct {
	ID     int
	Scope  string // ScopeVisit or ScopeAction
	Values []DimensionValue
}

// Goal is a manual goal to convert: in a Rate share of visits, with Revenue when HasRevenue (else
// Matomo uses the goal's default revenue).
type Goal struct {
	ID         int
	Rate       float64
	Revenue    float64
	HasRevenue bool
}

// CampaignCatalog is a Catalog with its own campaign catalogue (CAMPAIGNS_FILE). Without it, or
// when it returns none, the model uses BuiltinCampaigns.
type CampaignCatalog interface {
	Campaigns() []Campaign
}

// DimensionCatalog is a Catalog with custom dimension definitions (CUSTOM_DIMENSIONS_FILE).
type DimensionCatalog interface {
	Dimensions() []Dimension
}

// GoalCatalog is a Catalog that knows the goals to convert (GOALS merged with the goals read from
// the site). Without it, or when it returns nil, the model converts the goals of GOALS.
type GoalCatalog interface {
	Goals() []Goal
}

// A scenario segment's catalogue passes the campaign, dimension and goal catalogues through.

// Campaigns are the underlying catalogue's, or none.
func (c *segmentCatalog) Campaigns() []Campaign {
	if cc, ok := c.SegmentCatalog.(CampaignCatalog); ok {
		return cc.Campaigns()
	}
	return nil
}

// Dimensions are the underlying catalogue's, or none.
func (c *segmentCatalog) Dimensions() []Dimension {
	if dc, ok := c.SegmentCatalog.(DimensionCatalog); ok {
		return dc.Dimensions()
	}
	return nil
}

// Goals are the underlying catalogue's; nil lets the segment's GOALS decide.
func (c *segmentCatalog) Goals() []Goal {
	if gc, ok := c.SegmentCatalog.(GoalCatalog); ok {
		return gc.Goals()
	}
	return nil
}

// BuiltinCampaigns is the campaign catalogue used when no campaigns file is given: the mix of a
// typical marketing calendar (newsletters, paid search, social, display, partners).
func BuiltinCampaigns() []Campaign {
	return []Campaign{
		{Name: "spring-sale", Source: "newsletter", Medium: "email", Content: "hero-button", ID: "nl-2024-03", Weight: 14},
		{Name: "weekly-digest", Source: "newsletter", Medium: "email", Content: "footer-link", ID: "nl-weekly", Weight: 12},
		{Name: "brand-search", Source: "google", Medium: "cpc", Keyword: "trafficinator pricing", Content: "ad-variant-a", ID: "g-brand-01", Weight: 13},
		{Name: "generic-search", Source: "google", Medium: "cpc", Keyword: "web analytics tool", Content: "ad-variant-b", ID: "g-generic-07", Weight: 10},
		{Name: "generic-search", Source: "bing", Medium: "cpc", Keyword: "privacy friendly analytics", Content: "ad-variant-a", ID: "b-generic-02", Weight: 4},
		{Name: "summer-launch", Source: "facebook", Medium: "social", Content: "carousel", ID: "fb-summer", Weight: 9},
		{Name: "summer-launch", Source: "instagram", Medium: "social", Content: "story", ID: "ig-summer", Weight: 6},
		{Name: "webinar-invite", Source: "linkedin", Medium: "social", Content: "sponsored-post", ID: "li-webinar-06", Weight: 7},
		{Name: "retargeting", Source: "criteo", Medium: "display", Content: "banner-300x250", ID: "rt-0042", Weight: 8},
		{Name: "product-demo", Source: "youtube", Medium: "video", Content: "preroll-15s", ID: "yt-demo-3", Weight: 5},
		{Name: "partner-program", Source: "partner-blog", Medium: "affiliate", Content: "review-article", ID: "aff-118", Weight: 6},
		{Name: "podcast-sponsorship", Source: "podcast", Medium: "audio", Keyword: "promo code", ID: "pod-ep42", Weight: 3},
		{Name: "black-friday", Source: "newsletter", Medium: "email", Content: "banner-top", ID: "nl-bf", Weight: 3},
	}
}

// campaignReferrers are the referrer URLs of campaign sources that are sites (an email or a podcast
// has none).
var campaignReferrers = map[string]string{
	"google": "https://www.google.com/", "bing": "https://www.bing.com/", "facebook": "https://www.facebook.com/",
	"instagram": "https://www.instagram.com/", "linkedin": "https://www.linkedin.com/", "youtube": "https://www.youtube.com/",
	"criteo": "https://www.criteo.com/", "partner-blog": "https://blog.partner.example/",
}

// campaignURL returns page with c's parameters added to its query, the mtm_* forms or the legacy
// pk_* forms.
func campaignURL(page string, c *Campaign, legacy bool) string {
	prefix := "mtm_"
	if legacy {
		prefix = "pk_"
	}
	var sb strings.Builder
	sb.Grow(len(page) + 120)
	sb.WriteString(page)
	sep := byte('?')
	if strings.IndexByte(page, '?') >= 0 {
		sep = '&'
	}
	for _, kv := range [...][2]string{{"campaign", c.Name}, {"source", c.Source}, {"medium", c.Medium},
		{"keyword", c.Keyword}, {"content", c.Content}, {"cid", c.ID}} {
		if kv[1] == "" {
			continue
		}
		sb.WriteByte(sep)
		sep = '&'
		sb.WriteString(prefix)
		sb.WriteString(kv[0])
		sb.WriteByte('=')
		sb.WriteString(url.QueryEscape(kv[1]))
	}
	return sb.String()
}

// contentBlock is a tracked content block of the built-in site: a banner, teaser or signup box.
type contentBlock struct{ name, piece, target string }

// contentBlocks are the content blocks pages show; targets starting with "/" are on the site.
var contentBlocks = []contentBlock{
	{"Hero banner", "/media/hero-spring.jpg", "/pricing"},
	{"Newsletter signup", "Get the weekly digest", "/newsletter"},
	{"Product teaser", "/media/teaser-new-release.png", "/products"},
	{"Webinar ad", "/media/ad-webinar.gif", "https://events.example.org/webinar"},
	{"Related articles", "Read next", "/blog"},
	{"Customer story", "/media/case-study.jpg", "/customers"},
	{"Free trial box", "Start your free trial", "/signup"},
}

// contentTable holds the content blocks resolved for each site origin seen, impression and
// interaction, so that hits point at shared values instead of carrying their own.
type contentTable struct {
	mu   sync.RWMutex
	byOr map[string][]matomo.Content // per origin: impression i at 2i, interaction at 2i+1
}

// of returns block i of the site at origin, as an impression and as an interaction.
func (t *contentTable) of(origin string, i int) (shown, clicked *matomo.Content) {
	t.mu.RLock()
	cs, ok := t.byOr[origin]
	t.mu.RUnlock()
	if !ok {
		cs = make([]matomo.Content, 0, 2*len(contentBlocks))
		for _, c := range contentBlocks {
			target := c.target
			if strings.HasPrefix(target, "/") {
				target = origin + target
			}
			shown := matomo.Content{Name: c.name, Piece: c.piece, Target: target}
			clicked := shown
			clicked.Interaction = "click"
			cs = append(cs, shown, clicked)
		}
		t.mu.Lock()
		if t.byOr == nil {
			t.byOr = map[string][]matomo.Content{}
		}
		if have, ok := t.byOr[origin]; ok {
			cs = have
		} else {
			t.byOr[origin] = cs
		}
		t.mu.Unlock()
	}
	return &cs[2*i], &cs[2*i+1]
}

// botAgents are user agents of well-known crawlers; Matomo's DeviceDetector recognises each as a
// bot and excludes its hits (unless bots=1).
var botAgents = []string{
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
	"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
	"DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
	"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
	"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
	"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
	"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
}

// Device classes for page timings.
const (
	classDesktop = iota
	classTablet
	classMobile
)

// deviceClass tells phones and tablets from desktops by their user agent.
func deviceClass(ua string) int {
	switch {
	case strings.Contains(ua, "iPad") || strings.Contains(ua, "Tablet"):
		return classTablet
	case strings.Contains(ua, "Mobile") || strings.Contains(ua, "Android") || strings.Contains(ua, "iPhone"):
		return classMobile
	}
	return classDesktop
}

// timingShape is the lognormal of one timing: its median in ms and the spread (σ of its log).
type timingShape struct{ median, sigma float64 }

// timingShapes are the six pf_* timings per device class: phones are slower on the network and in
// the DOM than desktops, tablets between them.
var timingShapes = [3][6]timingShape{
	classDesktop: {{25, 1.0}, {140, 0.6}, {30, 0.8}, {320, 0.5}, {420, 0.5}, {15, 0.8}},
	classTablet:  {{60, 1.0}, {160, 0.6}, {70, 0.8}, {550, 0.5}, {650, 0.5}, {35, 0.8}},
	classMobile:  {{90, 1.0}, {170, 0.6}, {120, 0.9}, {800, 0.55}, {950, 0.55}, {60, 0.9}},
}

// timings draws a page view's browser timings; a fifth of network times are 0 (a reused connection).
func timings(r *rand.Rand, class int) matomo.Timings {
	var v [6]int32
	for i, s := range timingShapes[class] {
		x := s.median * math.Exp(s.sigma*r.NormFloat64())
		v[i] = int32(min(math.Round(x), 60_000))
	}
	if r.Float64() < 0.2 {
		v[0] = 0
	}
	return matomo.Timings{Network: v[0], Server: v[1], Transfer: v[2], DOMProcessing: v[3], DOMCompletion: v[4], OnLoad: v[5], Set: true}
}

// goalsOf converts GOALS to the model's goals.
func goalsOf(gs []config.GoalRate) []Goal {
	out := make([]Goal, len(gs))
	for i, g := range gs {
		out[i] = Goal{ID: g.ID, Rate: g.Rate, Revenue: g.Revenue, HasRevenue: g.HasRevenue}
	}
	return out
}

// splitLengths gives bounces the buckets a one-page visit can reach in Matomo (up to the first
// ping, 29 minutes after the page view) and the other visits the rest, so that together they keep
// every bucket's share: a bucket out of the bounces' reach goes to the other visits alone, and the
// others give the bounces their part of the rest. When bounces are too many for that, both keep
// the plain weights.
func splitLengths(buckets []config.LengthBucket, weights []float64, bounce float64) (bounceW, stayW []float64) {
	total, out := 0.0, 0.0
	for _, w := range weights {
		total += w
	}
	reach := make([]bool, len(buckets))
	for i := range buckets {
		lo := 0.0
		if i > 0 {
			lo = buckets[i-1].Upper.Seconds()
		}
		reach[i] = lo < maxDwell.Seconds()+1
		if !reach[i] {
			out += weights[i]
		}
	}
	if total <= 0 || out == 0 || bounce <= 0 || bounce >= 1 || bounce > 1-out/total {
		return weights, weights
	}
	keep := 1 - bounce/(1-out/total) // the share of an in-reach bucket left to the other visits
	bounceW, stayW = make([]float64, len(weights)), make([]float64, len(weights))
	for i, w := range weights {
		if reach[i] {
			bounceW[i], stayW[i] = w, w*keep
		} else {
			stayW[i] = w
		}
	}
	return bounceW, stayW
}

// drawLengthAt draws a visit length in seconds from VISIT_LENGTHS: the bucket chosen by u in
// [0, 1) (a stratified position, so that every block of visits holds each bucket's share), the
// length uniformly within it from r.
func drawLengthAt(u float64, r *rand.Rand, buckets []config.LengthBucket, weights []float64) float64 {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	i, x := len(weights)-1, u*total
	for j, w := range weights {
		if x < w {
			i = j
			break
		}
		x -= w
	}
	// A whole number of seconds strictly inside the bucket (the first from 0): Matomo's
	// VisitorInterest buckets share their bounds (a visit of exactly 60 s counts in 31–60 s and in
	// 1–2 min), so a length on a bound would count twice.
	first, last := 0, int(math.Ceil(buckets[i].Upper.Seconds()))-1
	if i > 0 {
		first = int(math.Floor(buckets[i-1].Upper.Seconds())) + 1
	}
	if last <= first {
		return float64(max(first, 0))
	}
	return float64(first + r.IntN(last-first+1))
}
