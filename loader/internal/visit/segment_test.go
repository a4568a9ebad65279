package visit_test

import (
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// shopModel builds the model of presets/scenario.shop.yaml on the built-in catalogue.
func shopModel(t *testing.T, seed int64) (*visit.Model, []scenario.Compiled) {
	t.Helper()
	cat, ps := catalog.Load(catalog.LoadOptions{})
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	_, segs, ps := scenario.Load("../../../presets/scenario.shop.yaml", config.Default())
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	m, ps := visit.NewScenario(segs, cat, nil, seed, nil, &cat.Events, "scenario.shop.yaml")
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	return m, segs
}

func within(got, want, rel float64) bool { return math.Abs(got-want) <= rel*want }

// near reports whether a share measured on n visits is within 3% (relative) of want, or within four
// standard errors of the sampling noise when the sample is too small for 3% to be a fair bound.
func near(got, want float64, n int) bool {
	se := math.Sqrt(want * (1 - want) / float64(n))
	return math.Abs(got-want) <= math.Max(0.03*want, 4*se)
}

// TestScenarioSharesOn10000Visits: over 10,000 seeded visits every segment's share is within 3%
// (relative) of the file's, and within each segment its device, landing and direct-traffic shares
// are within 3% or the sampling noise of the segment's visits.
func TestScenarioSharesOn10000Visits(t *testing.T) {
	m, segs := shopModel(t, 7)
	const n = 10000
	type tally struct {
		visits, mobile, direct int
		landing                map[string]int
		countries              map[string]int
	}
	by := map[string]*tally{}
	for _, s := range segs {
		by[s.Name] = &tally{landing: map[string]int{}, countries: map[string]int{}}
	}
	for seq := uint64(0); seq < n; seq++ {
		v := m.Build(seq)
		if v.Bot {
			continue // a crawler is no segment's visitor: no country, language or referrer
		}
		tl, ok := by[v.Segment]
		if !ok {
			t.Fatalf("visit %d has segment %q", seq, v.Segment)
		}
		tl.visits++
		ua := v.Visitor.UserAgent
		if strings.Contains(ua, "iPhone") || (strings.Contains(ua, "Android") && strings.Contains(ua, "Mobile")) {
			tl.mobile++
		}
		first := v.Hits[0].Request
		if first.Referrer == "" {
			tl.direct++
		}
		u, _ := url.Parse(first.URL)
		section, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		tl.landing[section]++
		tl.countries[v.Visitor.Country]++
	}
	for _, s := range segs {
		tl := by[s.Name]
		if !within(float64(tl.visits)/n, s.Share, 0.03) {
			t.Errorf("%s: %d of %d visits, want share %g", s.Name, tl.visits, n, s.Share)
		}
		mobile := 0.0
		for _, d := range s.Devices {
			if d.Name == scenario.DeviceMobile {
				mobile = d.Share
			}
		}
		if got := float64(tl.mobile) / float64(tl.visits); !near(got, mobile, tl.visits) {
			t.Errorf("%s: mobile share %.3f, want %.3f", s.Name, got, mobile)
		}
		if got := float64(tl.direct) / float64(tl.visits); !near(got, s.Config.DirectTrafficProb, tl.visits) {
			t.Errorf("%s: direct share %.3f, want %.3f", s.Name, got, s.Config.DirectTrafficProb)
		}
		for _, l := range s.Landing {
			if got := float64(tl.landing[l.Name]) / float64(tl.visits); !near(got, l.Share, tl.visits) {
				t.Errorf("%s: %.3f land in %s, want %.3f", s.Name, got, l.Name, l.Share)
			}
		}
		if len(tl.landing) != len(s.Landing) {
			t.Errorf("%s lands in %v, want only %v", s.Name, tl.landing, s.Landing)
		}
		if len(s.Countries) > 0 && len(tl.countries) > len(s.Countries) {
			t.Errorf("%s has visitors from %v, want only %v", s.Name, tl.countries, s.Countries)
		}
	}
}

// TestScenarioIsSeeded: the same seed builds the same visits; another seed assigns segments
// differently.
func TestScenarioIsSeeded(t *testing.T) {
	a, _ := shopModel(t, 7)
	b, _ := shopModel(t, 7)
	c, _ := shopModel(t, 8)
	differ := false
	for seq := uint64(0); seq < 500; seq++ {
		va, vb := a.Build(seq), b.Build(seq)
		if va.Segment != vb.Segment || va.Visitor.ID != vb.Visitor.ID || va.Hits[0].Request.URL != vb.Hits[0].Request.URL {
			t.Fatalf("visit %d differs under one seed", seq)
		}
		differ = differ || a.Segment(seq) != c.Segment(seq)
	}
	if !differ {
		t.Error("another seed assigned the same segments")
	}
	if names := a.SegmentNames(); len(names) != 4 || names[0] != "mobile browsers" {
		t.Errorf("segment names %v", names)
	}
}

// TestScenarioCatalogueProblems: what the catalogue cannot serve is reported at the segment's path.
func TestScenarioCatalogueProblems(t *testing.T) {
	cat, _ := catalog.Load(catalog.LoadOptions{})
	sc, ps := scenario.Parse([]byte(`
name: x
segments:
  - name: a
    share: 1
    countries: [SE, ZZ]
    journey: {landing: [products, shop], funnel: checkout}
`), "x.yaml")
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	segs, _ := sc.Compile(config.Default(), "x.yaml")
	_, ps = visit.NewScenario(segs, cat, nil, 1, nil, nil, "x.yaml")
	want := map[string]string{
		"segments[0].countries.ZZ":         "no address space",
		"segments[0].journey.landing.shop": "no section",
		"segments[0].journey.funnel":       "no enabled funnel",
	}
	if len(ps) != len(want) {
		t.Errorf("problems %v", ps)
	}
	for _, p := range ps {
		if !strings.Contains(p.Message, want[p.Field]) || want[p.Field] == "" || p.File != "x.yaml" {
			t.Errorf("unexpected problem %+v", p)
		}
	}
}
