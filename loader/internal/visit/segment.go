package visit

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// streamSegment draws a visit's scenario segment.
const streamSegment uint64 = 0xd6e8feb86659fd93

// SegmentCatalog is a Catalog that can also draw within one device class or one country and knows
// its site sections: what scenario segments filter by. loader/internal/catalog provides it.
type SegmentCatalog interface {
	Catalog
	// DeviceOf is Device within a device class (desktop, mobile, tablet).
	DeviceOf(r *rand.Rand, class string) (userAgent, resolution string, ok bool)
	// CountryOf is Country's language and address for one ISO code.
	CountryOf(r *rand.Rand, code string) (lang, ip string, ok bool)
	// HasCountry and HasSection say whether CountryOf and EntryIn can serve a code or section.
	HasCountry(code string) bool
	HasSection(name string) bool
}

// segmented is the part of a Model that runs a scenario: one model per segment and the shares
// visits are drawn by.
type segmented struct {
	models []*Model
	names  []string
	shares []float64
}

// NewScenario returns a model that assigns each visit, by a seeded draw on the segments' shares, to
// one segment of a scenario, and builds it from that segment's configuration (the base with its
// overrides) and its filtered catalogue. It reports, all at once, what the catalogue cannot serve
// (a country without address space, a site section or funnel that does not exist), at the
// segment's path in file.
func NewScenario(segs []scenario.Compiled, cat SegmentCatalog, funnels []content.Funnel, seed int64, returns ReturnRange, events *content.EventSet, file string) (*Model, config.Problems) {
	var ps config.Problems
	bad := func(path, value, format string, args ...any) {
		p := config.Errorf(path, value, format, args...)
		p.File = file
		ps = append(ps, p)
	}
	s := segmented{}
	for i, seg := range segs {
		path := fmt.Sprintf("segments[%d]", i)
		for _, c := range seg.Countries {
			if !cat.HasCountry(c.Name) {
				bad(path+".countries."+c.Name, c.Name, "no address space for this country in the catalogue, so Matomo could not place visitors in it")
			}
		}
		for _, l := range seg.Landing {
			if !cat.HasSection(l.Name) {
				bad(path+".journey.landing."+l.Name, l.Name, "the site (URLS_FILE or the built-in one) has no section of this name: the first path segment of its URLs")
			}
		}
		fs := funnels
		if seg.Funnel != "" {
			fs = nil
			for _, f := range funnels {
				if f.Name == seg.Funnel {
					if seg.FunnelProbability != nil {
						f.Probability = *seg.FunnelProbability
					} else {
						f.Probability = 1
					}
					fs = []content.Funnel{f}
				}
			}
			if fs == nil {
				bad(path+".journey.funnel", seg.Funnel, "no enabled funnel of this name in FUNNEL_CONFIG_PATH")
			}
		}
		m := New(seg.Config, newSegmentCatalog(cat, seg), fs, seed, returns, events)
		s.models = append(s.models, m)
		s.names = append(s.names, seg.Name)
		s.shares = append(s.shares, seg.Share)
	}
	if ps.Err() != nil || len(s.models) == 0 {
		return nil, ps
	}
	base := *s.models[0]
	base.segs = &s
	return &base, ps
}

// Segment returns the index of the segment of visit seq, or −1 without a scenario.
//
// The draw is a Weyl sequence (seq times the golden ratio, modulo 1, shifted by the seed) rather than
// an independent draw per visit: consecutive visits then spread over the segments as evenly as
// possible, so even a few hundred visits, or one shard's stride of them, show the configured shares
// to within a visit or two, and the same seed still gives the same assignment.
func (m *Model) Segment(seq uint64) int {
	if m.segs == nil {
		return -1
	}
	x := seq*0x9e3779b97f4a7c15 + mix(uint64(m.seed)^streamSegment)
	u := float64(x>>11) / (1 << 53)
	acc := 0.0
	for i, s := range m.segs.shares {
		acc += s
		if u < acc {
			return i
		}
	}
	return len(m.segs.shares) - 1
}

// SegmentNames lists the scenario's segments in order; nil without a scenario.
func (m *Model) SegmentNames() []string {
	if m.segs == nil {
		return nil
	}
	return append([]string(nil), m.segs.names...)
}

// buildSegment builds visit seq with its segment's model.
func (m *Model) buildSegment(seq uint64) Visit {
	i := m.Segment(seq)
	v := m.segs.models[i].Build(seq)
	v.Segment = m.segs.names[i]
	return v
}

// segmentCatalog is a catalogue seen through a segment's filters.
type segmentCatalog struct {
	SegmentCatalog
	devices, countries, languages, landing, sources names
}

// names are weighted names with the weights ready for pick.
type names struct {
	list    []string
	weights []float64
}

func namesOf(shares []scenario.Share, canon func(string) string) names {
	var n names
	for _, s := range shares {
		n.list = append(n.list, canon(s.Name))
		n.weights = append(n.weights, s.Share)
	}
	return n
}

func (n names) draw(r *rand.Rand) string { return n.list[pick(r, n.weights)] }

func same(s string) string { return s }

// acceptLanguage turns a language tag (sv-SE) into what a browser sends (sv-se,sv;q=0.9).
func acceptLanguage(tag string) string {
	t := strings.ToLower(tag)
	if primary, _, ok := strings.Cut(t, "-"); ok {
		return t + "," + primary + ";q=0.9"
	}
	return t
}

func newSegmentCatalog(cat SegmentCatalog, seg scenario.Compiled) Catalog {
	c := &segmentCatalog{SegmentCatalog: cat, devices: namesOf(seg.Devices, same), countries: namesOf(seg.Countries, same),
		languages: namesOf(seg.Languages, acceptLanguage), landing: namesOf(seg.Landing, same), sources: namesOf(seg.Sources, same)}
	return c
}

// Device draws within the segment's device classes.
func (c *segmentCatalog) Device(r *rand.Rand) (string, string) {
	if c.devices.list == nil {
		return c.SegmentCatalog.Device(r)
	}
	if ua, res, ok := c.DeviceOf(r, c.devices.draw(r)); ok {
		return ua, res
	}
	return c.SegmentCatalog.Device(r)
}

// Country draws within the segment's countries, then its languages.
func (c *segmentCatalog) Country(r *rand.Rand) (code, lang, ip string) {
	if c.countries.list == nil {
		code, lang, ip = c.SegmentCatalog.Country(r)
	} else {
		code = c.countries.draw(r)
		lang, ip, _ = c.CountryOf(r, code)
	}
	if c.languages.list != nil {
		lang = c.languages.draw(r)
	}
	return code, lang, ip
}

// Entry lands in one of the segment's sections.
func (c *segmentCatalog) Entry(r *rand.Rand) content.Page {
	if c.landing.list != nil {
		if p, ok := c.EntryIn(r, c.landing.draw(r)); ok {
			return p
		}
	}
	return c.SegmentCatalog.Entry(r)
}

// Referrer replaces the model's source with one of the segment's (the direct share is the
// segment's DIRECT_TRAFFIC_PROBABILITY).
func (c *segmentCatalog) Referrer(r *rand.Rand, source, keyword string) string {
	if c.sources.list == nil {
		return c.SegmentCatalog.Referrer(r, source, keyword)
	}
	s := c.sources.draw(r)
	if s == SourceSearch && source != SourceSearch {
		keyword, _ = c.SearchTerm(r)
	}
	return c.SegmentCatalog.Referrer(r, s, keyword)
}
