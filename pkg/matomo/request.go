package matomo

import (
	"strconv"
	"time"
)

// Request is one tracking hit. The zero value of each optional field means "not sent", so a
// generator fills in only what a hit needs. Campaigns are not a field: Matomo attributes a visit
// to a campaign from the query of URL (mtm_campaign, utm_source, ...), so they belong there.
type Request struct {
	// SiteID is the idsite; 0 means the client's target site.
	SiteID int
	// VisitorID is cid: exactly 16 hex characters, fixed for a simulated visitor, so Matomo
	// matches visits by it and never merges visitors by fingerprint.
	VisitorID string
	// Visitor, when set, carries cid, ua, lang and res already encoded (see NewVisitorParams), in
	// place of VisitorID, UserAgent, Lang and Resolution, which should then be empty.
	Visitor VisitorParams
	// URL is the page URL (url); campaign parameters go in its query.
	URL string
	// ActionName is the page title (action_name); "/" builds a title tree.
	ActionName string
	// Referrer is urlref, which decides the visit's channel.
	Referrer string
	// Time is cdt, sent in UTC; zero means "now" on the server. Older than 24 h needs a token.
	Time time.Time
	// UserAgent is ua, the browser's user agent (the HTTP User-Agent header is the client's own).
	UserAgent string
	// Lang is lang (Accept-Language); without GeoIP Matomo guesses the country from it.
	Lang string
	// Resolution is res, "WxH".
	Resolution string
	// LocalTime gives h, m and s (the visitor's wall clock) from its own location; zero omits them.
	LocalTime time.Time
	// IP is cip; it needs a token.
	IP string
	// NewVisit forces a new visit (new_visit=1).
	NewVisit bool
	// Ping marks a heartbeat (ping=1) that only extends the visit's last page time.
	Ping bool
	// PageViewID is pv_id (6 characters), linking events to the page view they happened on.
	PageViewID string
	// Event is sent when Category and Action are both set.
	Event Event
	// Search is a site search, sent when Keyword is set.
	Search Search
	// Link is an outlink URL (link).
	Link string
	// Download is a download URL (download).
	Download string
	// Goal is a manual goal conversion, sent when ID > 0 and no Order is set.
	Goal Goal
	// Order is an ecommerce order (idgoal=0 with ec_id) or cart update (items without ID).
	Order Order
	// Content is a content impression (c_n, c_p, c_t) or, with Interaction, a content interaction
	// (c_i); sent when set and its Name is not empty. A pointer, usually into a shared table, keeps
	// the hits that have none small.
	Content *Content
	// Timings are the page view's browser timings (pf_*), sent when Timings.Set is true.
	Timings Timings
	// Cookie is what the visitor's first-party cookie says about earlier visits (_idvc, _idts,
	// _viewts, _refts), sent when Cookie.Count > 0 and Time is set.
	Cookie Cookie
	// Dimensions are custom dimensions (dimensionN). Visit-scope ones, the same on every hit of a
	// visit, are cheaper in VisitorParams (see VisitorParams.WithDimension).
	Dimensions []Dimension
	// Extra are further parameters, appended last in the given order, for anything not modelled.
	Extra []Param
}

// Event is a Matomo event (e_c, e_a, e_n, e_v). Matomo records it only when both Category and
// Action are non-empty.
type Event struct {
	Category, Action, Name string
	// Value is e_v, sent only when HasValue is true (0 is a legitimate value).
	Value    float64
	HasValue bool
}

// Search is a site search (search, search_cat, search_count).
type Search struct {
	Keyword, Category string
	// Count is search_count, sent only when HasCount is true: 0 means "no results" in Matomo's
	// reports, which a forgotten field must not claim.
	Count    int
	HasCount bool
}

// Goal is a manual goal conversion (idgoal, revenue). The goal must exist on the site, or
// Matomo rejects the hit with 400.
type Goal struct {
	ID int
	// Revenue overrides the goal's default revenue when non-zero.
	Revenue float64
}

// Order is an ecommerce order or cart update, sent as idgoal=0. With an ID (ec_id, unique per
// site: a repeated one is rejected) it is an order; with only Items it is a cart update.
// Amounts go out with two decimals.
type Order struct {
	ID    string
	Items []Item
	// Revenue is the grand total (revenue).
	Revenue float64
	// Subtotal, Tax, Shipping and Discount are ec_st, ec_tx, ec_sh and ec_dt; zero omits them.
	Subtotal, Tax, Shipping, Discount float64
}

// Item is one line of an order, encoded in ec_items as [sku,name,category,price,quantity].
type Item struct {
	SKU, Name, Category string
	Price               float64
	Quantity            int
}

