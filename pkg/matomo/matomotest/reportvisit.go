package matomotest

import (
	"strconv"
	"strings"
)

// addVisit counts one visit's visit-level reports; users collects uid → devices.
func (r *Reports) addVisit(v *visit, users map[string]map[uint64]bool) {
	if v.actions <= 1 {
		r.Bounces++
	}
	for _, label := range lengthBuckets(v.totalTime) {
		r.VisitLength[label]++
	}
	if v.returning > 0 {
		r.ReturningVisits++
	}
	if v.returning == returningCustomer {
		r.ReturningCustomerVisits++
	}
	if v.returning == returningVisitor && v.sinceLast >= 0 {
		days := v.sinceLast / 86400
		for _, b := range DaysSinceLastBuckets {
			if days >= b.Min && (b.Max < 0 || days <= b.Max) {
				r.DaysSinceLastVisit[b.Label]++
			}
		}
	}
	if c := v.campaign; c != nil {
		r.Campaigns[c.name]++
		r.CampaignParams[c.param]++
		if c.keyword != "" {
			r.CampaignKeywords[c.keyword]++
		}
		if c.source != "" {
			r.CampaignSources[c.source]++
		}
		if c.medium != "" {
			r.CampaignMediums[c.medium]++
		}
		for _, f := range c.fields {
			r.CampaignFields[f]++
		}
	}
	for _, g := range v.goals {
		r.GoalConversions[g.id]++
		r.GoalRevenue[g.id] += g.revenue
	}
	for _, d := range v.dims {
		if d.value != "" {
			r.dimension(d.id)[d.value]++
		}
	}
	if v.uid != "" {
		r.VisitsWithUserID++
		if users[v.uid] == nil {
			users[v.uid] = map[uint64]bool{}
		}
		users[v.uid][v.device] = true
	}
}

// addUsers counts distinct uids and those seen on several devices.
func (r *Reports) addUsers(users map[string]map[uint64]bool) {
	r.UserIDs += len(users)
	for _, devs := range users {
		if len(devs) > 1 {
			r.CrossDeviceUserIDs++
		}
	}
}

// visitor_returning values.
const (
	returningNew      = 0
	returningVisitor  = 1
	returningCustomer = 2
)

// startVisit fills a new visit's visit-level report fields from its first hit and the visitor's
// earlier visits, as Matomo's VisitorRecognizer and the CoreHome, VisitorInterest and Referrers
// dimensions do on a new visit.
func startVisit(v *visit, h *hit, earlier []*visit) {
	v.sinceLast = -1
	// Matomo finds the visitor's latest visit whose last action is not after now + 30 min; with
	// a cid or uid it looks no further back (no lookback window applies to a known visitor id).
	var prev *visit
	ordered := false
	for _, e := range earlier {
		if e.last <= h.ts+visitLength && (prev == nil || e.last > prev.last) {
			prev = e
		}
	}
	if prev != nil {
		for _, e := range earlier {
			if e.last <= h.ts+visitLength && e.orders > 0 {
				ordered = true
			}
		}
		v.returning = returningVisitor
		if since := h.ts - prev.firstSeen; since >= 0 {
			v.sinceLast = since
		}
	}
	if ordered || h.order != "" {
		v.returning = returningCustomer
	}
	v.campaign = landingCampaign(h.rawURL)
}

// updateVisit applies a recorded hit's visit-level fields: visit_total_time, the uid, visit-scope
// dimensions and goal conversions.
func updateVisit(v *visit, h *hit, isNew bool) {
	if !isNew {
		v.totalTime = max(0, 1+h.ts-v.firstSeen)
		if h.kind == kGoal || h.kind == kEcommerce {
			// VisitTotalTime::onConvertedVisit adds idgoal + 2 so that the visit row always
			// changes (observed: a visit ending with a conversion of goal 2 is 4 s longer).
			v.totalTime += int64(h.idgoal) + 2
		}
	}
	if h.uid != "" {
		v.uid, v.device = h.uid, h.device
	}
	for _, d := range h.dims {
		if conf, ok := h.site.dims[d.id]; ok && conf.Scope == ScopeVisit {
			setDim(v, d.id, dimensionValue(d.raw))
		}
	}
	if h.kind == kGoal && h.goal != nil {
		if !h.goal.AllowMultiple {
			for _, g := range v.goals {
				if g.id == h.goal.ID {
					return // log_conversion's unique key: the second conversion is ignored
				}
			}
		}
		v.goals = append(v.goals, goalConv{id: h.goal.ID, revenue: h.revenue})
	}
}

func setDim(v *visit, id int, value string) {
	for i := range v.dims {
		if v.dims[i].id == id {
			v.dims[i].value = value
			return
		}
	}
	v.dims = append(v.dims, dimValue{id: id, value: value})
}

// deviceOf identifies a device for the cross-device count.
func deviceOf(p *params) uint64 {
	id := fingerprint(p.ua, p.res)
	var n uint64
	for i, b := range id {
		n |= uint64(b) << (8 * i)
	}
	return n
}

// goalRevenue is the conversion's revenue: the request's, else the goal's default.
func goalRevenue(g *Goal, raw string) float64 {
	if strings.TrimSpace(raw) != "" {
		if f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64); err == nil {
			return f
		}
	}
	return g.Revenue
}

// addVisitReports counts a visit's bounce, return, campaign and length into its day.
func (d *DaySummary) addVisitReports(v *visit) {
	if v.actions <= 1 {
		d.Bounces++
	}
	if v.returning > 0 {
		d.ReturningVisits++
	}
	if v.campaign != nil {
		d.CampaignVisits++
	}
	if d.VisitLength == nil {
		d.VisitLength = map[string]int{}
	}
	for _, label := range lengthBuckets(v.totalTime) {
		d.VisitLength[label]++
	}
}

// lengthBuckets are the labels of the VisitLengthBuckets a visit_total_time falls in: one, or two
// on a shared bound.
func lengthBuckets(t int64) []string {
	var out []string
	for _, b := range VisitLengthBuckets {
		if t >= b.Min && (b.Max < 0 || t <= b.Max) {
			out = append(out, b.Label)
		}
	}
	return out
}
