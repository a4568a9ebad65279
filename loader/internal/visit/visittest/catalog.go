// Package visittest provides a small, deterministic visit.Catalog for the tests of packages that
// build or send visits, as net/http/httptest does for HTTP: a site of 3 sections × 10 pages, a few
// user agents, one country, and fixed referrers, terms, links, events and products.
package visittest

import (
	"fmt"
	"math/rand/v2"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/content"
)

// Catalog is the test catalogue. Its referrer URLs are https://<source>.example/?q=<keyword>, so tests
// can count referrer sources.
type Catalog struct{ pages []content.Page }

var _ visit.Catalog = (*Catalog)(nil)

// NewCatalog returns the test catalogue.
func NewCatalog() *Catalog {
	c := &Catalog{}
	for _, s := range []string{"products", "blog", "documentation"} {
		for i := 0; i < 10; i++ {
			c.pages = append(c.pages, content.Page{URL: fmt.Sprintf("https://example.test/%s/p-%d", s, i),
				Title: fmt.Sprintf("%s %d", s, i), Category: s})
		}
	}
	return c
}

// Entry is any page.
func (c *Catalog) Entry(r *rand.Rand) content.Page { return c.pages[r.IntN(len(c.pages))] }

// EntryIn is the first page of the section.
func (c *Catalog) EntryIn(_ *rand.Rand, category string) (content.Page, bool) {
	for _, p := range c.pages {
		if p.Category == category {
			return p, true
		}
	}
	return content.Page{}, false
}

// Next is any page.
func (c *Catalog) Next(r *rand.Rand, _ content.Page) content.Page {
	return c.pages[r.IntN(len(c.pages))]
}

// Device is one of five user agents.
func (c *Catalog) Device(r *rand.Rand) (string, string) {
	return fmt.Sprintf("Mozilla/5.0 (Test %d)", r.IntN(5)), "1920x1080"
}

// Country is always Sweden, with a random address in 81.0.0.0/8.
func (c *Catalog) Country(r *rand.Rand) (string, string, string) {
	return "SE", "sv-se,sv;q=0.9", fmt.Sprintf("81.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

// Referrer is https://<source>.example/?q=<keyword>.
func (c *Catalog) Referrer(_ *rand.Rand, source, keyword string) string {
	return "https://" + source + ".example/?q=" + keyword
}

// SearchTerm is always "pricing".
func (c *Catalog) SearchTerm(*rand.Rand) (string, string) { return "pricing", "" }

// Outlink is always GitHub.
func (c *Catalog) Outlink(*rand.Rand) string { return "https://github.com/" }

// Download is always a guide.
func (c *Catalog) Download(*rand.Rand) string { return "/downloads/guide.pdf" }

// ClickEvents is one click event.
func (c *Catalog) ClickEvents() []content.Event {
	return []content.Event{{Category: "UI", Action: "click", Name: "menu"}}
}

// RandomEvents is one scroll event with a value.
func (c *Catalog) RandomEvents() []content.Event {
	v := 100.0
	return []content.Event{{Category: "Engagement", Action: "scroll", Name: "depth", Value: &v}}
}

// Products are three products of different prices.
func (c *Catalog) Products() []visit.Product {
	return []visit.Product{
		{SKU: "SKU-1", Name: "Laptop", Category: "Electronics", Price: 899},
		{SKU: "SKU-2", Name: "Book", Category: "Books", Price: 19.99},
		{SKU: "SKU-3", Name: "Shirt", Category: "Clothing", Price: 29},
	}
}