// Content is a content block seen (impression) or clicked (interaction) on the page. Matomo records
// it only when Name is set; it is no action, so it does not turn a bounce into a visit of two.
type Content struct {
	Name, Piece, Target string // c_n, c_p, c_t
	// Interaction is c_i ("click"); "" makes the hit an impression.
	Interaction string
}

// Timings are the browser's page performance timings in milliseconds: network (pf_net), server
// (pf_srv), transfer (pf_tfr), DOM processing (pf_dm1), DOM completion (pf_dm2) and onload (pf_onl).
// Matomo reads them on page views only.
type Timings struct {
	Network, Server, Transfer, DOMProcessing, DOMCompletion, OnLoad int32
	// Set sends them (0 ms is a legitimate timing).
	Set bool
}

// Cookie is the visit-count part of the JavaScript tracker's first-party cookie, sent on every hit
// of a returning visitor. Times are seconds before the hit's own cdt, so one Cookie value, shifted
// by the hit's offset, serves every hit of a visit wherever the visit is placed in time.
type Cookie struct {
	// Count is _idvc, the visitor's number of visits including this one; 0 sends no cookie fields.
	Count int32
	// FirstAgo, LastAgo and RefAgo are how long before the hit the first visit (_idts), the
	// previous visit (_viewts) and the attribution referrer's visit (_refts; 0 omits it) were.
	FirstAgo, LastAgo, RefAgo int32
}

// Dimension is a custom dimension value (dimensionID=Value).
type Dimension struct {
	ID    int
	Value string
}

// Param is one extra query parameter; Key and Value are escaped when encoded.
type Param struct {
	Key, Value string
}

// Kind is what Matomo records for a hit. The loader counts hits per kind.
type Kind uint8

// The kinds of hit, decided in Matomo's own order of precedence (see Request.Kind).
const (
	KindPageview Kind = iota
	KindEvent
	KindSearch
	KindOutlink
	KindDownload
	KindEcommerce
	KindGoal
	KindPing
	KindContent
)

var kindNames = [...]string{"pageview", "event", "search", "outlink", "download", "ecommerce", "goal", "ping", "content"}

// String is the kind's lower-case name, used as a stats key.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Kind says what the hit records. A ping only extends the visit and a conversion (ecommerce or
// goal) records no action; otherwise Matomo's action precedence applies: download, outlink,
// event, content, site search, page view.
func (r *Request) Kind() Kind {
	switch {
	case r.Ping:
		return KindPing
	case r.Order.present():
		return KindEcommerce
	case r.Goal.ID > 0:
		return KindGoal
	case r.Download != "":
		return KindDownload
	case r.Link != "":
		return KindOutlink
	case r.Event.present():
		return KindEvent
	case r.Content != nil && r.Content.Name != "":
		return KindContent
	case r.Search.Keyword != "":
		return KindSearch
	}
	return KindPageview
}

func (o *Order) present() bool { return o.ID != "" || len(o.Items) > 0 }
func (e *Event) present() bool { return e.Category != "" && e.Action != "" }

// VisitorParams are the parameters every hit of a visit repeats — cid, ua, lang and res — encoded
// once for the whole visit. The user agent is the longest value of a hit; a loader sending hundreds
// of thousands of hits a second spends a measurable share of its CPU escaping it again and again.
type VisitorParams struct{ enc string }

// NewVisitorParams encodes a visitor's cid, ua, lang and res (empty values are left out).
func NewVisitorParams(visitorID, userAgent, lang, resolution string) VisitorParams {
	b := make([]byte, 0, 32+len(visitorID)+len(userAgent)*3/2+len(lang)+len(resolution))
	b = appendParam(b, "cid", visitorID)
	b = appendParam(b, "ua", userAgent)
	b = appendParam(b, "lang", lang)
	b = appendParam(b, "res", resolution)
	return VisitorParams{enc: string(b)}
}

// With returns p with one more visit-wide parameter (such as uid, _ref or a visit-scope
// dimensionN); an empty value is left out. key must be a plain parameter name.
func (p VisitorParams) With(key, value string) VisitorParams {
	if value == "" {
		return p
	}
	b := make([]byte, 0, len(p.enc)+len(key)+len(value)*3/2+2)
	b = append(b, p.enc...)
	return VisitorParams{enc: string(appendParam(b, key, value))}
}

// WithUserID returns p with the User ID (uid). Matomo then identifies the visitor by the uid's hash
// (enable_userid_overwrites_visitorid), on every device the person uses.
func (p VisitorParams) WithUserID(uid string) VisitorParams { return p.With("uid", uid) }

// WithDimension returns p with a visit-scope custom dimension (dimensionID=value).
func (p VisitorParams) WithDimension(id int, value string) VisitorParams {
	return p.With("dimension"+strconv.Itoa(id), value)
}

// IsZero reports whether p holds nothing.
func (p VisitorParams) IsZero() bool { return p.enc == "" }
