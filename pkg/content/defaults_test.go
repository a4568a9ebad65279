package content

import (
	"strings"
	"testing"
)

func TestDefaultURLs(t *testing.T) {
	set, ps := ParseURLs(strings.NewReader(DefaultURLText()))
	if len(ps) != 0 {
		t.Fatalf("default URL list has problems:\n%s", listProblems(ps))
	}
	if n := set.Len(); n < 19_000 || n > 22_000 {
		t.Errorf("default list has %d pages, want about 20,000", n)
	}
	if got := DefaultURLs(); got.Len() != set.Len() {
		t.Errorf("DefaultURLs has %d pages, the text %d", got.Len(), set.Len())
	}
	st := set.Structure()
	if len(st.Domains) != 1 || st.Domains[0].Domain != "example.test" {
		t.Errorf("domains %+v, want only example.test", st.Domains)
	}
	cats, subs := 0, 0
	for _, c := range st.Categories {
		if c.Name == "" {
			continue
		}
		cats++
		subs += len(c.Subcategories)
		for _, s := range c.Subcategories {
			if s.Pages < 10 || s.Pages > 600 {
				t.Errorf("%s/%s has %d pages, want tens to a few hundred", c.Name, s.Name, s.Pages)
			}
		}
	}
	if cats != 10 || subs != 70 {
		t.Errorf("%d categories and %d subcategories, want 10 and 70", cats, subs)
	}
	assertHasPage(t, set, "https://example.test/", "Home")
	assertHasPage(t, set, "https://example.test/products/", "Products")
	assertHasPage(t, set, "https://example.test/products/analytics/", "Products | Analytics")
	for _, p := range set.Pages[:200] {
		if p.Subcategory != "" && strings.Count(p.Title, " | ") != 2 && !strings.HasSuffix(p.URL, "/") {
			t.Errorf("article %s has title %q, want Category | Subcategory | Title", p.URL, p.Title)
		}
	}
}

func assertHasPage(t *testing.T, set URLSet, url, title string) {
	t.Helper()
	for _, p := range set.Pages {
		if p.URL == url {
			if p.Title != title {
				t.Errorf("%s has title %q, want %q", url, p.Title, title)
			}
			return
		}
	}
	t.Errorf("default list lacks %s", url)
}

func TestDefaultURLsIsACopy(t *testing.T) {
	a := DefaultURLs()
	a.Pages[0].URL = "changed"
	if DefaultURLs().Pages[0].URL == "changed" {
		t.Error("DefaultURLs returned shared storage")
	}
}

func TestDefaultEvents(t *testing.T) {
	set, ps := ParseEvents([]byte(DefaultEventsJSON()))
	if len(ps) != 0 {
		t.Fatalf("default events have problems:\n%s", listProblems(ps))
	}
	if len(set.Click) != 16 || len(set.Random) != 16 {
		t.Errorf("%d click and %d random events, want the original's 16 and 16", len(set.Click), len(set.Random))
	}
	if set.ClickProbability != nil || set.RandomProbability != nil {
		t.Error("the default events must not override the configured probabilities")
	}
	d := DefaultEvents()
	if d.Random[2].Value == nil || *d.Random[2].Value != 1200 || d.Click[0].Value != nil {
		t.Errorf("values not as the original: %+v %+v", d.Random[2], d.Click[0])
	}
}
