package matomotest

import (
	"fmt"
	"slices"
	"time"
)

// Options configure a Server. The zero value is a usable server with one site (id 1), no valid
// token, and Matomo's defaults everywhere else.
type Options struct {
	// Sites are the site ids that exist; default {1}. Ids that appear only in SiteInfo exist too.
	Sites []int
	// Token is the one valid token_auth. It acts as a super user: it authorises cip, old cdt and
	// geo overrides on every site, unlocks invalid_indices in bulk replies and gives admin access
	// to the Reporting API. Empty means no token is valid.
	Token string
	// ViewTokens get view access to every site in the Reporting API only; they do not authorise
	// anything in tracking requests (Matomo needs write or admin for that).
	ViewTokens []string
	// Goals lists the goal ids defined per site. idgoal=0 (ecommerce) needs no entry; it is allowed
	// whenever the site has ecommerce. A conversion of a goal id the site does not have is
	// rejected (400, "idGoal N does not exist").
	Goals map[int][]int
	// GoalDefs describes goals per site with a name, a default revenue and whether a visit may
	// convert them more than once; Goals.getGoals answers with them. A goal listed in Goals only
	// is named "Goal N", without revenue, once per visit.
	GoalDefs map[int][]Goal
	// Dimensions are the custom dimensions configured per site, as
	// CustomDimensions.getConfiguredCustomDimensions reports them. Only active ones store the
	// dimensionN values hits carry; others are dropped silently, as Matomo does
	// (Reports.IgnoredDimensions counts them).
	Dimensions map[int][]Dimension
	// SiteInfo describes sites; sites without an entry get DefaultSite values.
	SiteInfo map[int]Site
	// Version is what API.getMatomoVersion answers; default "5.2.0".
	Version string
	// QueuedTracking makes the server behave as if the QueuedTracking plugin were active: every
	// tracking request is acknowledged (bulk with 204, single with the usual GIF/204) without
	// telling the client about invalid hits. Validation still happens and shows in Summary.
	// A bulk posted to matomo.php?queuedtracking=0 bypasses the queue, as in the plugin.
	QueuedTracking bool
	// Now is the server's clock, used for hits without cdt and for the cdt age rules; default
	// time.Now.
	Now func() time.Time
	// RecordLimit is how many raw tracking requests (and API calls) Requests (and APICalls) keep;
	// the oldest are overwritten. Default 10,000; negative keeps none.
	RecordLimit int
	// DetailLimit bounds how many action details (url and title per action, for Live) are kept in
	// total, so that a benchmark of millions of hits does not hold every URL. Visits and counters are
	// complete either way. Default 100,000; negative keeps none.
	DetailLimit int
	// Faults are injected into tracking requests from the start; see SetFaults.
	Faults Faults
	// Load makes tracking slow down and fail past a capacity in hits per second.
	Load Load
	// APILatency delays the answers of Reporting API methods, by method name ("VisitsSummary.get");
	// the key "*" applies to every other method. With a Load, the delay is multiplied by the
	// tracking load in units of its capacity (when above 1): reports slow down as Matomo is busier.
	APILatency map[string]time.Duration
}

// Site is what SitesManager.getSiteFromId reports about a site and what decides its calendar.
type Site struct {
	// Name of the site; default "Site N".
	Name string
	// MainURL of the site; default "https://siteN.example".
	MainURL string
	// Timezone is an IANA name; midnight in this zone splits visits and days. Default "UTC".
	Timezone string
	// Currency code; default "SEK".
	Currency string
	// NoEcommerce turns ecommerce off for the site (then idgoal=0 is an unknown goal). Sites are
	// ecommerce sites by default, so that the zero Site needs no flag.
	NoEcommerce bool
}

// Goal is a goal of a site (a row of Matomo's goal table) for manual conversions.
type Goal struct {
	// ID is the idgoal, ≥ 1.
	ID int
	// Name of the goal; default "Goal N".
	Name string
	// Revenue is the default revenue of a conversion that sends none.
	Revenue float64
	// AllowMultiple lets a visit convert the goal more than once; by default Matomo keeps one
	// conversion per visit and goal.
	AllowMultiple bool
}

