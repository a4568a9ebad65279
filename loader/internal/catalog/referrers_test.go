package catalog

import (
	"math"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

func TestScaled(t *testing.T) {
	tests := []struct {
		name   string
		direct float64
	}{
		// The original default: the others fill the remaining 70%.
		{"default", 0.30},
		// Below 0.30 the others grow instead of direct absorbing the rest (bug 4).
		{"low direct", 0.10},
		// Above 0.30 all three shrink in proportion.
		{"high direct", 0.60},
		// All direct leaves nothing for the others.
		{"all direct", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := DefaultSourceWeights.Scaled(tt.direct)
			if got := w.Search + w.Social + w.Website + tt.direct; math.Abs(got-1) > 1e-12 {
				t.Errorf("shares with direct sum to %v, want 1", got)
			}
			if tt.direct < 1 && math.Abs(w.Search/w.Social-0.35/0.15) > 1e-9 {
				t.Errorf("relative weights changed: %+v", w)
			}
		})
	}
}

func TestReferrer(t *testing.T) {
	c := New(urlSet(t, 20), eventSet(), nil)
	r := rand.New(rand.NewPCG(5, 6))
	engines := map[string]string{}
	for _, e := range SearchEngines() {
		u, _ := url.Parse(e.BaseURL)
		engines[u.Host] = e.Param
	}
	seenEngines := map[string]bool{}
	for range 2000 {
		ref := c.Referrer(r, SourceSearch, "privacy analytics")
		u, err := url.Parse(ref)
		if err != nil {
			t.Fatal(err)
		}
		param, ok := engines[u.Host]
		if !ok {
			t.Fatalf("search referrer %q is on no known engine", ref)
		}
		if got := u.Query().Get(param); got != "privacy analytics" {
			t.Fatalf("%q carries keyword %q in %s", ref, got, param)
		}
		seenEngines[u.Host] = true
	}
	if len(seenEngines) != len(engines) {
		t.Errorf("drew %d of %d engines", len(seenEngines), len(engines))
	}
	u, _ := url.Parse(c.Referrer(r, SourceSearch, ""))
	if u.RawQuery == "" || strings.HasSuffix(u.RawQuery, "=") {
		t.Errorf("an empty keyword must be replaced by a typical query: %v", u)
	}
	for _, src := range []string{SourceSocial, SourceWebsite} {
		if ref := c.Referrer(r, src, "x"); !strings.HasPrefix(ref, "https://") {
			t.Errorf("%s referrer %q is not an https URL", src, ref)
		}
	}
	if ref := c.Referrer(r, "direct", ""); ref != "" {
		t.Errorf("unknown source gave %q, want \"\"", ref)
	}
}

func TestCampaignQuery(t *testing.T) {
	q, err := url.ParseQuery(Campaign{Name: "brand search", Source: "google", Medium: "cpc", Keyword: "privacy analytics"}.Query())
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("mtm_campaign") != "brand search" || q.Get("mtm_source") != "google" ||
		q.Get("mtm_medium") != "cpc" || q.Get("mtm_keyword") != "privacy analytics" {
		t.Errorf("query %v lost a tag", q)
	}
	if strings.Contains(Campaign{Name: "a", Source: "b", Medium: "c"}.Query(), "mtm_keyword") {
		t.Error("an empty keyword must not be sent")
	}
}

func TestStaticLists(t *testing.T) {
	tests := []struct {
		name string
		got  int
		want int
	}{
		// The original's 25 outlinks and 20 downloads are kept.
		{"outlinks", len(Outlinks()), 25},
		{"downloads", len(Downloads()), 20},
		// Its four search categories, the empty one included.
		{"search categories", len(SearchCategories()), 4},
		// 5 categories × 10 products.
		{"products", len(Products()), 50},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if n := len(SiteSearchTerms()); n < 37+20 {
		t.Errorf("%d search terms, want the original 37 plus multi-word queries", n)
	}
	for _, d := range Downloads() {
		if !strings.HasPrefix(d, "/") {
			t.Errorf("download %q is not a site path", d)
		}
	}
	if len(ReferralSites()) < 15 || len(SocialSites()) < 7 || len(Campaigns()) < 5 {
		t.Error("referrer lists are shorter than specified")
	}
}

func TestSearchTerm(t *testing.T) {
	c := New(urlSet(t, 20), eventSet(), nil)
	r := rand.New(rand.NewPCG(8, 9))
	const n = 50_000
	withCat := 0
	for range n {
		kw, cat := c.SearchTerm(r)
		if kw == "" {
			t.Fatal("empty keyword")
		}
		if cat != "" {
			withCat++
		}
	}
	// 30% draw a category, one in four of which is the empty one.
	if got := float64(withCat) / n; math.Abs(got-0.225) > 0.01 {
		t.Errorf("%.3f of searches have a category, want about 0.225", got)
	}
}
