package scenario

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/dayplan"
	"github.com/trafficinator/trafficinator/pkg/shape"
)

// DefaultDeviceShares are the device classes' shares of visits when nothing filters them: the
// loader's built-in device pool (loader/internal/catalog.ClassShares, kept equal by a test there).
var DefaultDeviceShares = []Share{{DeviceDesktop, 0.55}, {DeviceMobile, 0.40}, {DeviceTablet, 0.05}}

// defaultSources are the relative weights of the non-direct referrers (the visit model's 35:15:20).
var defaultSources = []Share{{ReferrerSearch, 0.35}, {ReferrerSocial, 0.15}, {ReferrerWebsite, 0.20}}

// Preview is what one simulated day would look like: its visits hour by hour, with the weekly
// factor and the spikes of that day, and what the visits are made of, per segment and in all.
// Shares are expectations (what a long run converges to), not a sample.
type Preview struct {
	Date    string `json:"date"`
	Weekday string `json:"weekday"`
	// Mode is live or backfill: which per-day figure and curve the day follows.
	Mode string `json:"mode"`
	// DayFactor is the weekly rhythm's factor of the day (1 when it is off).
	DayFactor float64 `json:"day_factor"`
	// Visits is the day's visits; Hours splits them by local hour (a DST day has 23 or 25).
	Visits float64       `json:"visits"`
	Hours  []HourPreview `json:"hours"`
	// Spikes are the spikes of the day.
	Spikes   []SpikePreview   `json:"spikes"`
	Segments []SegmentPreview `json:"segments"`
	Total    Composition      `json:"total"`
}

// HourPreview is one local hour of the day.
type HourPreview struct {
	Hour   string  `json:"hour"` // local start, "09:00"
	Visits float64 `json:"visits"`
}

// SpikePreview is one spike occurrence.
type SpikePreview struct {
	From   string  `json:"from"` // local "HH:MM"
	To     string  `json:"to"`
	Factor float64 `json:"factor"`
	Spike  string  `json:"spike"` // as written in TRAFFIC_SPIKES
}

// SegmentPreview is one segment's part of the day.
type SegmentPreview struct {
	Name      string  `json:"name"`
	Share     float64 `json:"share"`
	Visits    float64 `json:"visits"`
	Countries []Share `json:"countries,omitempty"` // empty: the catalogue's countries
	Languages []Share `json:"languages,omitempty"`
	Landing   []Share `json:"landing,omitempty"` // empty: the whole site
	Funnel    string  `json:"funnel,omitempty"`
	// Overrides are the settings the segment changes, by env name.
	Overrides map[string]string `json:"overrides,omitempty"`
	Composition
}

// Composition is what a group of visits is made of, as expected shares of its visits.
type Composition struct {
	Devices   []Share `json:"devices"`
	Referrers []Share `json:"referrers"`
	Returning float64 `json:"returning"`
	Bounces   float64 `json:"bounces"`
	Campaigns float64 `json:"campaigns"`
	// Goals are the manual goals (GOALS) with their conversion rates, "goal 1": 0.05.
	Goals      []Share `json:"goals"`
	Orders     float64 `json:"orders"`
	SiteSearch float64 `json:"site_search"`
	Downloads  float64 `json:"downloads"`
	Outlinks   float64 `json:"outlinks"`
	Pageviews  float64 `json:"pageviews"` // mean pages of a normal visit
}

// NewPreview computes the calendar day of date (its year, month and day as they read in date's own
// location) in cfg's TIMEZONE, for cfg and segs (nil: no scenario, one audience as configured). seed
// draws random spikes, as the run's seed would.
func NewPreview(cfg config.Config, segs []Compiled, date time.Time, seed int64) Preview {
	loc, err := cfg.Location()
	if err != nil {
		loc = time.UTC
	}
	backfill := cfg.BackfillEnabled
	sh := shape.FromConfig(&cfg, backfill, seed, loc)
	y, m, d := date.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, loc)
	end := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	p := Preview{Date: start.Format(time.DateOnly), Weekday: start.Weekday().String(), Mode: "live", DayFactor: sh.DayFactor(start),
		Hours: []HourPreview{}, Spikes: []SpikePreview{}}
	perDay := cfg.VisitsPerDay
	weights := dayplan.HourWeights(config.ProfileFlat)
	if cfg.TrafficProfile == config.ProfileDiurnal {
		weights = dayplan.DiurnalWeights()
	}
	if backfill {
		p.Mode = "backfill"
		weights = dayplan.HourWeights(cfg.BackfillProfile)
		if cfg.BackfillPerDay > 0 {
			perDay = float64(cfg.BackfillPerDay)
		}
	}
	plain := dayplan.NewCurve(start, end, loc, &weights)
	curve := dayplan.NewShapedCurve(start, end, loc, &weights, sh)
	p.Visits = perDay * p.DayFactor * curve.Total() / plain.Total()
	for t := start; t.Before(end); t = t.Add(time.Hour) {
		next := t.Add(time.Hour)
		if next.After(end) {
			next = end
		}
		share := (curve.Cum(next) - curve.Cum(t)) / curve.Total()
		p.Hours = append(p.Hours, HourPreview{Hour: t.In(loc).Format("15:04"), Visits: round2(p.Visits * share)})
	}
	for _, w := range sh.Windows(start, end) {
		p.Spikes = append(p.Spikes, SpikePreview{From: w.From.In(loc).Format("15:04"), To: w.To.In(loc).Format("15:04"),
			Factor: w.Extra + 1, Spike: sh.Spikes[w.Spike].Raw})
	}
	p.Visits = round2(p.Visits)
	if len(segs) == 0 {
		segs = []Compiled{{Name: "all visits", Share: 1, Config: cfg}}
	}
	p.Segments, p.Total = segmentPreviews(segs, p.Visits)
	return p
}