// Custom dimension scopes.
const (
	ScopeVisit  = "visit"
	ScopeAction = "action"
)

// Dimension is a custom dimension configured for a site.
type Dimension struct {
	// ID is the idcustomdimension; hits send it as dimension<ID>.
	ID int
	// Scope is ScopeVisit or ScopeAction.
	Scope string
	// Name of the dimension; default "Dimension N".
	Name string
	// Inactive dimensions are configured but store nothing.
	Inactive bool
}

// Faults make the tracking endpoints misbehave on purpose, at random but reproducibly for a given
// Seed. Rates are shares in [0,1]; their sum should not exceed 1. One draw per request decides,
// in this order: 500, 429, 503, dropped reply, deadlock, late processing. The faults observed
// against a real Matomo under concurrent bulk load are DeadlockRate, LateRate
// and LatencyTailAlpha.
type Faults struct {
	// Latency is added before each tracking request is handled. The client going away during it
	// cancels the request (nothing is processed).
	Latency time.Duration
	// LatencyTailAlpha, when above 0, makes the latency heavy-tailed: each request waits
	// Latency × U^(-1/alpha) for U uniform in (0,1] (a Pareto law of shape alpha; 1.5 is a
	// plausible value), capped at LatencyMax. 0 keeps the constant Latency.
	LatencyTailAlpha float64
	// LatencyMax caps the heavy-tailed latency; 0 means 10 × Latency. A value below Latency is
	// raised to Latency. Unused while LatencyTailAlpha is 0.
	LatencyMax time.Duration
	// ErrorRate is the share of requests answered 500 without being processed.
	ErrorRate float64
	// RateLimitRate is the share answered 429 with Retry-After: 1, as a proxy in front of Matomo
	// would; not processed.
	RateLimitRate float64
	// UnavailableRate is the share answered 503 (Matomo in maintenance); not processed.
	UnavailableRate float64
	// DropReplyRate is the share that is processed and then loses its reply: the connection is
	// closed without an answer, the case where a client cannot know whether its hits landed.
	DropReplyRate float64
	// DeadlockRate is the share of requests that meet an InnoDB deadlock, as a real Matomo does
	// under parallel bulks: for a bulk of n hits, the first k (k uniform in [1,n-1], 1 when n is 1)
	// are rolled back and lost (Summary.RolledBack), the other n-k are recorded as usual, and the
	// reply is a 500 with Matomo's JSON error body whatever the bulk asked for (send_image=0,
	// QueuedTracking). A single (non-bulk) request drawn for it is a plain 500, not processed.
	DeadlockRate float64
	// LateRate is the share of requests processed late: such a request waits its Latency and then
	// LateDelay, and the client going away stops neither (PHP does not stop a script because the
	// client left); it is then processed and recorded normally, and answered if the client is
	// still there. A client with a shorter timeout gives up, yet its hits land. Closing the server
	// cuts the wait short.
	LateRate float64
	// LateDelay is how long a late request waits.
	LateDelay time.Duration
	// Seed makes the sequence of fault decisions reproducible.
	Seed int64
}

const (
	defaultVersion     = "5.2.0"
	defaultRecordLimit = 10_000
	defaultDetailLimit = 100_000
)

// siteConf is a site with everything resolved that the hot path needs.
type siteConf struct {
	id    int
	idx   int // position in server.sites, used to index per-site counters
	info  Site
	loc   *time.Location
	goals map[int]*Goal
	// goalList is the site's goals in id order, for Goals.getGoals.
	goalList []*Goal
	// dims are the active custom dimensions by id; dimList all configured ones in id order.
	dims    map[int]Dimension
	dimList []Dimension
}

// DefaultSite returns the description a site gets when Options.SiteInfo has no entry for it.
func DefaultSite(id int) Site {
	return Site{
		Name:     fmt.Sprintf("Site %d", id),
		MainURL:  fmt.Sprintf("https://site%d.example", id),
		Timezone: "UTC",
		Currency: "SEK",
	}
}

