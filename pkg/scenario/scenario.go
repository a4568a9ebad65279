// Package scenario reads scenario files (SCENARIO_FILE): audience segments, each a share of the
// visits with its own devices, countries, languages, referrers, landing pages, journey and visit
// mix. A segment adds nothing the plain settings cannot do: it is a set of overrides of the
// per-visit settings (config) plus filters on the catalogues the visit model draws from, applied to
// the visits assigned to it. Both programs use this package: the loader to run a scenario, the
// control to validate it and preview a simulated day before any run.
package scenario

import (
	"sort"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// MaxSegments bounds a scenario's segments; MaxFileBytes bounds the file.
const (
	MaxSegments  = 50
	MaxFileBytes = 1 << 20
)

// Device classes a segment may weigh (as Matomo's device detection reports them).
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
)

// Referrer kinds a segment may weigh. Campaign arrivals are CAMPAIGN_PROBABILITY's campaign visits,
// drawn from the campaign catalogue.
const (
	ReferrerDirect   = "direct"
	ReferrerSearch   = "search"
	ReferrerSocial   = "social"
	ReferrerWebsite  = "website"
	ReferrerCampaign = "campaign"
)

// Scenario is a parsed scenario file.
type Scenario struct {
	// Name and Description say what the scenario simulates.
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Segments    []Segment `json:"segments"`
}

// Weights are relative weights by name; only the ratios matter. A YAML or JSON list of names is
// read as equal weights.
type Weights map[string]float64

// Shares returns the weights scaled to add up to 1, in name order; nil for no weights.
func (w Weights) Shares() []Share {
	total := 0.0
	for _, v := range w {
		total += v
	}
	if total <= 0 {
		return nil
	}
	out := make([]Share, 0, len(w))
	for k, v := range w {
		out = append(out, Share{Name: k, Share: v / total})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Share is one name's part of a whole, in [0, 1].
type Share struct {
	Name  string  `json:"name"`
	Share float64 `json:"share"`
}

// Segment is one audience: its share of all visits and what its visits look like. A field left out
// keeps what the settings say.
type Segment struct {
	Name  string  `json:"name"`
	Share float64 `json:"share"`
	// Devices weigh the device classes (desktop, mobile, tablet).
	Devices Weights `json:"devices,omitempty"`
	// Countries weigh ISO 3166 country codes; the visitor's IP (with a token) and language follow.
	Countries Weights `json:"countries,omitempty"`
	// Languages weigh browser languages (Accept-Language, e.g. sv-SE), overriding the country's.
	Languages Weights `json:"languages,omitempty"`
	// Referrers weigh direct, search, social, website (and campaign) arrivals.
	Referrers Weights `json:"referrers,omitempty"`
	// Journey is where visits land and how they go on.
	Journey Journey `json:"journey"`
	// Returning is the share of the segment's visits made by returning visitors.
	Returning *float64 `json:"returning,omitempty"`
	// Engagement holds bounce (BOUNCE_PROBABILITY) and visit_lengths (VISIT_LENGTHS).
	Engagement map[string]any `json:"engagement,omitempty"`
	// Goals maps goal ids to conversion rates ("1") and optional revenues ("1:revenue"): GOALS.
	Goals map[string]float64 `json:"goals,omitempty"`
	// Campaign and Dimensions are reserved: choosing campaigns by name and per-segment dimension
	// values are rejected by Parse until the visit model can filter them.
	Campaign   map[string]any     `json:"campaign,omitempty"`
	Dimensions map[string]Weights `json:"dimensions,omitempty"`
	// Settings override any per-visit setting by its env name (SITESEARCH_PROBABILITY: 0.3).
	Settings map[string]any `json:"settings,omitempty"`

	line int // where the segment starts in its file
}

// Journey says where a segment's visits land and how they go on.
type Journey struct {
	// Landing weighs the site sections (first path segment, e.g. products) visits land in.
	Landing Weights `json:"landing,omitempty"`
	// Funnel names a funnel of FUNNEL_CONFIG_PATH that the segment's visits follow with
	// FunnelProbability (default 1); the other funnels are not used by the segment.
	Funnel            string   `json:"funnel,omitempty"`
	FunnelProbability *float64 `json:"funnel_probability,omitempty"`
	// PageviewsMin and PageviewsMax bound the pages of a normal visit (PAGEVIEWS_MIN/MAX).
	PageviewsMin *int `json:"pageviews_min,omitempty"`
	PageviewsMax *int `json:"pageviews_max,omitempty"`
	// Journeys is the share of visits following a built-in journey (JOURNEY_PROBABILITY).
	Journeys *float64 `json:"journeys,omitempty"`
}

// Problems is what Parse and Compile report; see config.Problems.
type Problems = config.Problems
