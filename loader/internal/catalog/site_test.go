package catalog

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/content"
)

var defaultSite = sync.OnceValue(func() *Site { return NewSite(content.DefaultURLs()) })

func isLanding(p content.Page) bool { return strings.HasSuffix(p.URL, "/") }

func TestEntryDistribution(t *testing.T) {
	s := defaultSite()
	r := rand.New(rand.NewPCG(21, 22))
	const n = 200_000
	counts := map[string]int{}
	home, landings := 0, 0
	for range n {
		p := s.Entry(r)
		counts[p.URL]++
		switch {
		case p.URL == "https://example.test/":
			home++
		case isLanding(p):
			landings++
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	t.Logf("home %.3f, landings %.3f", share(home), share(landings))
	if got := share(home); math.Abs(got-0.10) > 0.01 {
		t.Errorf("home page gets %.3f of entries, want about 0.10", got)
	}
	if got := share(landings); math.Abs(got-0.25) > 0.015 {
		t.Errorf("landing pages get %.3f of entries, want about 0.25", got)
	}
	// Zipf: the 1% most popular pages take a large part of the entries.
	freq := make([]int, 0, len(counts))
	for _, c := range counts {
		freq = append(freq, c)
	}
	slices.Sort(freq)
	slices.Reverse(freq)
	top := 0
	for _, c := range freq[:s.Len()/100] {
		top += c
	}
	t.Logf("top 1%% of pages: %.3f of entries, %d distinct pages", share(top), len(counts))
	if got := share(top); got < 0.45 {
		t.Errorf("top 1%% of pages get %.3f of entries, want a Zipf-like concentration (≥ 0.45)", got)
	}
	if len(counts) < s.Len()/3 {
		t.Errorf("only %d distinct entry pages of %d: the tail is missing", len(counts), s.Len())
	}
}

func TestNextLocality(t *testing.T) {
	s := defaultSite()
	r := rand.New(rand.NewPCG(31, 32))
	const n = 200_000
	var sameSub, sameCat, home, up, self int
	from := s.Entry(r)
	for range n {
		// Walk from article pages, as most page views are.
		for from.Subcategory == "" || isLanding(from) {
			from = s.Random(r)
		}
		next := s.Next(r, from)
		switch {
		case next.URL == from.URL:
			self++
		case next.URL == "https://example.test/":
			home++
		case isLanding(next) && (next.Category == from.Category):
			up++
		}
		if next.Category == from.Category {
			sameCat++
			if next.Subcategory == from.Subcategory && !isLanding(next) {
				sameSub++
			}
		}
		from = next
	}
	share := func(k int) float64 { return float64(k) / n }
	checks := []struct {
		name     string
		got      float64
		min, max float64
	}{
		// Most steps stay in the subcategory.
		{"same subcategory", share(sameSub), 0.50, 0.66},
		// Three in four stay in the category.
		{"same category", share(sameCat), 0.75, 0.90},
		// A few go back home (the home intent plus popular-page draws).
		{"home", share(home), 0.04, 0.08},
		// Some go up to a landing page.
		{"landing above", share(up), 0.06, 0.16},
		// A visitor almost never "moves" to the page they are on.
		{"self", share(self), 0, 0.002},
	}
	for _, c := range checks {
		t.Logf("%s: %.3f", c.name, c.got)
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s: %.3f, want %.2f–%.2f", c.name, c.got, c.min, c.max)
		}
	}
}

func TestSiteDeterminism(t *testing.T) {
	s := defaultSite()
	walk := func(seed uint64) []string {
		r := rand.New(rand.NewPCG(seed, 0))
		var out []string
		p := s.Entry(r)
		for range 500 {
			p = s.Next(r, p)
			out = append(out, p.URL)
		}
		return out
	}
	a, b, c := walk(1), walk(1), walk(2)
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different walks")
	}
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same walk")
	}
	// Rebuilding the site from the same list gives the same popularity.
	s2 := NewSite(content.DefaultURLs())
	r1, r2 := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	for range 1000 {
		if s.Entry(r1) != s2.Entry(r2) {
			t.Fatal("two sites built from the same list draw differently")
		}
	}
}

