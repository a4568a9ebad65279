package catalog

import (
	"math/rand/v2"
	"net/url"

	"github.com/trafficinator/trafficinator/pkg/content"
)

// Referrer sources other than direct traffic; the names match the visit model's.
const (
	SourceSearch  = "search"
	SourceSocial  = "social"
	SourceWebsite = "website"
)

// SourceWeights are the relative shares of the non-direct referrer sources.
type SourceWeights struct {
	Search, Social, Website float64
}

// DefaultSourceWeights are the original tool's shares (search .35, social .15, referral
// websites .20). Direct traffic is configured separately (DIRECT_TRAFFIC_PROBABILITY);
// the original added these to it without rescaling, so direct never fell below 30% (its
// bug 4). Use Scaled to fit them to the configured direct share.
var DefaultSourceWeights = SourceWeights{Search: 0.35, Social: 0.15, Website: 0.20}

// Scaled returns the weights rescaled to sum to 1 − direct, so that with the direct share
// they cover every visit exactly.
func (w SourceWeights) Scaled(direct float64) SourceWeights {
	sum := w.Search + w.Social + w.Website
	if sum <= 0 {
		return SourceWeights{}
	}
	k := (1 - min(max(direct, 0), 1)) / sum
	return SourceWeights{Search: w.Search * k, Social: w.Social * k, Website: w.Website * k}
}

// SearchEngine is a search engine whose result URL Matomo recognises, with the query
// parameter carrying the keyword (Matomo reports it as the search keyword).
type SearchEngine struct {
	Name    string
	BaseURL string
	Param   string
	Weight  float64
}

// URL is the engine's result page for keyword, as sent in urlref.
func (e SearchEngine) URL(keyword string) string {
	return e.BaseURL + "?" + url.Values{e.Param: {keyword}}.Encode()
}

// ExternalSite is a site that links to the simulated one.
type ExternalSite struct {
	Name   string
	URL    string
	Weight float64
}

// Campaign is a tagged marketing link from the campaign catalogue (CAMPAIGNS_FILE or the
// built-in one): Matomo attributes a visit to it when the landing URL carries its mtm_* (or
// legacy pk_*) parameters.
type Campaign = content.Campaign

var searchEngines = []SearchEngine{
	{"Google", "https://www.google.com/search", "q", 0.70},
	{"Bing", "https://www.bing.com/search", "q", 0.10},
	{"DuckDuckGo", "https://duckduckgo.com/", "q", 0.05},
	{"Yandex", "https://yandex.com/search/", "text", 0.05},
	{"Yahoo!", "https://search.yahoo.com/search", "p", 0.04},
	{"Ecosia", "https://www.ecosia.org/search", "q", 0.03},
	{"Baidu", "https://www.baidu.com/s", "wd", 0.03},
}

var socialSites = []ExternalSite{
	{"Facebook", "https://l.facebook.com/", 0.25},
	{"LinkedIn", "https://www.linkedin.com/", 0.18},
	{"X (Twitter)", "https://t.co/", 0.14},
	{"Reddit", "https://www.reddit.com/r/analytics/", 0.12},
	{"YouTube", "https://www.youtube.com/", 0.10},
	{"Instagram", "https://l.instagram.com/", 0.08},
	{"Pinterest", "https://www.pinterest.com/", 0.04},
	{"Hacker News", "https://news.ycombinator.com/", 0.04},
	{"Mastodon", "https://mastodon.social/", 0.03},
	{"Bluesky", "https://bsky.app/", 0.02},
}

var referralSites = []ExternalSite{
	{"AlternativeTo", "https://alternativeto.net/software/google-analytics/", 1},
	{"G2", "https://www.g2.com/categories/digital-analytics", 1},
	{"Capterra", "https://www.capterra.com/web-analytics-software/", 1},
	{"GitHub", "https://github.com/matomo-org/matomo", 1},
	{"Stack Overflow", "https://stackoverflow.com/questions/tagged/matomo", 1},
	{"Wikipedia", "https://en.wikipedia.org/wiki/Web_analytics", 1},
	{"HubSpot Blog", "https://blog.hubspot.com/marketing/web-analytics-tools", 1},
	{"Smashing Magazine", "https://www.smashingmagazine.com/category/analytics/", 1},
	{"TechCrunch", "https://techcrunch.com/category/privacy/", 1},
	{"Search Engine Land", "https://searchengineland.com/library/analytics", 1},
	{"Moz", "https://moz.com/blog/category/analytics", 1},
	{"Medium", "https://medium.com/tag/analytics", 1},
	{"DEV Community", "https://dev.to/t/analytics", 1},
	{"Product Hunt", "https://www.producthunt.com/categories/analytics", 1},
	{"Indie Hackers", "https://www.indiehackers.com/tags/analytics", 1},
	{"Partner site", "https://partner.example.org/resources/analytics-partners", 1},
}

// SearchEngines returns the search engines with their shares of search traffic.
func SearchEngines() []SearchEngine { return append([]SearchEngine(nil), searchEngines...) }

// SocialSites returns the social networks with their shares of social traffic.
func SocialSites() []ExternalSite { return append([]ExternalSite(nil), socialSites...) }

// ReferralSites returns the blogs, news and partner sites that send referral traffic.
func ReferralSites() []ExternalSite { return append([]ExternalSite(nil), referralSites...) }

// Campaigns returns the built-in campaign catalogue.
func Campaigns() []Campaign { return content.DefaultCampaigns().Campaigns }

func siteWeights(ss []ExternalSite) []float64 {
	w := make([]float64, len(ss))
	for i, s := range ss {
		w[i] = s.Weight
	}
	return w
}

func engineWeights(es []SearchEngine) []float64 {
	w := make([]float64, len(es))
	for i, e := range es {
		w[i] = e.Weight
	}
	return w
}

// referrers draws referrer URLs.
type referrers struct {
	engines, social, websites *Picker
}

func newReferrers() referrers {
	return referrers{
		engines:  mustPicker(engineWeights(searchEngines)),
		social:   mustPicker(siteWeights(socialSites)),
		websites: mustPicker(siteWeights(referralSites)),
	}
}

func (rs referrers) url(r *rand.Rand, source, keyword string) string {
	switch source {
	case SourceSearch:
		if keyword == "" {
			keyword = referrerKeywords[r.IntN(len(referrerKeywords))]
		}
		return searchEngines[rs.engines.Pick(r)].URL(keyword)
	case SourceSocial:
		return socialSites[rs.social.Pick(r)].URL
	case SourceWebsite:
		return referralSites[rs.websites.Pick(r)].URL
	}
	return ""
}
