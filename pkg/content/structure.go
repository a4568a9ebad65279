package content

import (
	"cmp"
	"net/url"
	"slices"
)

// Structure summarises a URL list for preview: which hosts it covers and how its pages
// spread over categories and subcategories.
type Structure struct {
	// Pages is the number of pages.
	Pages int `json:"pages"`
	// Domains lists each host with its page count, largest first.
	Domains []DomainCount `json:"domains"`
	// Categories lists each category (first path segment; "" for the home page) with its
	// page count and subcategories, largest first.
	Categories []CategoryCount `json:"categories"`
}

// DomainCount is the number of pages on one host.
type DomainCount struct {
	Domain string `json:"domain"`
	Pages  int    `json:"pages"`
}

// CategoryCount is the number of pages in one category, broken down by subcategory.
type CategoryCount struct {
	Name  string `json:"name"`
	Pages int    `json:"pages"`
	// Subcategories holds the pages that have a subcategory; pages directly under the
	// category (its landing page, leaf pages like /blog/post) are counted only in Pages.
	Subcategories []SubcategoryCount `json:"subcategories,omitempty"`
}

// SubcategoryCount is the number of pages in one subcategory.
type SubcategoryCount struct {
	Name  string `json:"name"`
	Pages int    `json:"pages"`
}

// Structure computes the preview summary of the set.
func (s URLSet) Structure() Structure {
	domains := map[string]int{}
	cats := map[string]int{}
	subs := map[string]map[string]int{}
	for _, p := range s.Pages {
		if u, err := url.Parse(p.URL); err == nil {
			domains[u.Hostname()]++
		}
		cats[p.Category]++
		if p.Subcategory != "" {
			if subs[p.Category] == nil {
				subs[p.Category] = map[string]int{}
			}
			subs[p.Category][p.Subcategory]++
		}
	}
	st := Structure{Pages: len(s.Pages)}
	for d, n := range domains {
		st.Domains = append(st.Domains, DomainCount{Domain: d, Pages: n})
	}
	slices.SortFunc(st.Domains, func(a, b DomainCount) int {
		return cmp.Or(cmp.Compare(b.Pages, a.Pages), cmp.Compare(a.Domain, b.Domain))
	})
	for c, n := range cats {
		cc := CategoryCount{Name: c, Pages: n}
		for sc, sn := range subs[c] {
			cc.Subcategories = append(cc.Subcategories, SubcategoryCount{Name: sc, Pages: sn})
		}
		slices.SortFunc(cc.Subcategories, func(a, b SubcategoryCount) int {
			return cmp.Or(cmp.Compare(b.Pages, a.Pages), cmp.Compare(a.Name, b.Name))
		})
		st.Categories = append(st.Categories, cc)
	}
	slices.SortFunc(st.Categories, func(a, b CategoryCount) int {
		return cmp.Or(cmp.Compare(b.Pages, a.Pages), cmp.Compare(a.Name, b.Name))
	})
	return st
}
