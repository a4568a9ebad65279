package catalog

import (
	"cmp"
	"hash/fnv"
	"hash/maphash"
	"net/url"
	"slices"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/content"
)

// Entry shares of the page kinds. Articles share theirs Zipf-style by a stable
// pseudo-random rank; landing pages share theirs by the size of their section. When a
// site lacks a kind, the other kinds' shares grow to fill its place.
var kindShares = [...]float64{kindArticle: 0.65, kindHome: 0.10, kindCategory: 0.15, kindSubcategory: 0.10}

// NewSite indexes a URL list for navigation. Duplicate URLs keep their first occurrence.
func NewSite(urls content.URLSet) *Site {
	s := &Site{byURL: make(map[string]int32, len(urls.Pages)), home: -1, seed: maphash.MakeSeed()}
	for _, p := range urls.Pages {
		if _, dup := s.byURL[p.URL]; dup {
			continue
		}
		s.add(p)
	}
	if len(s.pages) == 0 {
		return s
	}
	w := s.weights()
	s.entry = mustPicker(w)
	finishGroups(s.cats, w)
	finishGroups(s.subs, w)
	return s
}

// finishGroups prepares each group's popularity draw over its non-landing pages.
func finishGroups(gs []group, w []float64) {
	for gi := range gs {
		g := &gs[gi]
		total := 0.0
		gw := make([]float64, len(g.members))
		for k, i := range g.members {
			gw[k] = w[i]
			total += w[i]
		}
		if len(gw) > 0 {
			g.pick = mustPicker(gw)
		}
		if g.landing >= 0 {
			g.landingP = w[g.landing] / (w[g.landing] + total)
		}
	}
}

// add places one page in its groups. The stored page carries the name tables' own
// Category and Subcategory strings, which makes locating it later a pointer comparison.
func (s *Site) add(p content.Page) {
	i := int32(len(s.pages))
	s.byURL[p.URL] = i
	info := pageInfo{cat: -1, sub: -1, kind: kindOf(p)}
	if p.Category != "" {
		info.cat = s.groupIndex(p.Category, "")
		p.Category = s.catNames.canonical(p.Category)
		if p.Subcategory != "" {
			info.sub = s.groupIndex(p.Category, p.Subcategory)
			p.Subcategory = s.subNames[info.cat].canonical(p.Subcategory)
		}
	}
	s.pages = append(s.pages, p)
	s.hashes = append(s.hashes, maphash.String(s.seed, p.URL))
	if info.kind == kindArticle {
		if info.cat >= 0 {
			s.cats[info.cat].members = append(s.cats[info.cat].members, i)
		}
		if info.sub >= 0 {
			s.subs[info.sub].members = append(s.subs[info.sub].members, i)
		}
	}
	s.catSize(info)
	switch {
	case info.kind == kindHome && s.home < 0:
		s.home = i
	case info.kind == kindCategory && s.cats[info.cat].landing < 0:
		s.cats[info.cat].landing = i
	case info.kind == kindSubcategory && s.subs[info.sub].landing < 0:
		s.subs[info.sub].landing = i
	}
	s.info = append(s.info, info)
}

// catSize counts every page of a category, landing pages included, to weight its landing
// page by the size of its section.
func (s *Site) catSize(info pageInfo) {
	if info.cat < 0 {
		return
	}
	for len(s.size) <= int(info.cat) {
		s.size = append(s.size, 0)
	}
	s.size[info.cat]++
}

// groupIndex returns (creating it when new) the index of a category (sub == "") or
// subcategory group.
func (s *Site) groupIndex(cat, sub string) int32 {
	c := s.catNames.find(cat)
	if c < 0 {
		c = int32(len(s.cats))
		s.catNames.add(cat, c)
		s.cats = append(s.cats, group{landing: -1})
		s.subNames = append(s.subNames, names{})
	}
	if sub == "" {
		return c
	}
	sc := s.subNames[c].find(sub)
	if sc < 0 {
		sc = int32(len(s.subs))
		s.subNames[c].add(sub, sc)
		s.subs = append(s.subs, group{landing: -1})
	}
	return sc
}

// kindOf classifies a page by its path: "/" is home, "/a" or "/a/" a category landing,
// "/a/b/" a subcategory landing, anything else an article.
func kindOf(p content.Page) pageKind {
	u, err := url.Parse(p.URL)
	if err != nil {
		return kindArticle
	}
	path := strings.Trim(u.Path, "/")
	switch {
	case path == "":
		return kindHome
	case !strings.Contains(path, "/"):
		return kindCategory
	case p.Subcategory != "" && strings.Count(path, "/") == 1 && strings.HasSuffix(u.Path, "/"):
		return kindSubcategory
	}
	return kindArticle
}

// weights computes every page's entry popularity.
func (s *Site) weights() []float64 {
	w := make([]float64, len(s.pages))
	var kindTotal [len(kindShares)]float64
	var articles []int32
	for i, inf := range s.info {
		switch inf.kind {
		case kindArticle:
			articles = append(articles, int32(i))
		case kindHome:
			w[i] = 1
		case kindCategory:
			w[i] = float64(s.size[inf.cat])
		case kindSubcategory:
			w[i] = float64(len(s.subs[inf.sub].members) + 1)
		}
	}
	// Zipf over articles, ranked by a hash of the URL: stable across runs and file order.
	hash := make(map[int32]uint64, len(articles))
	for _, i := range articles {
		hash[i] = urlHash(s.pages[i].URL)
	}
	slices.SortFunc(articles, func(a, b int32) int {
		return cmp.Or(cmp.Compare(hash[a], hash[b]), cmp.Compare(a, b))
	})
	for rank, i := range articles {
		w[i] = 1 / float64(rank+1)
	}
	for i, inf := range s.info {
		kindTotal[inf.kind] += w[i]
	}
	present := 0.0
	for k, t := range kindTotal {
		if t > 0 {
			present += kindShares[k]
		}
	}
	for i, inf := range s.info {
		w[i] = w[i] / kindTotal[inf.kind] * kindShares[inf.kind] / present
	}
	return w
}

func urlHash(u string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(u))
	return h.Sum64()
}
