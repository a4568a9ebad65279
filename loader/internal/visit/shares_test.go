package visit_test

import (
	"crypto/sha1"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// richCatalog is the test catalogue with custom dimensions, and phones beside desktops.
type richCatalog struct {
	*visittest.Catalog
	dims []visit.Dimension
}

func (c richCatalog) Dimensions() []visit.Dimension { return c.dims }

func (c richCatalog) Device(r *rand.Rand) (string, string) {
	if r.IntN(2) == 0 {
		return "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", "390x844"
	}
	return c.Catalog.Device(r)
}

var testDims = []visit.Dimension{
	{ID: 1, Scope: visit.ScopeVisit, Values: []visit.DimensionValue{{Value: "gold", Weight: 3}, {Value: "basic", Weight: 1}}},
	{ID: 4, Scope: visit.ScopeAction, Values: []visit.DimensionValue{{Value: "article", Weight: 1}, {Value: "listing", Weight: 1}}},
}

// shareModel is the model a user gets with no settings but goals, with dimensions defined.
func shareModel(mutate func(*config.Config)) (*visit.Model, config.Config) {
	c := config.Default()
	c.Goals = "1:0.05:10,2:0.02"
	if mutate != nil {
		mutate(&c)
	}
	return visit.New(c, richCatalog{visittest.NewCatalog(), testDims}, nil, 42, window, nil), c
}

// tally is what a sample of visits sent, counted from the requests as Matomo would see them.
type tally struct {
	visits, bots, bounces, campaigns, legacy, impressions, interactions, returning int
	withUID, members, otherDevice                                                  int
	pageviews, timed, goals                                                        map[int]int
	dimValues                                                                      map[string]int
	lengths                                                                        []time.Duration
}

func count(m *visit.Model, n uint64) tally {
	t := tally{goals: map[int]int{}, dimValues: map[string]int{}, pageviews: map[int]int{}, timed: map[int]int{}}
	for seq := uint64(0); seq < n; seq++ {
		v := m.Build(seq)
		if v.Bot {
			t.bots++
			continue
		}
		t.visits++
		hits := v.Hits[v.Past:]
		actions := 0
		goals := map[int]bool{}
		impression, interaction := false, false
		for _, h := range hits {
			r := h.Request
			q, _ := url.ParseQuery(string(r.AppendQuery(nil)))
			switch r.Kind() {
			case matomo.KindPageview, matomo.KindEvent, matomo.KindSearch, matomo.KindOutlink, matomo.KindDownload:
				actions++
			case matomo.KindGoal:
				goals[r.Goal.ID] = true
			case matomo.KindContent:
				impression = impression || q.Get("c_i") == ""
				interaction = interaction || q.Get("c_i") == "click"
			}
			if r.Kind() == matomo.KindPageview {
				class := 0
				if strings.Contains(v.Visitor.UserAgent, "Mobile") {
					class = 1
				}
				t.pageviews[class]++
				if q.Get("pf_onl") != "" {
					t.timed[class]++
				}
				t.dimValues["4="+q.Get("dimension4")]++
			}
		}
		first, _ := url.ParseQuery(string(hits[0].Request.AppendQuery(nil)))
		t.dimValues["1="+first.Get("dimension1")]++
		landing, _ := url.Parse(hits[0].Request.URL)
		if landing.Query().Get("mtm_campaign") != "" {
			t.campaigns++
		}
		if landing.Query().Get("pk_campaign") != "" {
			t.campaigns++
			t.legacy++
		}
		if actions == 1 {
			t.bounces++
		}
		if impression {
			t.impressions++
		}
		if interaction {
			t.interactions++
		}
		for id := range goals {
			t.goals[id]++
		}
		if v.Visitor.Returning {
			t.returning++
			if first.Get("uid") != "" {
				t.withUID++
			}
		}
		if v.Visitor.UserID != "" && v.Visitor.Count > 2 {
			t.members++
			if v.Visitor.OtherDevice {
				t.otherDevice++
			}
		}
		t.lengths = append(t.lengths, v.Duration)
	}
	return t
}

// Each family of a default run, and custom dimensions from definitions, comes out of 10,000 seeded
// visits with the share that was configured: within 3% of it (relative) where the model spreads the
// family evenly over visits; within four standard deviations of a binomial draw where it draws per
// page view, value or person.
func TestSharesOfFamilies(t *testing.T) {
	m, c := shareModel(nil)
	const n = 10_000
	got := count(m, n)
	visits := float64(got.visits)
	returning := float64(got.returning)
	pvs := float64(got.pageviews[0] + got.pageviews[1])
	tests := []struct {
		name      string
		got, want float64
		sample    float64 // 0: the family is spread evenly, so 3% relative holds; else its sample size
	}{
		{"bots", float64(got.bots) / n, c.BotProb, 0},
		{"bounces", float64(got.bounces) / visits, c.BounceProb, 0},
		{"campaigns", float64(got.campaigns) / visits, c.CampaignProb, 0},
		{"legacy pk_ campaigns", float64(got.legacy) / float64(got.campaigns), c.CampaignLegacyProb, 0},
		{"content impressions", float64(got.impressions) / visits, c.ContentImpressionProb, 0},
		{"content interactions", float64(got.interactions) / visits, c.ContentImpressionProb * c.ContentInteractionProb, 0},
		{"goal 1", float64(got.goals[1]) / visits, 0.05, 0},
		{"goal 2", float64(got.goals[2]) / visits, 0.02, 0},
		{"returning visitors", returning / visits, c.ReturningProb, 0},
		{"page timings", float64(got.timed[0]+got.timed[1]) / pvs, c.PerformanceProb, pvs},
		{"visit dimension 1 = gold", float64(got.dimValues["1=gold"]) / visits, 0.75, visits},
		{"action dimension 4 = article", float64(got.dimValues["4=article"]) / pvs, 0.5, pvs},
		{"uid on returning visits", float64(got.withUID) / returning, c.UserIDProb, returning},
		{"members on another device", float64(got.otherDevice) / float64(got.members), c.CrossDeviceProb, float64(got.members)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tol := 0.03 * tt.want
			if tt.sample > 0 {
				tol = 4 * math.Sqrt(tt.want*(1-tt.want)/tt.sample)
			}
			if math.Abs(tt.got-tt.want) > tol || tt.want == 0 {
				t.Errorf("share %.4f, want %.4f ± %.4f", tt.got, tt.want, tol)
			}
		})
	}
	// Matomo's VisitorInterest buckets: each is used, with about its VISIT_LENGTHS weight (a visit of
	// many hits cannot be shorter than a second per hit, so the shortest bucket gives some away).
	buckets, _ := config.ParseVisitLengths(c.VisitLengths)
	total := 0.0
	for _, b := range buckets {
		total += b.Weight
	}
	lo := time.Duration(0)
	for _, b := range buckets {
		in := 0
		for _, d := range got.lengths {
			if d > lo && d <= b.Upper || lo == 0 && d == 0 {
				in++
			}
		}
		share, want := float64(in)/visits, b.Weight/total
		if math.Abs(share-want) > 0.25*want {
			t.Errorf("visit lengths %v–%v: share %.3f, want about %.3f", lo, b.Upper, share, want)
		}
		lo = b.Upper
	}
}