func TestSiteNoAllocations(t *testing.T) {
	s := defaultSite()
	r := rand.New(rand.NewPCG(1, 1))
	p := s.Entry(r)
	outside := content.Page{URL: "https://elsewhere.test/x", Category: "blog", Subcategory: "privacy"}
	tests := []struct {
		name string
		fn   func()
	}{
		// Every hot-path draw must be free of heap allocations.
		{"Entry", func() { p = s.Entry(r) }},
		{"Next", func() { p = s.Next(r, p) }},
		{"Next from a page not on the site", func() { _ = s.Next(r, outside) }},
		{"EntryIn", func() { _, _ = s.EntryIn(r, "blog") }},
		{"Random", func() { _ = s.Random(r) }},
	}
	for _, tt := range tests {
		if a := testing.AllocsPerRun(1000, tt.fn); a != 0 {
			t.Errorf("%s allocates %.1f times per call", tt.name, a)
		}
	}
}

func TestSiteEdgeCases(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	one := NewSite(urlSet(t, 1))
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		// An empty site draws zero pages instead of panicking.
		{"empty", func(t *testing.T) {
			s := NewSite(content.URLSet{})
			if s.Entry(r) != (content.Page{}) || s.Next(r, content.Page{}) != (content.Page{}) || s.Random(r) != (content.Page{}) {
				t.Error("want zero pages from an empty site")
			}
		}},
		// A one-page site can only stay on that page.
		{"single page", func(t *testing.T) {
			p := one.Entry(r)
			for range 20 {
				if one.Next(r, p) != p {
					t.Fatal("one-page site moved elsewhere")
				}
			}
		}},
		// A flat list without sections still navigates, and never repeats the page.
		{"flat list", func(t *testing.T) {
			s := NewSite(urlSet(t, 50))
			p := s.Entry(r)
			for range 500 {
				q := s.Next(r, p)
				if q == p {
					t.Fatal("flat site returned the same page")
				}
				p = q
			}
		}},
		// A page not on the site is placed by its category.
		{"unknown page", func(t *testing.T) {
			s := defaultSite()
			from := content.Page{URL: "https://shop.test/blog/privacy/x", Category: "blog", Subcategory: "privacy"}
			same := 0
			for range 1000 {
				if s.Next(r, from).Category == "blog" {
					same++
				}
			}
			if same < 700 {
				t.Errorf("only %d of 1000 steps stayed in its category", same)
			}
		}},
		// EntryIn stays in the category and rejects unknown ones.
		{"entry in", func(t *testing.T) {
			s := defaultSite()
			for range 200 {
				p, ok := s.EntryIn(r, "documentation")
				if !ok || p.Category != "documentation" {
					t.Fatalf("EntryIn gave %+v, %v", p, ok)
				}
			}
			if _, ok := s.EntryIn(r, "nope"); ok {
				t.Error("EntryIn found a category that does not exist")
			}
		}},
		// Duplicate URLs are indexed once.
		{"duplicates", func(t *testing.T) {
			set := urlSet(t, 3)
			set.Pages = append(set.Pages, set.Pages[0])
			if n := NewSite(set).Len(); n != 3 {
				t.Errorf("Len() = %d, want 3", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		url  string
		want pageKind
	}{
		// The root is the home page.
		{"https://example.test/", kindHome},
		{"https://example.test", kindHome},
		// One segment is a category landing page.
		{"https://example.test/products/", kindCategory},
		{"https://example.test/pricing", kindCategory},
		// Two segments with a trailing slash is a subcategory landing page.
		{"https://example.test/products/analytics/", kindSubcategory},
		// Everything deeper, or a leaf, is an article.
		{"https://example.test/products/analytics/x", kindArticle},
		{"https://example.test/blog/post-1", kindArticle},
	}
	for _, tt := range tests {
		set, _ := content.ParseURLs(strings.NewReader(tt.url))
		if got := kindOf(set.Pages[0]); got != tt.want {
			t.Errorf("kindOf(%s) = %d, want %d", tt.url, got, tt.want)
		}
	}
}

func BenchmarkEntry(b *testing.B) {
	s := defaultSite()
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Entry(r)
	}
}

func BenchmarkNext(b *testing.B) {
	s := defaultSite()
	r := rand.New(rand.NewPCG(1, 2))
	p := s.Entry(r)
	b.ReportAllocs()
	for b.Loop() {
		p = s.Next(r, p)
	}
}

func BenchmarkNewSite(b *testing.B) {
	urls := content.DefaultURLs()
	b.ReportAllocs()
	for b.Loop() {
		_ = NewSite(urls)
	}
}
