package matomotest

import (
	"cmp"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The report methods answer from the recorded visits, in the shape Matomo gives them, so that
// a probe timing them reads real JSON; the figures are sums a test can check, not Matomo's full
// reports. The visits of a period are those whose last action falls in it.

// reportVisits returns the site's visits of q's period and date.
func (s *Server) reportVisits(st *state, q url.Values, acc access) ([]visit, *apiError) {
	res, aerr := apiSite(s, st, url.Values{"idSite": {q.Get("idSite")}}, acc)
	if aerr != nil {
		return nil, aerr
	}
	sc := s.siteByID[siteNumber(res.(siteRow).IDSite)]
	if q.Get("period") == "" || q.Get("date") == "" {
		return nil, &apiError{http.StatusOK, "Please specify a value for 'period'."}
	}
	from, to, err := dateRange(sc.loc, q.Get("period"), q.Get("date"), s.opts.Now())
	if err != nil {
		return nil, &apiError{http.StatusOK, err.Error()}
	}
	return st.collect(sc, nil, from, to), nil
}

// apiVisitsSummary answers VisitsSummary.get.
func apiVisitsSummary(s *Server, st *state, q url.Values, acc access) (any, *apiError) {
	visits, aerr := s.reportVisits(st, q, acc)
	if aerr != nil {
		return nil, aerr
	}
	var actions, bounces, length, most, converted int64
	visitors, users := map[vkey]bool{}, map[string]bool{}
	for _, v := range visits {
		actions += int64(v.actions)
		length += v.totalTime // visit_total_time
		most = max(most, int64(v.actions))
		if v.actions <= 1 {
			bounces++
		}
		if v.orders > 0 || len(v.goals) > 0 {
			converted++
		}
		visitors[v.key] = true
		if v.uid != "" {
			users[v.uid] = true
		}
	}
	n := int64(len(visits))
	// The keys and their order are a real Matomo 5's; a range has no unique visitors or users.
	out := map[string]any{"nb_visits": n, "nb_actions": actions, "nb_visits_converted": converted, "bounce_count": bounces,
		"sum_visit_length": length, "max_actions": most, "bounce_rate": "0%", "nb_actions_per_visit": 0, "avg_time_on_site": 0}
	if q.Get("period") != "range" {
		out["nb_uniq_visitors"], out["nb_users"] = len(visitors), len(users)
	}
	if n > 0 {
		out["nb_actions_per_visit"] = math.Round(float64(actions)/float64(n)*10) / 10
		out["avg_time_on_site"] = length / n
		out["bounce_rate"] = strconv.FormatInt(int64(math.Round(float64(bounces)*100/float64(n))), 10) + "%"
	}
	return out, nil
}

// apiPageURLs answers Actions.getPageUrls (flat): one row per URL with its pageviews.
func apiPageURLs(s *Server, st *state, q url.Values, acc access) (any, *apiError) {
	visits, aerr := s.reportVisits(st, q, acc)
	if aerr != nil {
		return nil, aerr
	}
	hits, inVisits := map[string]int{}, map[string]int{}
	for _, v := range visits {
		seen := map[string]bool{}
		for _, a := range v.details {
			if a.kind == kPageview {
				hits[a.url]++
				if !seen[a.url] {
					seen[a.url] = true
					inVisits[a.url]++
				}
			}
		}
	}
	type row struct {
		Label    string `json:"label"`
		NbVisits int    `json:"nb_visits"`
		NbHits   int    `json:"nb_hits"`
		URL      string `json:"url"`
	}
	rows := make([]row, 0, len(hits))
	for u, n := range hits {
		label := u
		if i := strings.Index(u, "://"); i >= 0 {
			if j := strings.IndexByte(u[i+3:], '/'); j >= 0 {
				label = u[i+3+j:]
			}
		}
		rows = append(rows, row{Label: label, NbVisits: inVisits[u], NbHits: n, URL: u})
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Or(cmp.Compare(b.NbHits, a.NbHits), cmp.Compare(a.URL, b.URL)) })
	return page(rows, q.Get("filter_offset"), q.Get("filter_limit")), nil
}

// apiReferrerType answers Referrers.getReferrerType with the visits as one "Direct Entry" row
// (the fake does not keep referrers).
func apiReferrerType(s *Server, st *state, q url.Values, acc access) (any, *apiError) {
	visits, aerr := s.reportVisits(st, q, acc)
	if aerr != nil {
		return nil, aerr
	}
	if len(visits) == 0 {
		return []any{}, nil
	}
	var actions int
	for _, v := range visits {
		actions += int(v.actions)
	}
	return []map[string]any{{"label": "Direct Entry", "nb_visits": len(visits), "nb_actions": actions,
		"segment": "referrerType==direct", "referrer_type": 1}}, nil
}

// apiGoals answers Goals.get: conversions and revenue of the visits' orders.
func apiGoals(s *Server, st *state, q url.Values, acc access) (any, *apiError) {
	visits, aerr := s.reportVisits(st, q, acc)
	if aerr != nil {
		return nil, aerr
	}
	// All goals: ecommerce orders and manual conversions (with an idGoal, that goal's only).
	goal, one := 0, false
	if raw := q.Get("idGoal"); raw != "" && raw != "ecommerceOrder" {
		goal, one = siteNumber(raw), true
	}
	var conv, withConv int
	var revenue float64
	for _, v := range visits {
		n := 0
		if !one || q.Get("idGoal") == "ecommerceOrder" {
			n += int(v.orders)
			revenue += v.revenue
		}
		if q.Get("idGoal") != "ecommerceOrder" {
			for _, g := range v.goals {
				if !one || g.id == goal {
					n++
					revenue += g.revenue
				}
			}
		}
		conv += n
		if n > 0 {
			withConv++
		}
	}
	rate := "0%"
	if len(visits) > 0 {
		rate = strconv.FormatFloat(float64(withConv)*100/float64(len(visits)), 'f', 2, 64) + "%"
	}
	return map[string]any{"nb_conversions": conv, "nb_visits_converted": withConv, "revenue": revenue, "conversion_rate": rate}, nil
}

// apiDelay is how long the answer to method waits: APILatency of the method (or of "*"), times
// the tracking load in units of its capacity when that is above 1.
func (s *Server) apiDelay(method string) time.Duration {
	d, ok := s.opts.APILatency[method]
	if !ok {
		d = s.opts.APILatency["*"]
	}
	if d <= 0 {
		return 0
	}
	if s.load.on() {
		if rho := s.load.rate() / s.load.cfg.Capacity; rho > 1 {
			d = time.Duration(float64(d) * rho)
		}
	}
	return d
}
