package scenario

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// perVisitExtra are the per-visit settings outside the Visit mix and Ecommerce groups.
var perVisitExtra = map[string]bool{
	"PAGEVIEWS_MIN": true, "PAGEVIEWS_MAX": true, "VISIT_DURATION_MIN": true, "VISIT_DURATION_MAX": true,
}

// notPerVisit are settings of those groups that belong to the run, not to a visit.
var notPerVisit = map[string]bool{"VISITOR_POOL_SIZE": true, "ECOMMERCE_CURRENCY": true}

// PerVisit reports whether the setting name shapes single visits, so that a segment may override
// it: the visit mix, engagement, campaign and signal, and ecommerce settings and the pageview and
// duration bounds. Rates, targets,
// transport and backfill settings belong to the whole run.
func PerVisit(name string) bool {
	info, ok := config.Lookup(name)
	if !ok || notPerVisit[name] {
		return false
	}
	return perVisitExtra[name] || info.Group == config.GroupMix || info.Group == config.GroupEcommerce ||
		info.Group == config.GroupEngage || info.Group == config.GroupCampaigns
}

// PerVisitSettings lists the settings PerVisit accepts, in schema order.
func PerVisitSettings() []string {
	var out []string
	for _, f := range config.Fields() {
		if PerVisit(f.Name) {
			out = append(out, f.Name)
		}
	}
	return out
}

// Compiled is a segment ready to run: the configuration its visits are built from (the base with
// the segment's overrides) and the catalogue filters the visit model applies.
type Compiled struct {
	Name  string
	Share float64
	// Config is the base configuration with Overrides applied.
	Config config.Config
	// Overrides maps the env names the segment changes to their new env values.
	Overrides map[string]string
	// Devices, Countries, Languages and Landing are the segment's filters (nil: as configured).
	Devices, Countries, Languages, Landing []Share
	// Sources weigh the non-direct referrer sources (search, social, website); nil: as configured.
	// The direct share is in Config (DIRECT_TRAFFIC_PROBABILITY).
	Sources []Share
	// Funnel is the only funnel the segment's visits may follow ("" keeps the configured ones);
	// FunnelProbability replaces that funnel's own probability when set.
	Funnel            string
	FunnelProbability *float64
}

// Compile applies each segment to base and checks the result as config.Validate would, reporting a
// problem of an overridden setting at the segment's path (segments[1].settings.PAGEVIEWS_MAX).
func (sc *Scenario) Compile(base config.Config, file string) ([]Compiled, Problems) {
	var ps Problems
	out := make([]Compiled, 0, len(sc.Segments))
	for i, s := range sc.Segments {
		c, probs := s.compile(base, fmt.Sprintf("segments[%d]", i))
		for j := range probs {
			probs[j].File = file
			probs[j].Line = s.line
		}
		ps = append(ps, probs...)
		out = append(out, c)
	}
	return out, ps
}

func (s Segment) compile(base config.Config, path string) (Compiled, Problems) {
	c := Compiled{Name: s.Name, Share: s.Share, Config: base, Overrides: map[string]string{},
		Devices: s.Devices.Shares(), Countries: s.Countries.Shares(), Languages: s.Languages.Shares(),
		Landing: s.Journey.Landing.Shares(), Funnel: s.Journey.Funnel, FunnelProbability: s.Journey.FunnelProbability}
	where := map[string]string{} // env name → the path that set it
	var ps Problems
	set := func(name string, v any, from string) {
		if err := c.Config.Set(name, v); err != nil {
			ps = append(ps, config.Errorf(from, fmt.Sprint(v), "%v", err))
			return
		}
		where[name] = from
	}
	if s.Journey.PageviewsMin != nil {
		set("PAGEVIEWS_MIN", *s.Journey.PageviewsMin, path+".journey.pageviews_min")
	}
	if s.Journey.PageviewsMax != nil {
		set("PAGEVIEWS_MAX", *s.Journey.PageviewsMax, path+".journey.pageviews_max")
	}
	if s.Journey.Journeys != nil {
		set("JOURNEY_PROBABILITY", *s.Journey.Journeys, path+".journey.journeys")
	}
	if s.Returning != nil {
		set("RETURNING_VISITOR_PROBABILITY", *s.Returning, path+".returning")
	}
	if len(s.Countries) > 0 {
		set("RANDOMIZE_VISITOR_COUNTRIES", true, path+".countries")
	}
	if shares := s.Referrers.Shares(); shares != nil {
		// Campaign visits are drawn first and land from their campaign; the direct share is then
		// that of the other visits.
		direct, campaign := 0.0, 0.0
		for _, sh := range shares {
			switch {
			case sh.Name == ReferrerDirect:
				direct = sh.Share
			case sh.Name == ReferrerCampaign:
				campaign = sh.Share
			case sh.Share > 0:
				c.Sources = append(c.Sources, sh)
			}
		}
		set("CAMPAIGN_PROBABILITY", campaign, path+".referrers")
		if campaign < 1 {
			direct /= 1 - campaign
		}
		set("DIRECT_TRAFFIC_PROBABILITY", min(direct, 1), path+".referrers")
	}
	if v, ok := s.Engagement["bounce"]; ok {
		set("BOUNCE_PROBABILITY", v, path+".engagement.bounce")
	}
	if v, ok := s.Engagement["visit_lengths"]; ok {
		set("VISIT_LENGTHS", v, path+".engagement.visit_lengths")
	}
	if len(s.Goals) > 0 {
		set("GOALS", goalsSetting(s.Goals), path+".goals")
	}
	names := make([]string, 0, len(s.Settings))
	for k := range s.Settings {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		set(k, s.Settings[k], path+".settings."+k)
	}
	for name := range where {
		if v, ok := c.Config.Format(name); ok {
			c.Overrides[name] = v
		}
	}
	// Validate the segment's configuration; keep the problems of what the segment changed: those of
	// an overridden setting, and those of another setting that name one (a min above an overridden
	// max), each at the path that set it.
	for _, p := range c.Config.Validate() {
		from, ok := where[p.Field]
		if !ok {
			from, ok = namedIn(p.Message, where)
		}
		if !ok {
			continue
		}
		if !strings.HasSuffix(from, "."+p.Field) {
			p.Message = p.Field + " " + p.Message
		}
		p.Field = from
		ps = append(ps, p)
	}
	return c, ps
}

// goalsSetting writes a segment's goals as GOALS: id:rate[:revenue], by id.
func goalsSetting(g map[string]float64) string {
	var ids []int
	for k := range g {
		if id, err := strconv.Atoi(k); err == nil {
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		k := strconv.Itoa(id)
		e := k + ":" + strconv.FormatFloat(g[k], 'f', -1, 64)
		if r, ok := g[k+":revenue"]; ok {
			e += ":" + strconv.FormatFloat(r, 'f', -1, 64)
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, ",")
}

// namedIn returns the path of the overridden setting that a problem's message names, if any.
func namedIn(msg string, where map[string]string) (string, bool) {
	names := make([]string, 0, len(where))
	for name := range where {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.Contains(msg, name) {
			return where[name], true
		}
	}
	return "", false
}
