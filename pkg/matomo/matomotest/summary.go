package matomotest

// Summary is a snapshot of what the server received and recorded, shaped for JSON (matomo-sink
// serves it on /summary) and for assertions in tests.
type Summary struct {
	// Requests counts HTTP requests to the tracking endpoints, faulted ones included.
	Requests int `json:"requests"`
	// Bulks counts bulk requests (bodies containing "requests").
	Bulks int `json:"bulks"`
	// Faults counts requests that got an injected fault (including dropped replies, deadlocks and
	// late processing).
	Faults int `json:"faults"`
	// RolledBack counts bulk hits lost to an injected deadlock: never processed, so they are in no
	// other count, in no visit and not in Requests.
	RolledBack int `json:"rolled_back"`
	// ConcurrentVisitors counts distinct visitors (site and visitor id) whose hits were in two
	// bulk requests handled at the same time, latency and late delay included: in a real Matomo,
	// two PHP workers racing on the same visit.
	ConcurrentVisitors int `json:"concurrent_visitors"`
	// Counts over all sites. Hits rejected for an unknown site are only counted here.
	Counts
	// PerSite has the same counts per site id, plus per-day figures.
	PerSite map[int]SiteSummary `json:"per_site"`
}

// Counts are the tallies kept for the whole server and for each site.
type Counts struct {
	// Hits are tracking requests processed (a bulk of 100 is 100 hits).
	Hits int `json:"hits"`
	// Tracked are hits Matomo would report as tracked: recorded ones plus Excluded ones.
	Tracked int `json:"tracked"`
	// Invalid are hits Matomo would reject (400, or "invalid" in a bulk reply).
	Invalid int `json:"invalid"`
	// Excluded are tracked hits that left no data (no rec=1, a ping after the visit ended).
	Excluded int `json:"excluded"`
	// DuplicateHits are hits recorded into a visit whose query string, token_auth aside, is
	// identical to that of a hit recorded before for the same site: what re-sending a request
	// that had landed produces. (The server keeps 8 bytes per recorded hit to tell.)
	DuplicateHits int `json:"duplicate_hits"`
	// InvalidByReason splits Invalid by Reason* key.
	InvalidByReason map[string]int `json:"invalid_by_reason"`
	// ExcludedByReason splits Excluded by Excluded* key.
	ExcludedByReason map[string]int `json:"excluded_by_reason"`
	// HitsByKind counts recorded hits by Kind* key (pings that extended a visit included).
	HitsByKind map[string]int `json:"hits_by_kind"`
	// Actions are recorded actions: every kind except ping, goal, ecommerce and content (Matomo's
	// visit_total_actions counts page views, downloads, outlinks, site searches and events).
	Actions int `json:"actions"`
	// Visits are visits as Matomo would have built them.
	Visits int `json:"visits"`
	// Visitors are distinct visitor ids with at least one visit (per site: Matomo's unique visitors).
	Visitors int `json:"visitors"`
	// ReturningVisitors are visitors with more than one visit.
	ReturningVisitors int `json:"returning_visitors"`
	// Orders are ecommerce orders (idgoal=0 with a new ec_id).
	Orders int `json:"orders"`
	// Revenue is the sum of the orders' revenue parameter.
	Revenue float64 `json:"revenue"`
	// VisitsByDay counts visits by the site-local day ("YYYY-MM-DD") they happened on.
	VisitsByDay map[string]int `json:"visits_by_day"`
	// Reports are the tallies behind campaigns, goals, contents, page performance, user ids,
	// custom dimensions, engagement and returning visits.
	Reports
}

// SiteSummary is the summary of one site.
type SiteSummary struct {
	Counts
	// Days has per-day figures, keyed by site-local date "YYYY-MM-DD".
	Days map[string]DaySummary `json:"days"`
}

// DaySummary is what one site-local day holds, the figures a backfill of that day should produce.
type DaySummary struct {
	Visits    int     `json:"visits"`
	Visitors  int     `json:"visitors"`
	Actions   int     `json:"actions"`
	Pageviews int     `json:"pageviews"`
	Hits      int     `json:"hits"`
	Orders    int     `json:"orders"`
	Revenue   float64 `json:"revenue"`
	// FirstAction and LastAction are the earliest and latest hit times of the day (unix seconds).
	FirstAction int64 `json:"first_action"`
	LastAction  int64 `json:"last_action"`
	// Bounces, ReturningVisits, CampaignVisits and VisitLength are the day's share of the
	// Reports fields of the same names (CampaignVisits: visits with any campaign).
	Bounces         int            `json:"bounces"`
	ReturningVisits int            `json:"returning_visits"`
	CampaignVisits  int            `json:"campaign_visits"`
	VisitLength     map[string]int `json:"visit_length"`
}

