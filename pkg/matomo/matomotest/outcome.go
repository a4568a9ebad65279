package matomotest

// Reason keys name why a tracking request was rejected (Recorded.Reason, Summary.InvalidByReason).
// Matomo answers all of them with a bare 400; the keys exist so tests can tell them apart.
const (
	// ReasonUnknownSite: idsite missing, not a number, or not a site of this server.
	ReasonUnknownSite = "unknown_site"
	// ReasonBadCID: cid is set but is not exactly 16 hexadecimal characters.
	ReasonBadCID = "bad_cid"
	// ReasonCIPWithoutToken: cip needs a valid token_auth.
	ReasonCIPWithoutToken = "cip_without_token"
	// ReasonOldCDTWithoutToken: a cdt 24 hours old or older needs a valid token_auth.
	ReasonOldCDTWithoutToken = "old_cdt_without_token"
	// ReasonGeoWithoutToken: country, region, city, lat or long overrides need a valid token_auth.
	ReasonGeoWithoutToken = "geo_without_token"
	// ReasonBadEvent: some e_* parameter is set but e_c or e_a is empty.
	ReasonBadEvent = "bad_event"
	// ReasonUnknownGoal: idgoal is not a goal of the site (or 0 on a site without ecommerce).
	ReasonUnknownGoal = "unknown_goal"
	// ReasonBadECItems: ec_items is not a JSON array of [sku,name,category,price,quantity] items.
	ReasonBadECItems = "bad_ec_items"
	// ReasonDuplicateOrder: an ecommerce order reuses an ec_id already recorded for the site.
	ReasonDuplicateOrder = "duplicate_order"
	// ReasonBadPerformance: a pageview carries a negative pf_* timing other than -1 (Matomo's
	// PagePerformance: "Value for pf_net can't be negative").
	ReasonBadPerformance = "bad_performance"
)

// Exclusion keys name why an accepted request left no data. Matomo counts such requests as
// tracked ("an excluded visit is considered successfully logged"), and so does this server.
const (
	// ExcludedNoRec: the request had no rec=1.
	ExcludedNoRec = "no_rec"
	// ExcludedPingWithoutVisit: a ping that would have started a new visit is dropped.
	ExcludedPingWithoutVisit = "ping_without_visit"
	// ExcludedBot: the user agent is a known crawler's and the request has no bots=1 (Matomo's
	// VisitExcluded::isNonHumanBot).
	ExcludedBot = "bot"
)

// Hit kinds, the keys of Summary.HitsByKind. A request is counted under one kind, chosen with
// Matomo's priority: ping, then goal conversions (ecommerce for idgoal=0), then download > outlink >
// event > content > site search > pageview.
const (
	KindPageview  = "pageview"
	KindEvent     = "event"
	KindSearch    = "search"
	KindOutlink   = "outlink"
	KindDownload  = "download"
	KindContent   = "content"
	KindEcommerce = "ecommerce"
	KindGoal      = "goal"
	KindPing      = "ping"
)

// outcome is what became of one tracking request: accepted, rejected for a reason, or excluded.
type outcome uint8

const (
	outOK outcome = iota
	outUnknownSite
	outBadCID
	outCIPWithoutToken
	outOldCDTWithoutToken
	outGeoWithoutToken
	outBadEvent
	outUnknownGoal
	outBadECItems
	outDuplicateOrder
	outBadPerformance
	outNoRec
	outPingWithoutVisit
	outBot
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	"", ReasonUnknownSite, ReasonBadCID, ReasonCIPWithoutToken, ReasonOldCDTWithoutToken,
	ReasonGeoWithoutToken, ReasonBadEvent, ReasonUnknownGoal, ReasonBadECItems, ReasonDuplicateOrder,
	ReasonBadPerformance, ExcludedNoRec, ExcludedPingWithoutVisit, ExcludedBot,
}

// invalid reports whether the outcome is a rejection (400 / counted as invalid).
func (o outcome) invalid() bool { return o >= outUnknownSite && o < outNoRec }

// excluded reports whether the outcome is an accepted request that recorded nothing.
func (o outcome) excluded() bool { return o >= outNoRec }

// kind is the type of a hit.
type kind uint8

const (
	kPageview kind = iota
	kEvent
	kSearch
	kOutlink
	kDownload
	kContent
	kEcommerce
	kGoal
	kPing
	numKinds
)

var kindNames = [numKinds]string{
	KindPageview, KindEvent, KindSearch, KindOutlink, KindDownload, KindContent, KindEcommerce,
	KindGoal, KindPing,
}

// liveType is the actionDetails type Live.getLastVisitsDetails gives this kind.
func (k kind) liveType(order bool) string {
	switch k {
	case kPageview:
		return "action"
	case kEcommerce:
		if order {
			return "ecommerceOrder"
		}
		return "ecommerceAbandonedCart"
	default:
		return kindNames[k]
	}
}
