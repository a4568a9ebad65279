package matomotest

import (
	"strings"
	"unicode/utf8"
)

// Reports are the tallies behind the Matomo reports that tracking parameters beyond pageviews
// fill: campaigns, goals, contents, page performance, user ids, custom dimensions, engagement and
// returning visits. Each follows what Matomo 5 stores (see the comments); a test compares them
// with the shares it configured.
type Reports struct {
	// Campaigns counts visits by campaign name, as Referrers > Campaigns shows them: read from the
	// url of the visit's first hit (query, then fragment) with Matomo's campaign_var_name
	// parameters in Matomo's order (pk_cpn, pk_campaign, piwik_campaign, mtm_campaign,
	// matomo_campaign, utm_campaign, utm_source, utm_medium), trimmed and lower-cased.
	Campaigns map[string]int `json:"campaigns"`
	// CampaignKeywords counts campaign visits by keyword (pk_kwd, …, mtm_kwd, mtm_keyword, …,
	// utm_term), lower-cased; visits without one are not counted.
	CampaignKeywords map[string]int `json:"campaign_keywords"`
	// CampaignParams counts campaign visits by the parameter that gave the name, so a test can
	// tell the mtm_* form from the legacy pk_* one.
	CampaignParams map[string]int `json:"campaign_params"`
	// CampaignSources and CampaignMediums count campaign visits by mtm_source/pk_source/utm_source
	// and mtm_medium/pk_medium/utm_medium, as the MarketingCampaignsReporting plugin reads them
	// (not lower-cased).
	CampaignSources map[string]int `json:"campaign_sources"`
	CampaignMediums map[string]int `json:"campaign_mediums"`
	// CampaignFields counts campaign visits that carry each of the plugin's other fields: keyword,
	// content and cid (mtm_*, pk_* or utm_term/utm_content/utm_id).
	CampaignFields map[string]int `json:"campaign_fields"`

	// GoalConversions counts manual goal conversions by goal id: one per visit and goal unless the
	// goal allows several (Goal.AllowMultiple), as Matomo's log_conversion keeps them.
	GoalConversions map[int]int `json:"goal_conversions"`
	// GoalRevenue sums the conversions' revenue by goal id: the request's revenue, or the goal's
	// default revenue when the request has none.
	GoalRevenue map[int]float64 `json:"goal_revenue"`

	// ContentImpressions and ContentInteractions count recorded content hits (c_n) without and
	// with c_i.
	ContentImpressions  int `json:"content_impressions"`
	ContentInteractions int `json:"content_interactions"`
	// Contents splits them by content name.
	Contents map[string]ContentCount `json:"contents"`
	// ContentPieces and ContentTargets count content hits that carry c_p and c_t.
	ContentPieces  int `json:"content_pieces"`
	ContentTargets int `json:"content_targets"`

	// PerformancePageviews counts recorded pageviews with at least one stored pf_* timing.
	PerformancePageviews int `json:"performance_pageviews"`
	// Performance has count, min, max and sum of each stored timing (ms) by parameter name.
	// Matomo stores pf_* on pageviews only; -1 means not measured.
	Performance map[string]PerfStats `json:"performance"`
	// PerformanceIgnored counts timings Matomo drops without an error: above 16777215 ms (its
	// column's limit), or on a hit that is not a pageview.
	PerformanceIgnored int `json:"performance_ignored"`

	// VisitsWithUserID counts visits that carry a uid; UserIDs counts distinct uids (the User IDs
	// report's rows); CrossDeviceUserIDs counts uids seen with more than one device (user agent
	// and resolution).
	VisitsWithUserID   int `json:"visits_with_user_id"`
	UserIDs            int `json:"user_ids"`
	CrossDeviceUserIDs int `json:"cross_device_user_ids"`

	// Dimensions counts custom dimension values by dimension id: visits by their value for
	// visit-scope dimensions (the last value a hit of the visit set), recorded actions by value
	// for action-scope ones. Only dimensions configured and active for the site are stored, as
	// in Matomo; empty values are not counted.
	Dimensions map[int]map[string]int `json:"dimensions"`
	// IgnoredDimensions counts hits that sent dimensionN for an id the site has not configured
	// (or has deactivated): Matomo drops such values silently.
	IgnoredDimensions map[int]int `json:"ignored_dimensions"`

	// Bounces counts visits with at most one action (Matomo's bounce_count).
	Bounces int `json:"bounces"`
	// VisitLength counts visits in VisitorInterest's visit-duration buckets (VisitLengthBuckets),
	// by visit_total_time: 0 for a one-hit visit, else 1 + the last hit's time − the first's, plus
	// idgoal + 2 when the last hit is a goal or ecommerce conversion (Matomo's quirk, observed).
	// As in Matomo's SQL the bounds are inclusive, so a visit of exactly 60, 120, 240, 420, 600 or
	// 900 seconds is in two neighbouring buckets.
	VisitLength map[string]int `json:"visit_length"`

	// ReturningVisits counts visits with visitor_returning 1 or 2 (VisitFrequency's returning
	// visits): the visitor has a visit recorded before (Matomo 5 decides this from its own
	// log_visit only; _idvc, _idts and _viewts are not read), or a past or current order.
	ReturningVisits int `json:"returning_visits"`
	// ReturningCustomerVisits counts visits with visitor_returning 2 (returning customer).
	ReturningCustomerVisits int `json:"returning_customer_visits"`
	// DaysSinceLastVisit counts visits with visitor_returning 1 in VisitorInterest's
	// days-since-last-visit buckets (DaysSinceLastBuckets): whole days since the start of the
	// visitor's previous visit.
	DaysSinceLastVisit map[string]int `json:"days_since_last_visit"`
}

