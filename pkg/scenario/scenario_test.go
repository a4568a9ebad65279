package scenario

import (
	"os"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func readShop(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../presets/scenario.shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShopExampleParsesAndCompiles(t *testing.T) {
	sc, ps := Parse(readShop(t), "scenario.shop.yaml")
	if len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	if sc.Name != "shop" || len(sc.Segments) != 4 {
		t.Fatalf("scenario %q with %d segments", sc.Name, len(sc.Segments))
	}
	segs, ps := sc.Compile(config.Default(), "scenario.shop.yaml")
	if len(ps) != 0 {
		t.Fatalf("compile problems: %v", ps)
	}
	loyal := segs[3]
	if loyal.Config.EcommerceProb != 0.25 || loyal.Config.ReturningProb != 0.9 || loyal.Config.DirectTrafficProb != 0.7 ||
		loyal.Config.PageviewsMin != 3 || loyal.Config.OrderValueMax != 899 {
		t.Errorf("loyal buyers config: %+v", loyal.Overrides)
	}
	if got := loyal.Overrides["ECOMMERCE_PROBABILITY"]; got != "0.25" {
		t.Errorf("override %q", got)
	}
	if len(loyal.Sources) != 1 || loyal.Sources[0].Name != ReferrerWebsite {
		t.Errorf("sources %v", loyal.Sources)
	}
	res := segs[1]
	if len(res.Landing) != 2 || res.Landing[0].Share != 0.5 {
		t.Errorf("a list of sections must weigh them equally: %v", res.Landing)
	}
	if segs[0].Config.SiteSearchProb != 0.25 || segs[2].Config.SiteSearchProb != 0.5 {
		t.Error("each segment must get its own overrides")
	}
	if (config.Default()).SiteSearchProb != 0.15 {
		t.Error("compiling must not change the base")
	}
}

// TestBrokenShopReportsEveryProblem: a broken copy of the example reports each mistake at once,
// with its path, value, line and rule.
func TestBrokenShopReportsEveryProblem(t *testing.T) {
	b := string(readShop(t))
	for _, r := range [][2]string{
		{"share: 0.45", "share: 0.55"},                                          // shares add up to 1.1
		{"devices: {mobile: 0.85,", "devices: {phone: 0.85,"},                   // unknown device class
		{"countries: {SE: 0.4, DE", "countries: {SWE: 0.4, DE"},                 // not an ISO code
		{"pageviews_min: 4", "pageviews_min: 12"},                               // min above max
		{"returning: 0.6", "returning: 1.6"},                                    // not a probability
		{"DOWNLOADS_PROBABILITY: 0.3", "DOWNLOADS_PROBABILITY: lots"},           // not a number
		{"ECOMMERCE_PROBABILITY: 0\n", "TARGET_VISITS_PER_DAY: 5\n"},            // not per visit
		{"referrers: {direct: 0.7, website", "referers: {direct: 0.7, website"}, // misspelt key
	} {
		if !strings.Contains(b, r[0]) {
			t.Fatalf("the example no longer contains %q", r[0])
		}
		b = strings.Replace(b, r[0], r[1], 1)
	}
	_, ps := Parse([]byte(b), "broken.yaml")
	want := []struct{ field, value, rule string }{
		{"segments[0].devices.phone", "phone", "must be one of desktop, mobile, tablet"},
		{"segments[1].countries.SWE", "SWE", "ISO 3166"},
		{"segments[1].journey.pageviews_min", "12", "must not exceed pageviews_max (10)"},
		{"segments[1].settings.DOWNLOADS_PROBABILITY", "lots", "not a number"},
		{"segments[2].returning", "1.6", "must be from 0 to 1"},
		{"segments[2].settings.TARGET_VISITS_PER_DAY", "TARGET_VISITS_PER_DAY", "not a per-visit setting"},
		{"segments[3].referers", "referers", "unknown key"},
		{"segments", "0.55 + 0.3 + 0.15 + 0.1", "add up to 1.1"},
	}
	if len(ps) != len(want) {
		t.Errorf("%d problems, want %d:\n%v", len(ps), len(want), ps)
	}
	for _, w := range want {
		found := false
		for _, p := range ps {
			if p.Field == w.field && p.Value == w.value && strings.Contains(p.Message, w.rule) && p.File == "broken.yaml" &&
				(p.Line > 0 || w.field == "segments") {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem %s=%q %q in\n%v", w.field, w.value, w.rule, ps)
		}
	}
}

func TestCompileReportsOverriddenSettings(t *testing.T) {
	sc, ps := Parse([]byte(`{"name":"x","segments":[{"name":"a","share":1,"journey":{"pageviews_min":9},"settings":{"ECOMMERCE_ORDER_VALUE_MIN":500}}]}`), "x.json")
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	_, ps = sc.Compile(config.Default(), "x.json") // PAGEVIEWS_MAX 6, ECOMMERCE_ORDER_VALUE_MAX 299.99
	fields := map[string]bool{}
	for _, p := range ps {
		fields[p.Field] = true
	}
	if !fields["segments[0].journey.pageviews_min"] || !fields["segments[0].settings.ECOMMERCE_ORDER_VALUE_MIN"] || len(ps) != 2 {
		t.Errorf("problems %v", ps)
	}
	// Lowering only the maximum below the configured minimum (3) is the segment's problem too.
	sc, _ = Parse([]byte(`{"name":"x","segments":[{"name":"a","share":1,"journey":{"pageviews_max":2}}]}`), "x.json")
	_, ps = sc.Compile(config.Default(), "x.json")
	if len(ps) != 1 || ps[0].Field != "segments[0].journey.pageviews_max" || ps[0].Message != "PAGEVIEWS_MIN must not exceed PAGEVIEWS_MAX (2)" {
		t.Errorf("problems %v", ps)
	}
}

func TestUnsupportedPartsAreRejected(t *testing.T) {
	_, ps := Parse([]byte(`
name: x
segments:
  - name: a
    share: 1
    campaign: {name: december}
    dimensions: {"1": [a, b]}
`), "x.yaml")
	got := map[string]bool{}
	for _, p := range ps {
		got[p.Field] = strings.Contains(p.Message, "not in this build")
	}
	if !got["segments[0].campaign"] || !got["segments[0].dimensions"] || len(ps) != 2 {
		t.Errorf("problems %v", ps)
	}
}

// TestEngagementGoalsAndCampaigns: the visit model's newer families compose their settings.
func TestEngagementGoalsAndCampaigns(t *testing.T) {
	sc, ps := Parse([]byte(`
name: x
segments:
  - name: newsletter
    share: 1
    referrers: {campaign: 0.5, direct: 0.25, search: 0.25}
    engagement: {bounce: 0.2, visit_lengths: "30s:1,5m:3"}
    goals: {"2": 0.1, "1": {rate: 0.05, revenue: 12.5}}
`), "x.yaml")
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	segs, ps := sc.Compile(config.Default(), "x.yaml")
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	o := segs[0].Overrides
	want := map[string]string{"CAMPAIGN_PROBABILITY": "0.5", "DIRECT_TRAFFIC_PROBABILITY": "0.5", "BOUNCE_PROBABILITY": "0.2",
		"VISIT_LENGTHS": "30s:1,5m:3", "GOALS": "1:0.05:12.5,2:0.1"}
	for k, v := range want {
		if o[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, o[k], v, o)
		}
	}
	_, ps = Parse([]byte(`{"name":"x","segments":[{"name":"a","share":1,"goals":{"x":0.1,"0":0.2,"3":{"revenue":1}},"engagement":{"bounce":2,"dwell":1}}]}`), "x.json")
	fields := map[string]bool{}
	for _, p := range ps {
		fields[p.Field] = true
	}
	for _, f := range []string{"segments[0].goals.x", "segments[0].goals.0", "segments[0].goals.3.rate", "segments[0].engagement.bounce", "segments[0].engagement.dwell"} {
		if !fields[f] {
			t.Errorf("no problem at %s in %v", f, ps)
		}
	}
}