// resolveSites merges Sites, SiteInfo and Goals into sorted site configurations.
func resolveSites(o Options) ([]*siteConf, error) {
	ids := slices.Clone(o.Sites)
	for id := range o.SiteInfo {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		ids = []int{1}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	out := make([]*siteConf, 0, len(ids))
	for i, id := range ids {
		if id <= 0 {
			return nil, fmt.Errorf("matomotest: site id %d must be positive", id)
		}
		info := mergeSite(DefaultSite(id), o.SiteInfo[id])
		loc, err := time.LoadLocation(info.Timezone)
		if err != nil {
			return nil, fmt.Errorf("matomotest: site %d timezone %q: %w", id, info.Timezone, err)
		}
		sc := &siteConf{id: id, idx: i, info: info, loc: loc}
		if err := sc.resolveGoals(o.Goals[id], o.GoalDefs[id]); err != nil {
			return nil, err
		}
		if err := sc.resolveDimensions(o.Dimensions[id]); err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// resolveGoals merges a site's goal ids and goal definitions.
func (sc *siteConf) resolveGoals(ids []int, defs []Goal) error {
	sc.goals = make(map[int]*Goal, len(ids)+len(defs))
	for _, g := range defs {
		if g.ID <= 0 {
			return fmt.Errorf("matomotest: site %d: goal id %d must be positive", sc.id, g.ID)
		}
		if g.Name == "" {
			g.Name = fmt.Sprintf("Goal %d", g.ID)
		}
		sc.goals[g.ID] = &g
	}
	for _, id := range ids {
		if id <= 0 {
			return fmt.Errorf("matomotest: site %d: goal id %d must be positive", sc.id, id)
		}
		if sc.goals[id] == nil {
			sc.goals[id] = &Goal{ID: id, Name: fmt.Sprintf("Goal %d", id)}
		}
	}
	for _, g := range sc.goals {
		sc.goalList = append(sc.goalList, g)
	}
	slices.SortFunc(sc.goalList, func(a, b *Goal) int { return a.ID - b.ID })
	return nil
}

// resolveDimensions checks a site's custom dimensions and indexes the active ones.
func (sc *siteConf) resolveDimensions(dims []Dimension) error {
	sc.dims = make(map[int]Dimension, len(dims))
	seen := map[int]bool{}
	for _, d := range dims {
		if d.ID <= 0 || seen[d.ID] {
			return fmt.Errorf("matomotest: site %d: dimension id %d must be positive and unique", sc.id, d.ID)
		}
		if d.Scope != ScopeVisit && d.Scope != ScopeAction {
			return fmt.Errorf("matomotest: site %d: dimension %d scope %q (want %q or %q)", sc.id, d.ID, d.Scope, ScopeVisit, ScopeAction)
		}
		if d.Name == "" {
			d.Name = fmt.Sprintf("Dimension %d", d.ID)
		}
		seen[d.ID] = true
		sc.dimList = append(sc.dimList, d)
		if !d.Inactive {
			sc.dims[d.ID] = d
		}
	}
	slices.SortFunc(sc.dimList, func(a, b Dimension) int { return a.ID - b.ID })
	return nil
}

// mergeSite fills the empty fields of s from def.
func mergeSite(def, s Site) Site {
	if s.Name == "" {
		s.Name = def.Name
	}
	if s.MainURL == "" {
		s.MainURL = def.MainURL
	}
	if s.Timezone == "" {
		s.Timezone = def.Timezone
	}
	if s.Currency == "" {
		s.Currency = def.Currency
	}
	return s
}

// withDefaults returns o with every unset field at its default.
func withDefaults(o Options) Options {
	if o.Version == "" {
		o.Version = defaultVersion
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	switch {
	case o.RecordLimit == 0:
		o.RecordLimit = defaultRecordLimit
	case o.RecordLimit < 0:
		o.RecordLimit = 0
	}
	switch {
	case o.DetailLimit == 0:
		o.DetailLimit = defaultDetailLimit
	case o.DetailLimit < 0:
		o.DetailLimit = 0
	}
	return o
}
