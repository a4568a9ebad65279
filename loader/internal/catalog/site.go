package catalog

import (
	"hash/maphash"
	"math/rand/v2"

	"github.com/trafficinator/trafficinator/pkg/content"
)

// Navigation shares of Site.Next: where a visitor goes from a page. The rest goes to a
// popular page anywhere on the site.
const (
	nextHome        = 0.04 // back to the home page
	nextSubcategory = 0.56 // another page of the same subcategory
	nextCategory    = 0.20 // another page of the same category
	nextUp          = 0.06 // the subcategory's or category's landing page
	retries         = 3    // draws before giving up on "a page other than this one"
)

// Site is the navigation model over a URL list: which pages visits land on and where
// visitors go next. Popularity is Zipf-like (a few pages get most entries, as on real
// sites), with the home page and landing pages weighted up; navigation mostly stays in
// the same subcategory or category. Build it once with NewSite; it is read-only and safe
// for concurrent use, and its draws do not allocate.
type Site struct {
	pages    []content.Page
	info     []pageInfo
	byURL    map[string]int32
	hashes   []uint64 // of each page's URL, to tell pages apart without reading URLs
	seed     maphash.Seed
	catNames names
	subNames []names // per category
	cats     []group
	subs     []group
	entry    *Picker
	home     int32
	size     []int // pages per category
}

// pageKind is a page's role in the site's structure.
type pageKind uint8

const (
	kindArticle     pageKind = iota // any page that is not one of the below
	kindHome                        // the root page, /
	kindCategory                    // a category landing page, /products/
	kindSubcategory                 // a subcategory landing page, /products/analytics/
)

type pageInfo struct {
	cat, sub int32 // group indexes, -1 for none
	kind     pageKind
}

// group is the pages of one category or subcategory: its landing page, reached by
// going "up", and its other pages, reached by moving sideways.
type group struct {
	members  []int32 // pages other than landing pages
	pick     *Picker // over members, by popularity; nil when there are none
	landing  int32   // the group's landing page, -1 for none
	landingP float64 // the landing page's share of the group's entry popularity
}

// Len is the number of pages.
func (s *Site) Len() int { return len(s.pages) }

// Page returns page i, 0 ≤ i < Len().
func (s *Site) Page(i int) content.Page { return s.pages[i] }

// Entry draws the first page of a visit by popularity.
func (s *Site) Entry(r *rand.Rand) content.Page {
	if len(s.pages) == 0 {
		return content.Page{}
	}
	return s.pages[s.entry.Pick(r)]
}

// EntryIn draws a first page within a category (first path segment) by popularity; false
// when the site has no such category.
func (s *Site) EntryIn(r *rand.Rand, category string) (content.Page, bool) {
	c := s.catNames.find(category)
	if c < 0 {
		return content.Page{}, false
	}
	g := &s.cats[c]
	if g.landing >= 0 && (g.pick == nil || r.Float64() < g.landingP) {
		return s.pages[g.landing], true
	}
	if g.pick == nil {
		return content.Page{}, false
	}
	return s.pages[g.members[g.pick.Pick(r)]], true
}

// Random draws a page uniformly, ignoring popularity.
func (s *Site) Random(r *rand.Rand) content.Page {
	if len(s.pages) == 0 {
		return content.Page{}
	}
	return s.pages[r.IntN(len(s.pages))]
}

// Next draws the page a visitor on from opens next: usually another page of the same
// subcategory or category, sometimes a landing page or the home page, else a popular page
// anywhere. It avoids returning from itself when the site has other pages. from need not
// be one of the site's pages (a funnel step's URL, say): then its Category and
// Subcategory place it.
func (s *Site) Next(r *rand.Rand, from content.Page) content.Page {
	if len(s.pages) == 0 {
		return content.Page{}
	}
	// Sections are found by name in tables small enough to stay in cache, and "not the
	// same page" compares URL hashes before URLs, so the walk reads few cache lines.
	cat, sub := s.locate(from)
	self := s.identify(from.URL)
	u := r.Float64()
	switch {
	case u < nextHome:
		if s.home >= 0 && !s.is(s.home, self) {
			return s.pages[s.home]
		}
	case u < nextHome+nextSubcategory:
		if i, ok := s.pickIn(r, sub, self, s.subs); ok {
			return s.pages[i]
		}
		if i, ok := s.pickIn(r, cat, self, s.cats); ok {
			return s.pages[i]
		}
	case u < nextHome+nextSubcategory+nextCategory:
		if i, ok := s.pickIn(r, cat, self, s.cats); ok {
			return s.pages[i]
		}
	case u < nextHome+nextSubcategory+nextCategory+nextUp:
		if i, ok := s.up(cat, sub, self); ok {
			return s.pages[i]
		}
	}
	return s.pages[s.elsewhere(r, self)]
}

// locate finds the category and subcategory groups of a page (-1 for none).
func (s *Site) locate(p content.Page) (cat, sub int32) {
	cat, sub = s.catNames.find(p.Category), -1
	if cat >= 0 && p.Subcategory != "" {
		sub = s.subNames[cat].find(p.Subcategory)
	}
	return cat, sub
}

// pageID identifies the page a walk is on: its URL and the URL's hash.
type pageID struct {
	url  string
	hash uint64
}

func (s *Site) identify(url string) pageID {
	return pageID{url: url, hash: maphash.String(s.seed, url)}
}

// is reports whether page i is the page id names.
func (s *Site) is(i int32, id pageID) bool {
	return s.hashes[i] == id.hash && s.pages[i].URL == id.url
}

// pickIn draws a page of group gi other than self.
func (s *Site) pickIn(r *rand.Rand, gi int32, self pageID, groups []group) (int32, bool) {
	if gi < 0 || groups[gi].pick == nil {
		return 0, false
	}
	g := &groups[gi]
	for range retries {
		if i := g.members[g.pick.Pick(r)]; !s.is(i, self) {
			return i, true
		}
	}
	return 0, false
}

// up is the landing page above a page: its subcategory's, else its category's, else home.
func (s *Site) up(cat, sub int32, self pageID) (int32, bool) {
	if sub >= 0 && s.subs[sub].landing >= 0 && !s.is(s.subs[sub].landing, self) {
		return s.subs[sub].landing, true
	}
	if cat >= 0 && s.cats[cat].landing >= 0 && !s.is(s.cats[cat].landing, self) {
		return s.cats[cat].landing, true
	}
	if s.home >= 0 && !s.is(s.home, self) {
		return s.home, true
	}
	return 0, false
}

// elsewhere draws a popular page anywhere, other than self when possible.
func (s *Site) elsewhere(r *rand.Rand, self pageID) int32 {
	var i int32
	for range retries {
		if i = int32(s.entry.Pick(r)); !s.is(i, self) {
			return i
		}
	}
	return i
}