// ContentCount is the impressions and interactions of one content name.
type ContentCount struct {
	Impressions  int `json:"impressions"`
	Interactions int `json:"interactions"`
}

// PerfStats summarises one page-performance timing over the pageviews that stored it.
type PerfStats struct {
	Count int   `json:"count"`
	Min   int64 `json:"min"`
	Max   int64 `json:"max"`
	Sum   int64 `json:"sum"`
}

// Mean is the average timing; 0 without values.
func (p PerfStats) Mean() float64 {
	if p.Count == 0 {
		return 0
	}
	return float64(p.Sum) / float64(p.Count)
}

func (p *PerfStats) add(q PerfStats) {
	if q.Count == 0 {
		return
	}
	if p.Count == 0 || q.Min < p.Min {
		p.Min = q.Min
	}
	p.Max = max(p.Max, q.Max)
	p.Count += q.Count
	p.Sum += q.Sum
}

// Page performance parameters, in Matomo's order.
const numPerf = 6

// PerfParams are the page performance parameters Matomo reads on pageviews.
var PerfParams = [numPerf]string{"pf_net", "pf_srv", "pf_tfr", "pf_dm1", "pf_dm2", "pf_onl"}

// maxPerfValue is the largest timing Matomo stores (an unsigned MEDIUMINT); larger ones are dropped.
const maxPerfValue = 16777215

func perfIndex(k string) int {
	for i, n := range PerfParams {
		if n == k {
			return i
		}
	}
	return 0
}

// VisitLengthBuckets are VisitorInterest's visit-duration buckets in seconds, inclusive bounds;
// the last has no upper bound (Archiver::$timeGap).
var VisitLengthBuckets = []struct {
	Label    string
	Min, Max int64 // Max -1: no upper bound
}{
	{"0-10s", 0, 10}, {"11-30s", 11, 30}, {"31-60s", 31, 60}, {"1-2min", 60, 120}, {"2-4min", 120, 240},
	{"4-7min", 240, 420}, {"7-10min", 420, 600}, {"10-15min", 600, 900}, {"15-30min", 900, 1800},
	{"30+min", 1801, -1},
}

// DaysSinceLastBuckets are VisitorInterest's days-since-last-visit buckets (Archiver::$daysSinceLastVisitGap).
var DaysSinceLastBuckets = []struct {
	Label    string
	Min, Max int64
}{
	{"0", 0, 0}, {"1", 1, 1}, {"2", 2, 2}, {"3", 3, 3}, {"4", 4, 4}, {"5", 5, 5}, {"6", 6, 6}, {"7", 7, 7},
	{"8-14", 8, 14}, {"15-30", 15, 30}, {"31-60", 31, 60}, {"61-120", 61, 120}, {"121-364", 121, 364},
	{"365+", 365, -1},
}

// dimValue is a stored custom dimension value.
type dimValue struct {
	id    int
	value string
}

// goalConv is a recorded manual goal conversion.
type goalConv struct {
	id      int
	revenue float64
}

// dimensionValue prepares a dimension value as Matomo's CustomDimensions plugin does: trimmed
// and cut to 255 characters.
func dimensionValue(raw string) string {
	v := strings.TrimSpace(unescape(raw))
	if utf8.RuneCountInString(v) > 255 {
		v = string([]rune(v)[:255])
	}
	return v
}

