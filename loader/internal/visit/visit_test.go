package visit_test

import (
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// original turns off what the original tool never sent, so that its behaviours can be checked alone.
func original(c *config.Config) {
	c.BounceProb, c.VisitLengths = 0, config.VisitLengthsUniform
	c.CampaignProb, c.ContentImpressionProb, c.BotProb, c.UserIDProb = 0, 0, 0, 0
}

func testModel(t *testing.T, mutate func(*config.Config)) *visit.Model {
	t.Helper()
	c := config.Default()
	original(&c)
	if mutate != nil {
		mutate(&c)
	}
	return visit.New(c, visittest.NewCatalog(), nil, 42, window, nil)
}

// The same seed and sequence number always give the same visit; another seed gives another.
func TestDeterministic(t *testing.T) {
	a, b := testModel(t, nil), testModel(t, nil)
	for seq := uint64(0); seq < 200; seq++ {
		if !reflect.DeepEqual(a.Build(seq), b.Build(seq)) {
			t.Fatalf("visit %d differs between two identical models", seq)
		}
	}
	c := visit.New(config.Default(), visittest.NewCatalog(), nil, 43, nil, nil)
	if reflect.DeepEqual(a.Build(5).Visitor, c.Build(5).Visitor) {
		t.Fatal("a different seed gave the same visitor")
	}
}

// Every visit obeys Matomo's rules: one cid, new_visit on the first hit only, strictly increasing
// whole-second offsets with no gap of 30 minutes, a final ping, pv_id on page views.
func TestVisitShape(t *testing.T) {
	for _, lengths := range []string{config.VisitLengthsUniform, config.DefaultVisitLengths} {
		c := config.Default()
		c.VisitDurationMin, c.VisitDurationMax = 0.1, 120 // stress both ends
		c.VisitLengths = lengths
		c.PageviewsMin, c.PageviewsMax = 1, 12
		c.JourneyProb = 0.3
		c.BotProb = 0
		checkShapes(t, visit.New(c, visittest.NewCatalog(), nil, 42, window, nil))
	}
}

func window(seq uint64) (uint64, uint64) {
	if seq < 1000 {
		return 0, 0
	}
	return seq - 1000, seq - 100
}

func checkShapes(t *testing.T, m *visit.Model) {
	t.Helper()
	for seq := uint64(0); seq < 5000; seq++ {
		v := m.Build(seq)
		if v.Past > 0 {
			if !v.Visitor.Returning || !v.Hits[0].Request.NewVisit || v.Hits[v.Past-1].Offset >= -time.Hour {
				t.Fatalf("visit %d: earlier visit %+v", seq, v.Hits[:v.Past])
			}
			v.Hits = v.Hits[v.Past:]
		}
		if len(v.Visitor.ID) != 16 {
			t.Fatalf("visit %d: cid %q", seq, v.Visitor.ID)
		}
		last := v.Hits[len(v.Hits)-1]
		if !last.Request.Ping || last.Offset != v.Duration {
			t.Fatalf("visit %d does not end with its ping", seq)
		}
		for i, h := range v.Hits {
			r := h.Request
			q, err := url.ParseQuery(string(r.AppendQuery(nil)))
			if err != nil || q.Get("cid") != v.Visitor.ID || q.Get("ua") != v.Visitor.UserAgent || r.NewVisit != (i == 0) || q.Get("uid") != v.Visitor.UserID {
				t.Fatalf("visit %d hit %d: cid %q ua %q new_visit %v (%v)", seq, i, q.Get("cid"), q.Get("ua"), r.NewVisit, err)
			}
			if h.Offset%time.Second != 0 {
				t.Fatalf("visit %d hit %d: offset %v not whole seconds", seq, i, h.Offset)
			}
			if i > 0 {
				gap := h.Offset - v.Hits[i-1].Offset
				if gap < time.Second || gap >= 30*time.Minute {
					t.Fatalf("visit %d hit %d: gap %v", seq, i, gap)
				}
			}
			if r.Kind() == matomo.KindPageview && len(r.PageViewID) != 6 {
				t.Fatalf("visit %d hit %d: page view without pv_id", seq, i)
			}
		}
	}
}

// With JOURNEY_PROBABILITY 0, each special action's share of visits is its configured probability,
// every drawn action happens, and the direct share is DIRECT_TRAFFIC_PROBABILITY.
func TestMixShares(t *testing.T) {
	m := testModel(t, func(c *config.Config) { c.DirectTrafficProb = 0.1; c.ReturningProb = 0 })
	const n = 20000
	count := map[matomo.Kind]int{}
	direct, pvTotal := 0, 0
	sources := map[string]int{}
	for seq := uint64(0); seq < n; seq++ {
		v := m.Build(seq)
		seen := map[matomo.Kind]bool{}
		for _, h := range v.Hits {
			k := h.Request.Kind()
			seen[k] = true
			if k == matomo.KindPageview {
				pvTotal++
			}
		}
		for k := range seen {
			count[k]++
		}
		if ref := v.Hits[0].Request.Referrer; ref == "" {
			direct++
		} else {
			sources[strings.SplitN(strings.TrimPrefix(ref, "https://"), ".", 2)[0]]++
		}
	}
	c := config.Default()
	events := 1 - (1-c.ClickEventsProb)*(1-c.RandomEventsProb)
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{"site search", float64(count[matomo.KindSearch]) / n, c.SiteSearchProb},
		{"outlinks", float64(count[matomo.KindOutlink]) / n, c.OutlinksProb},
		{"downloads", float64(count[matomo.KindDownload]) / n, c.DownloadsProb},
		{"events", float64(count[matomo.KindEvent]) / n, events},
		{"orders", float64(count[matomo.KindEcommerce]) / n, c.EcommerceProb},
		{"direct", float64(direct) / n, 0.1},
		{"pageviews per visit", float64(pvTotal) / n, 4.5},
		// The other sources share the rest in the original's ratio 35:15:20.
		{"search referrers", float64(sources["search"]) / n, 0.9 * 0.35 / 0.70},
		{"social referrers", float64(sources["social"]) / n, 0.9 * 0.15 / 0.70},
		{"website referrers", float64(sources["website"]) / n, 0.9 * 0.20 / 0.70},
	}
	for _, ck := range checks {
		tol := 0.012
		if ck.name == "pageviews per visit" {
			tol = 0.05
		}
		if math.Abs(ck.got-ck.want) > tol {
			t.Errorf("%s: share %.4f, want %.4f ± %.3f", ck.name, ck.got, ck.want, tol)
		}
	}
}