// Setting a share to 0 removes its family; 1 puts it on every visit.
func TestSharesAtTheirBounds(t *testing.T) {
	for _, p := range []float64{0, 1} {
		m, _ := shareModel(func(c *config.Config) {
			c.BotProb = 0
			c.BounceProb, c.CampaignProb, c.ContentImpressionProb, c.ContentInteractionProb = p, p, p, p
			c.Goals = "1:" + strconv.FormatFloat(p, 'f', -1, 64)
		})
		got := count(m, 2000)
		for name, n := range map[string]int{"bounces": got.bounces, "campaigns": got.campaigns,
			"impressions": got.impressions, "interactions": got.interactions, "goal 1": got.goals[1]} {
			if want := int(p) * got.visits; n != want {
				t.Errorf("p=%v: %s %d of %d visits", p, name, n, got.visits)
			}
		}
	}
}

// Phones load pages slower than desktops; every timing is a believable number of milliseconds.
func TestTimingsPerDevice(t *testing.T) {
	m, _ := shareModel(func(c *config.Config) { c.PerformanceProb = 1 })
	onload := map[bool][]int{}
	for seq := uint64(0); seq < 3000; seq++ {
		v := m.Build(seq)
		for _, h := range v.Hits {
			tm := h.Request.Timings
			if h.Request.Kind() != matomo.KindPageview {
				if tm.Set {
					t.Fatalf("visit %d: timings on a %v hit", seq, h.Request.Kind())
				}
				continue
			}
			if !tm.Set && !v.Bot {
				t.Fatalf("visit %d: page view without timings at PAGE_PERFORMANCE_PROBABILITY=1", seq)
			}
			for _, x := range []int32{tm.Network, tm.Server, tm.Transfer, tm.DOMProcessing, tm.DOMCompletion, tm.OnLoad} {
				if x < 0 || x > 60_000 {
					t.Fatalf("visit %d: timing %d ms", seq, x)
				}
			}
			if tm.Set {
				phone := strings.Contains(v.Visitor.UserAgent, "Mobile")
				onload[phone] = append(onload[phone], int(tm.DOMProcessing+tm.DOMCompletion))
			}
		}
	}
	median := func(xs []int) int { slices.Sort(xs); return xs[len(xs)/2] }
	desk, phone := median(onload[false]), median(onload[true])
	if desk < 500 || desk > 1000 || phone < 2*desk*8/10 {
		t.Fatalf("median DOM time: desktop %d ms, phone %d ms", desk, phone)
	}
}