// Summary returns the current tallies. It walks every visit, so it costs O(visits).
func (s *Server) Summary() Summary {
	st := s.state()
	sum := Summary{
		Requests: int(st.requests.Load()),
		Bulks:    int(st.bulks.Load()),
		Faults:   int(st.faults.Load()),
		Counts:   newCounts(),
		PerSite:  make(map[int]SiteSummary, len(s.sites)),

		RolledBack:         int(st.rolledBack.Load()),
		ConcurrentVisitors: st.flight.overlapping(),
	}
	users := map[string]map[uint64]bool{}
	siteUsers := map[int]map[string]map[uint64]bool{}
	for _, sc := range s.sites {
		sum.PerSite[sc.id] = SiteSummary{Counts: newCounts(), Days: map[string]DaySummary{}}
		siteUsers[sc.id] = map[string]map[uint64]bool{}
	}
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.Lock()
		sum.addCounters(&sh.total)
		sum.addHits(&sh.reports)
		for _, sc := range s.sites {
			ss := sum.PerSite[sc.id]
			ss.addCounters(&sh.perSite[sc.idx])
			ss.addHits(&sh.siteReps[sc.idx])
			sum.PerSite[sc.id] = ss
		}
		for key, visits := range sh.visitors {
			ss := sum.PerSite[int(key.site)]
			ss.addVisitor(visits)
			sum.addVisitor(visits)
			for _, v := range visits {
				ss.addVisit(v, siteUsers[int(key.site)])
				sum.addVisit(v, users)
			}
			sum.PerSite[int(key.site)] = ss
		}
		sh.mu.Unlock()
	}
	sum.addUsers(users)
	for id, u := range siteUsers {
		ss := sum.PerSite[id]
		ss.addUsers(u)
		sum.PerSite[id] = ss
	}
	return sum
}

func newCounts() Counts {
	return Counts{
		InvalidByReason:  map[string]int{},
		ExcludedByReason: map[string]int{},
		HitsByKind:       map[string]int{},
		VisitsByDay:      map[string]int{},
		Reports:          newReports(),
	}
}

// addCounters adds a shard's request tallies.
func (c *Counts) addCounters(k *counters) {
	c.Hits += int(k.hits)
	c.Tracked += int(k.tracked)
	c.Invalid += int(k.invalid)
	c.Excluded += int(k.excluded)
	c.DuplicateHits += int(k.duplicates)
	for o := outcome(0); o < numOutcomes; o++ {
		n := int(k.outcomes[o])
		switch {
		case n == 0:
		case o.invalid():
			c.InvalidByReason[outcomeNames[o]] += n
		case o.excluded():
			c.ExcludedByReason[outcomeNames[o]] += n
		}
	}
}

// addVisitor adds one visitor's visits.
func (c *Counts) addVisitor(visits []*visit) {
	if len(visits) == 0 {
		return
	}
	c.Visitors++
	if len(visits) > 1 {
		c.ReturningVisitors++
	}
	for _, v := range visits {
		c.Visits++
		c.Actions += int(v.actions)
		c.Orders += int(v.orders)
		c.Revenue += v.revenue
		c.VisitsByDay[dayString(v.day)]++
		for k, n := range v.kinds {
			if n > 0 {
				c.HitsByKind[kindNames[k]] += int(n)
			}
		}
	}
}

// addVisitor adds one visitor's visits to the site's counts and days.
func (ss *SiteSummary) addVisitor(visits []*visit) {
	ss.Counts.addVisitor(visits)
	var seen map[int32]bool
	for _, v := range visits {
		day := dayString(v.day)
		d := ss.Days[day]
		if !seen[v.day] {
			d.Visitors++
		}
		if len(visits) > 1 {
			if seen == nil {
				seen = map[int32]bool{}
			}
			seen[v.day] = true
		}
		d.Visits++
		d.Actions += int(v.actions)
		d.Pageviews += int(v.kinds[kPageview])
		for _, n := range v.kinds {
			d.Hits += int(n)
		}
		d.Orders += int(v.orders)
		d.Revenue += v.revenue
		d.addVisitReports(v)
		if d.FirstAction == 0 || v.first < d.FirstAction {
			d.FirstAction = v.first
		}
		d.LastAction = max(d.LastAction, v.last)
		ss.Days[day] = d
	}
}