// Orders respect the item bounds and revenue bounds, send shipping, and never repeat an id.
func TestOrders(t *testing.T) {
	m := testModel(t, func(c *config.Config) {
		c.EcommerceProb = 1
		c.ItemsMin, c.ItemsMax = 3, 5
		c.OrderValueMin, c.OrderValueMax = 50, 150
	})
	ids := map[string]bool{}
	for seq := uint64(0); seq < 20000; seq++ {
		v := m.Build(seq)
		var o *matomo.Order
		for i := range v.Hits {
			if v.Hits[i].Request.Kind() == matomo.KindEcommerce {
				o = &v.Hits[i].Request.Order
			}
		}
		if o == nil {
			t.Fatalf("visit %d has no order", seq)
		}
		if len(o.Items) < 3 || len(o.Items) > 5 {
			t.Fatalf("visit %d: %d items", seq, len(o.Items))
		}
		if o.Revenue < 50 || o.Revenue > 150 {
			t.Fatalf("visit %d: revenue %.2f out of bounds", seq, o.Revenue)
		}
		sum := 0.0
		for _, it := range o.Items {
			sum += it.Price * float64(it.Quantity)
		}
		if math.Abs(math.Round(sum*100)/100-o.Subtotal) > 0.001 || math.Abs(o.Subtotal+o.Shipping+o.Tax-o.Revenue) > 0.011 {
			t.Fatalf("visit %d: inconsistent totals %+v", seq, o)
		}
		if ids[o.ID] {
			t.Fatalf("visit %d: order id %s repeated", seq, o.ID)
		}
		ids[o.ID] = true
	}
}

