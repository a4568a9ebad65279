package backfill

import (
	"fmt"
	"math/rand/v2"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/content"
)

// fakeCatalog (copied from the visit package's tests) is a small deterministic Catalog: a site of 3 sections × 10 pages.
type fakeCatalog struct{ pages []content.Page }

func newFakeCatalog() *fakeCatalog {
	c := &fakeCatalog{}
	for _, s := range []string{"products", "blog", "documentation"} {
		for i := 0; i < 10; i++ {
			c.pages = append(c.pages, content.Page{URL: fmt.Sprintf("https://example.test/%s/p-%d", s, i), Title: fmt.Sprintf("%s %d", s, i), Category: s})
		}
	}
	return c
}

func (c *fakeCatalog) Entry(r *rand.Rand) content.Page { return c.pages[r.IntN(len(c.pages))] }
func (c *fakeCatalog) EntryIn(r *rand.Rand, cat string) (content.Page, bool) {
	for _, p := range c.pages {
		if p.Category == cat {
			return p, true
		}
	}
	return content.Page{}, false
}
func (c *fakeCatalog) Next(r *rand.Rand, from content.Page) content.Page {
	return c.pages[r.IntN(len(c.pages))]
}
func (c *fakeCatalog) Device(r *rand.Rand) (string, string) {
	return fmt.Sprintf("Mozilla/5.0 (Test %d)", r.IntN(5)), "1920x1080"
}
func (c *fakeCatalog) Country(r *rand.Rand) (string, string, string) {
	return "SE", "sv-se,sv;q=0.9", fmt.Sprintf("81.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))
}
func (c *fakeCatalog) Referrer(r *rand.Rand, source, kw string) string {
	return "https://" + source + ".example/?q=" + kw
}
func (c *fakeCatalog) SearchTerm(r *rand.Rand) (string, string) { return "pricing", "" }
func (c *fakeCatalog) Outlink(r *rand.Rand) string              { return "https://github.com/" }
func (c *fakeCatalog) Download(r *rand.Rand) string             { return "/downloads/guide.pdf" }
func (c *fakeCatalog) ClickEvents() []content.Event {
	return []content.Event{{Category: "UI", Action: "click", Name: "menu"}}
}
func (c *fakeCatalog) RandomEvents() []content.Event {
	v := 100.0
	return []content.Event{{Category: "Engagement", Action: "scroll", Name: "depth", Value: &v}}
}
func (c *fakeCatalog) Products() []visit.Product {
	return []visit.Product{
		{SKU: "SKU-1", Name: "Laptop", Category: "Electronics", Price: 899},
		{SKU: "SKU-2", Name: "Book", Category: "Books", Price: 19.99},
		{SKU: "SKU-3", Name: "Shirt", Category: "Clothing", Price: 29},
	}
}
