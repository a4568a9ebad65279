package visit

import (
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// Visitor is who makes a visit. A returning visitor has the same ID, device, language and IP as on
// their earlier visit.
type Visitor struct {
	ID         string // cid: 16 hex characters
	UserAgent  string
	Resolution string
	Lang       string
	Country    string // ISO 3166 code, "" when countries are not randomised
	IP         string // sent as cip only to targets that have a token
	Returning  bool
	// Past: the visitor came before the window; the visit carries their earlier visit (Visit.Past).
	Past bool
	// Count is the visitor's number of visits, this one included (_idvc).
	Count int
	// SinceFirst and SinceLast are the time from the visitor's first and previous visit to this one.
	SinceFirst, SinceLast time.Duration
	// Referrer is where a returning visitor first came from (_ref); "" for direct.
	Referrer string
	// UserID is a logged-in member's uid, sent on their returning visits.
	UserID string
	// OtherDevice: a member's visit on their second device.
	OtherDevice bool
}

// MatomoID is the visitor id Matomo records the visit under: the uid's hash for a logged-in
// member (on any device), else the cid.
func (v *Visitor) MatomoID() string {
	if v.UserID != "" {
		return userIDHash(v.UserID)
	}
	return v.ID
}

// JourneyBot is the Journey of a crawler's visit.
const JourneyBot = "bot"

// Hit is one tracking request of a visit.
type Hit struct {
	// Offset is the hit's simulated time after the visit's start: cdt = start + Offset. Offsets are
	// whole seconds (cdt's resolution) and strictly increasing within a visit.
	Offset time.Duration
	// Pause is the real time to wait before sending this hit in live mode (0 for the first hit).
	Pause time.Duration
	// Request is the hit without its time (Request.Time); the engine sets it from the start.
	Request matomo.Request
}

// Visit is one simulated visit.
type Visit struct {
	Seq      uint64
	Visitor  Visitor
	Hits     []Hit
	Duration time.Duration // offset of the last hit (the closing ping)
	Journey  string        // "", a built-in journey's name, or "funnel:<name>"
	Order    bool          // the visit contains an ecommerce order
	Segment  string        // the scenario segment the visit belongs to ("" without a scenario)
	// Past is how many leading hits are the visitor's synthetic earlier visit (negative offsets),
	// sent first so that Matomo knows a visitor who came before the window.
	Past int
	// Bounce: the visit was drawn as a bounce (BOUNCE_PROBABILITY): one page view, no other action.
	Bounce bool
	// Bot: a crawler's visit, which Matomo excludes; engines count it apart.
	Bot bool
}

// Stamp sets every hit's cdt from the visit's simulated start and returns the requests, ready to send.
// The start is chosen by the engine: in live mode so that the whole visit lies in the past, in backfill
// within the visit's day.
func (v *Visit) Stamp(start time.Time) []matomo.Request {
	out := make([]matomo.Request, len(v.Hits))
	for i := range v.Hits {
		out[i] = v.Hits[i].Request
		out[i].Time = start.Add(v.Hits[i].Offset)
	}
	return out
}