// A returning visitor's hits carry the cookie counts a browser sends: _idvc is the visit count,
// _idts and _viewts are the same on every hit of the visit and not after it; _ref is where the
// visitor first came from. New visitors send none of them.
func TestReturningCookie(t *testing.T) {
	m, _ := shareModel(nil)
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	seen := 0
	for seq := uint64(0); seq < 3000; seq++ {
		v := m.Build(seq)
		if v.Bot {
			continue
		}
		reqs := v.Stamp(start)
		var idts, viewts string
		for i, r := range reqs {
			q, _ := url.ParseQuery(string(r.AppendQuery(nil)))
			past := i < v.Past
			if !v.Visitor.Returning || past {
				if q.Has("_idvc") || q.Has("_idts") || q.Has("uid") {
					t.Fatalf("visit %d hit %d: a first visit sends cookie counts or uid: %v", seq, i, q)
				}
				continue
			}
			seen++
			if q.Get("_idvc") != strconv.Itoa(v.Visitor.Count) || v.Visitor.Count < 2 {
				t.Fatalf("visit %d: _idvc %q, count %d", seq, q.Get("_idvc"), v.Visitor.Count)
			}
			if idts == "" {
				idts, viewts = q.Get("_idts"), q.Get("_viewts")
			}
			if q.Get("_idts") != idts || q.Get("_viewts") != viewts {
				t.Fatalf("visit %d hit %d: _idts/_viewts change within the visit", seq, i)
			}
			first, _ := strconv.ParseInt(idts, 10, 64)
			last, _ := strconv.ParseInt(viewts, 10, 64)
			if first > last || last >= start.Unix() {
				t.Fatalf("visit %d: _idts %d, _viewts %d, visit at %d", seq, first, last, start.Unix())
			}
			if v.Past > 0 && last != reqs[v.Past-1].Time.Unix() {
				t.Fatalf("visit %d: _viewts %d is not the earlier visit's last hit %v", seq, last, reqs[v.Past-1].Time)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no returning visit")
	}
}

// Members: the first visit Matomo sees (anonymous) has the uid's hash as cid, so that the later
// visits with uid continue the same visitor; on the second device the cid differs, the uid not.
func TestMembersAcrossDevices(t *testing.T) {
	m, _ := shareModel(func(c *config.Config) { c.UserIDProb, c.CrossDeviceProb, c.ReturningProb = 1, 0.5, 0.5 })
	devices := map[string]map[string]bool{}
	for seq := uint64(0); seq < 3000; seq++ {
		v := m.Build(seq)
		if v.Bot || v.Visitor.UserID == "" {
			if !v.Bot && v.Visitor.Returning {
				t.Fatalf("visit %d: a member's returning visit without uid", seq)
			}
			continue
		}
		sum := sha1.Sum([]byte(v.Visitor.UserID))
		hash := hex.EncodeToString(sum[:8])
		if v.Visitor.MatomoID() != hash {
			t.Fatalf("visit %d: Matomo id %s, want %s", seq, v.Visitor.MatomoID(), hash)
		}
		if v.Visitor.OtherDevice == (v.Visitor.ID == hash) {
			t.Fatalf("visit %d: other device %v with cid %s (uid hash %s)", seq, v.Visitor.OtherDevice, v.Visitor.ID, hash)
		}
		if v.Past > 0 && v.Hits[0].Request.Visitor != matomo.NewVisitorParams(hash, v.Visitor.UserAgent, v.Visitor.Lang, v.Visitor.Resolution) {
			t.Fatalf("visit %d: the earlier visit is not the anonymous visit of the uid's hash", seq)
		}
		if devices[v.Visitor.UserID] == nil {
			devices[v.Visitor.UserID] = map[string]bool{}
		}
		devices[v.Visitor.UserID][v.Visitor.UserAgent] = true
	}
	multi := 0
	for _, uas := range devices {
		if len(uas) > 1 {
			multi++
		}
	}
	if multi == 0 {
		t.Fatal("no member was seen on two devices")
	}
}

// Crawlers send a bot's user agent on a few page views, nothing else, and never come back as a
// returning visitor (Matomo never recorded them).
func TestBots(t *testing.T) {
	m, _ := shareModel(func(c *config.Config) { c.BotProb = 0.2 })
	bots := map[string]bool{}
	for seq := uint64(0); seq < 5000; seq++ {
		v := m.Build(seq)
		ua := v.Visitor.UserAgent
		lower := strings.ToLower(ua)
		isBot := strings.Contains(lower, "bot") || strings.Contains(lower, "spider") || strings.Contains(lower, "facebookexternalhit")
		if v.Bot != isBot {
			t.Fatalf("visit %d: bot %v with user agent %q", seq, v.Bot, ua)
		}
		if !v.Bot {
			if bots[v.Visitor.ID] {
				t.Fatalf("visit %d: a crawler came back as a visitor", seq)
			}
			continue
		}
		bots[v.Visitor.ID] = true
		if len(v.Hits) < 1 || len(v.Hits) > 5 || v.Past != 0 {
			t.Fatalf("visit %d: %d hits, %d earlier", seq, len(v.Hits), v.Past)
		}
		for _, h := range v.Hits {
			if h.Request.Kind() != matomo.KindPageview {
				t.Fatalf("visit %d: a crawler sent a %v", seq, h.Request.Kind())
			}
		}
	}
}

// Campaign landing URLs carry the catalogue's campaign in the mtm_* or pk_* form, and nothing else
// of the page's URL changes.
func TestCampaignLandingURLs(t *testing.T) {
	m, _ := shareModel(func(c *config.Config) { c.CampaignProb, c.CampaignLegacyProb, c.BotProb = 1, 0.5, 0 })
	names := map[string]bool{}
	for _, c := range visit.BuiltinCampaigns() {
		names[c.Name] = true
	}
	forms := map[string]int{}
	for seq := uint64(0); seq < 500; seq++ {
		v := m.Build(seq)
		u, err := url.Parse(v.Hits[v.Past].Request.URL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		prefix := "mtm_"
		if q.Has("pk_campaign") {
			prefix = "pk_"
		}
		forms[prefix]++
		if !names[q.Get(prefix+"campaign")] || q.Get(prefix+"source") == "" || q.Get(prefix+"medium") == "" || q.Get(prefix+"cid") == "" {
			t.Fatalf("visit %d: landing URL %s", seq, u)
		}
		if !strings.HasPrefix(u.String(), "https://example.test/") {
			t.Fatalf("visit %d: landing URL %s", seq, u)
		}
		for _, h := range v.Hits[v.Past+1:] {
			if strings.Contains(h.Request.URL, "campaign=") {
				t.Fatalf("visit %d: a later hit carries the campaign: %s", seq, h.Request.URL)
			}
		}
	}
	if forms["mtm_"] < 200 || forms["pk_"] < 200 {
		t.Fatalf("forms %v", forms)
	}
}

// The same seed gives the same visits whatever the order they are built in (a mirror sends each to
// every target, a backfill builds them in parallel); another seed gives others.
func TestDeterministicWithEveryFamily(t *testing.T) {
	a, _ := shareModel(nil)
	b, _ := shareModel(nil)
	for seq := uint64(2999); seq < 3000; seq-- {
		if va, vb := a.Build(seq), b.Build(seq); !sameVisit(va, vb) {
			t.Fatalf("visit %d differs between two identical models", seq)
		}
	}
	c := visit.New(config.Default(), richCatalog{visittest.NewCatalog(), testDims}, nil, 43, window, nil)
	same := 0
	for seq := uint64(0); seq < 100; seq++ {
		if sameVisit(a.Build(seq), c.Build(seq)) {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d visits the same under another seed", same)
	}
}

func sameVisit(a, b visit.Visit) bool {
	if len(a.Hits) != len(b.Hits) || a.Visitor != b.Visitor || a.Past != b.Past || a.Duration != b.Duration {
		return false
	}
	for i := range a.Hits {
		if string(a.Hits[i].Request.AppendQuery(nil)) != string(b.Hits[i].Request.AppendQuery(nil)) || a.Hits[i].Offset != b.Hits[i].Offset {
			return false
		}
	}
	return true
}

// A visit in flight holds its hits: with every family on, journeys included, the largest visit
// of a sample stays within 20 KiB (its hits' requests and the strings only it owns), and the
// average allocation per visit is a few KiB.
func TestVisitMemory(t *testing.T) {
	m, _ := shareModel(func(c *config.Config) { c.JourneyProb = 0.3 })
	const n = 3000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	largest := 0
	for seq := uint64(0); seq < n; seq++ {
		v := m.Build(seq)
		size := cap(v.Hits) * int(unsafe.Sizeof(visit.Hit{}))
		for _, h := range v.Hits {
			size += len(h.Request.URL) + len(h.Request.Referrer) + len(h.Request.ActionName) + len(h.Request.PageViewID)
		}
		largest = max(largest, size)
	}
	runtime.ReadMemStats(&after)
	perVisit := float64(after.TotalAlloc-before.TotalAlloc) / n
	if largest > 20<<10 || perVisit > 8<<10 {
		t.Fatalf("largest visit %d bytes, %.0f bytes allocated per visit", largest, perVisit)
	}
	t.Logf("largest visit %d bytes, %.0f bytes allocated per visit", largest, perVisit)
}