// Returning visitors come back with the same identity, at the configured share.
func TestReturningVisitors(t *testing.T) {
	m := testModel(t, func(c *config.Config) { c.ReturningProb = 0.3 })
	ids := map[string]visit.Visitor{}
	returning := 0
	const from, to = 5000, 15000
	for seq := uint64(0); seq < to; seq++ {
		v := m.Build(seq)
		if seq < 1000 && v.Visitor.Returning != (v.Past > 0) {
			t.Fatalf("visit %d before the return window: returning %v with %d earlier hits", seq, v.Visitor.Returning, v.Past)
		}
		if seq >= from && v.Visitor.Returning {
			returning++
			prev, ok := ids[v.Visitor.ID]
			if !ok {
				t.Fatalf("visit %d: returning visitor %s never seen before", seq, v.Visitor.ID)
			}
			if prev.UserAgent != v.Visitor.UserAgent || prev.IP != v.Visitor.IP || prev.Lang != v.Visitor.Lang {
				t.Fatalf("visit %d: returning visitor changed device or country", seq)
			}
		}
		ids[v.Visitor.ID] = v.Visitor
	}
	share := float64(returning) / (to - from)
	if math.Abs(share-0.3) > 0.015 {
		t.Fatalf("returning share %.3f, want 0.30", share)
	}
}

// A funnel runs its steps in order; with exit_after_completion false the same visitor browses on.
func TestFunnel(t *testing.T) {
	v5 := 5.0
	f := content.Funnel{Name: "signup", Probability: 1, Enabled: true, Steps: []content.Step{
		{Type: content.StepPageview, URL: "https://example.test/pricing", ActionName: "Pricing", DelaySecondsMin: 30, DelaySecondsMax: 30},
		{Type: content.StepEvent, EventCategory: "CTA", EventAction: "click", EventName: "signup", EventValue: &v5, DelaySecondsMin: 5, DelaySecondsMax: 5},
		{Type: content.StepSiteSearch, SearchKeyword: "plans", DelaySecondsMin: 1, DelaySecondsMax: 1},
		{Type: content.StepDownload, TargetURL: "/files/terms.pdf"},
	}}
	for _, exit := range []bool{true, false} {
		f.ExitAfterCompletion = exit
		c := config.Default()
		original(&c)
		c.ReturningProb = 0 // no earlier visit in front
		m := visit.New(c, visittest.NewCatalog(), []content.Funnel{f}, 1, nil, nil)
		v := m.Build(7)
		kinds := []matomo.Kind{}
		for _, h := range v.Hits {
			kinds = append(kinds, h.Request.Kind())
		}
		want := []matomo.Kind{matomo.KindPageview, matomo.KindEvent, matomo.KindSearch, matomo.KindDownload}
		if !reflect.DeepEqual(kinds[:4], want) {
			t.Fatalf("exit=%v: kinds %v", exit, kinds)
		}
		if v.Hits[1].Offset != 30*time.Second || v.Hits[2].Offset != 35*time.Second {
			t.Fatalf("delays not applied: %v %v", v.Hits[1].Offset, v.Hits[2].Offset)
		}
		if got := v.Hits[3].Request.Download; got != "https://example.test/files/terms.pdf" {
			t.Fatalf("download URL %q", got)
		}
		if exit && len(v.Hits) != 5 {
			t.Fatalf("exit after completion: want 4 steps + ping, got %d hits", len(v.Hits))
		}
		if !exit && len(v.Hits) <= 5 {
			t.Fatalf("browsing did not continue after the funnel")
		}
		for _, h := range v.Hits {
			if h.Request.Visitor != v.Hits[0].Request.Visitor {
				t.Fatal("funnel continued as a different visitor (the original's bug 7)")
			}
		}
	}
}

// BenchmarkBuild builds default visits; ns/hit is what the model costs per request sent.
func BenchmarkBuild(b *testing.B) {
	m := visit.New(config.Default(), visittest.NewCatalog(), nil, 1, window, nil)
	b.ReportAllocs()
	hits := 0
	for i := 0; b.Loop(); i++ {
		hits += len(m.Build(uint64(i)).Hits)
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/visit")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(hits), "ns/hit")
}
