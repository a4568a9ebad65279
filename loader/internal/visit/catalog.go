package visit

import (
	"math/rand/v2"

	"github.com/trafficinator/trafficinator/pkg/content"
)

// Referrer sources other than direct traffic, with the original tool's relative weights.
const (
	SourceSearch  = "search"
	SourceSocial  = "social"
	SourceWebsite = "website"
)

// Catalog is what the model draws from: the simulated site and the pools of devices, countries,
// referrers, search terms, links, events and products. loader/internal/catalog provides it. Every
// method takes the visit's own generator, so the model stays deterministic.
type Catalog interface {
	// Entry is a landing page: popular pages and landing pages more often.
	Entry(r *rand.Rand) content.Page
	// EntryIn is a landing page within a site section (first path segment); false when there is none.
	EntryIn(r *rand.Rand, category string) (content.Page, bool)
	// Next is the page a visitor on from goes to, mostly within the same section.
	Next(r *rand.Rand, from content.Page) content.Page
	// Device is a user agent with a screen resolution that fits it.
	Device(r *rand.Rand) (userAgent, resolution string)
	// Country is an ISO country code with a browser language that Matomo maps to it and an IPv4
	// address allocated to it.
	Country(r *rand.Rand) (code, lang, ip string)
	// Referrer is an external URL of the given source (a search engine's result URL carries keyword).
	Referrer(r *rand.Rand, source, keyword string) string
	// SearchTerm is a site-search keyword and an optional search category.
	SearchTerm(r *rand.Rand) (keyword, category string)
	// Outlink is an external URL.
	Outlink(r *rand.Rand) string
	// Download is a file path on the site ("/downloads/guide.pdf").
	Download(r *rand.Rand) string
	// ClickEvents and RandomEvents are the two event pools (the events file's, or the built-in ones).
	ClickEvents() []content.Event
	RandomEvents() []content.Event
	// Products are what orders contain.
	Products() []Product
}