// checkPerformance validates and keeps a pageview's pf_* timings: -1 (or absent, or not a number)
// means not measured, another negative value is an invalid request, and values above the column's
// limit are dropped.
func checkPerformance(h *hit, p *params) outcome {
	for i, raw := range p.perf {
		if raw == "" {
			continue
		}
		n := phpInt(raw, -1)
		switch {
		case n == -1:
		case n < 0:
			return outBadPerformance
		case n > maxPerfValue:
			h.perfIgnored++
		default:
			h.perf[i] = n
			h.perfSet |= 1 << i
		}
	}
	return outOK
}

// hitReports are the per-hit tallies of Reports, kept per shard and site under the shard's lock.
type hitReports struct {
	contentImpr, contentInter int
	contentPieces, contentTgt int
	contents                  map[string]ContentCount
	perfPageviews             int
	perf                      [numPerf]PerfStats
	perfIgnored               int
	actionDims                map[int]map[string]int
	ignoredDims               map[int]int
}

// addHit tallies one recorded hit: its page timings, its content and its action-scope custom
// dimensions (and the dimensions its site does not have).
func (r *hitReports) addHit(h *hit) {
	r.perfIgnored += int(h.perfIgnored)
	if h.perfSet != 0 {
		r.perfPageviews++
		for i := range numPerf {
			if h.perfSet&(1<<i) != 0 {
				r.perf[i].add(PerfStats{Count: 1, Min: h.perf[i], Max: h.perf[i], Sum: h.perf[i]})
			}
		}
	}
	if h.kind == kContent {
		if r.contents == nil {
			r.contents = map[string]ContentCount{}
		}
		name := unescape(h.contentName)
		c := r.contents[name]
		if h.interaction {
			r.contentInter++
			c.Interactions++
		} else {
			r.contentImpr++
			c.Impressions++
		}
		r.contents[name] = c
		if h.contentPiece {
			r.contentPieces++
		}
		if h.contentTarget {
			r.contentTgt++
		}
	}
	for _, d := range h.dims {
		conf, ok := h.site.dims[d.id]
		switch {
		case !ok:
			if r.ignoredDims == nil {
				r.ignoredDims = map[int]int{}
			}
			r.ignoredDims[d.id]++
		case conf.Scope == ScopeAction && h.kind.isAction():
			if v := dimensionValue(d.raw); v != "" {
				if r.actionDims == nil {
					r.actionDims = map[int]map[string]int{}
				}
				if r.actionDims[d.id] == nil {
					r.actionDims[d.id] = map[string]int{}
				}
				r.actionDims[d.id][v]++
			}
		}
	}
}

// isAction reports whether a hit of this kind creates an action (log_link_visit_action row).
func (k kind) isAction() bool { return k != kGoal && k != kEcommerce && k != kPing }

// addHits merges a shard's hit tallies into the summary's.
func (r *Reports) addHits(h *hitReports) {
	r.ContentImpressions += h.contentImpr
	r.ContentInteractions += h.contentInter
	r.ContentPieces += h.contentPieces
	r.ContentTargets += h.contentTgt
	for n, c := range h.contents {
		have := r.Contents[n]
		have.Impressions += c.Impressions
		have.Interactions += c.Interactions
		r.Contents[n] = have
	}
	r.PerformancePageviews += h.perfPageviews
	r.PerformanceIgnored += h.perfIgnored
	for i, st := range h.perf {
		if st.Count > 0 {
			have := r.Performance[PerfParams[i]]
			have.add(st)
			r.Performance[PerfParams[i]] = have
		}
	}
	for id, vals := range h.actionDims {
		for v, n := range vals {
			r.dimension(id)[v] += n
		}
	}
	for id, n := range h.ignoredDims {
		r.IgnoredDimensions[id] += n
	}
}

func (r *Reports) dimension(id int) map[string]int {
	if r.Dimensions[id] == nil {
		r.Dimensions[id] = map[string]int{}
	}
	return r.Dimensions[id]
}

func newReports() Reports {
	return Reports{
		Campaigns: map[string]int{}, CampaignKeywords: map[string]int{}, CampaignParams: map[string]int{},
		CampaignSources: map[string]int{}, CampaignMediums: map[string]int{}, CampaignFields: map[string]int{},
		GoalConversions: map[int]int{}, GoalRevenue: map[int]float64{},
		Contents: map[string]ContentCount{}, Performance: map[string]PerfStats{},
		Dimensions: map[int]map[string]int{}, IgnoredDimensions: map[int]int{},
		VisitLength: map[string]int{}, DaysSinceLastVisit: map[string]int{},
	}
}