func segmentPreviews(segs []Compiled, visits float64) ([]SegmentPreview, Composition) {
	var out []SegmentPreview
	total := Composition{}
	devices, referrers, goals := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, s := range segs {
		sp := SegmentPreview{Name: s.Name, Share: s.Share, Visits: round2(visits * s.Share), Countries: s.Countries,
			Languages: s.Languages, Landing: s.Landing, Funnel: s.Funnel, Overrides: s.Overrides,
			Composition: composition(s)}
		out = append(out, sp)
		for _, d := range sp.Devices {
			devices[d.Name] += s.Share * d.Share
		}
		for _, r := range sp.Referrers {
			referrers[r.Name] += s.Share * r.Share
		}
		for _, g := range sp.Goals {
			goals[g.Name] += s.Share * g.Share
		}
		total.Returning += s.Share * sp.Returning
		total.Bounces += s.Share * sp.Bounces
		total.Campaigns += s.Share * sp.Campaigns
		total.Orders += s.Share * sp.Orders
		total.SiteSearch += s.Share * sp.SiteSearch
		total.Downloads += s.Share * sp.Downloads
		total.Outlinks += s.Share * sp.Outlinks
		total.Pageviews += s.Share * sp.Pageviews
	}
	total.Devices = Weights(devices).Shares()
	total.Referrers = Weights(referrers).Shares()
	total.Goals = []Share{}
	for name, v := range goals {
		total.Goals = append(total.Goals, Share{Name: name, Share: round4(v)})
	}
	sort.Slice(total.Goals, func(i, j int) bool { return total.Goals[i].Name < total.Goals[j].Name })
	total.Bounces, total.Campaigns = round4(total.Bounces), round4(total.Campaigns)
	total.Returning, total.Orders, total.SiteSearch = round4(total.Returning), round4(total.Orders), round4(total.SiteSearch)
	total.Downloads, total.Outlinks, total.Pageviews = round4(total.Downloads), round4(total.Outlinks), round4(total.Pageviews)
	return out, total
}

// composition is what a segment's visits are made of.
func composition(s Compiled) Composition {
	c := s.Config
	r := Composition{Devices: s.Devices, Returning: c.ReturningProb, Bounces: c.BounceProb, Campaigns: c.CampaignProb,
		Goals: []Share{}, Orders: c.EcommerceProb, SiteSearch: c.SiteSearchProb, Downloads: c.DownloadsProb, Outlinks: c.OutlinksProb,
		Pageviews: float64(c.PageviewsMin+c.PageviewsMax) / 2}
	goals, _ := config.ParseGoals(c.Goals)
	for _, g := range goals {
		r.Goals = append(r.Goals, Share{Name: fmt.Sprintf("goal %d", g.ID), Share: g.Rate})
	}
	if r.Devices == nil {
		r.Devices = DefaultDeviceShares
	}
	sources := s.Sources
	if sources == nil {
		sources = defaultSources
	}
	sum := 0.0
	for _, src := range sources {
		sum += src.Share
	}
	// Campaign visits land from their campaign; the others are direct with DIRECT_TRAFFIC_PROBABILITY.
	other := 1 - c.CampaignProb
	r.Referrers = []Share{{ReferrerCampaign, round4(c.CampaignProb)}, {ReferrerDirect, round4(other * c.DirectTrafficProb)}}
	for _, src := range sources {
		r.Referrers = append(r.Referrers, Share{src.Name, round4(other * (1 - c.DirectTrafficProb) * src.Share / sum)})
	}
	return r
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }
