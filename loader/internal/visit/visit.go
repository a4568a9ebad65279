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
}

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
