package matomo

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Visit is the part of a recorded visit that tells whether a batch landed: who, when, how many
// actions, and when each action happened.
type Visit struct {
	SiteID    int
	VisitorID string
	// First is Matomo's visit_first_action_time: the time of the first hit it PROCESSED for the
	// visit. A hit with an earlier cdt that joins the visit later does not lower it.
	First time.Time
	// Last is visit_last_action_time; a ping does not move it.
	Last    time.Time
	Actions int
	// ActionTimes are the unix seconds of the visit's actionDetails, in Matomo's order. Pageviews,
	// events, site searches, outlinks, downloads, goal conversions and ecommerce orders appear
	// there; pings and ecommerce cart updates do not.
	ActionTimes []int64
}

// visitJSON is a Live.getLastVisitsDetails row (numbers may come as strings).
type visitJSON struct {
	SiteID    flexInt `json:"idSite"`
	VisitorID string  `json:"visitorId"`
	First     flexInt `json:"firstActionTimestamp"`
	Last      flexInt `json:"lastActionTimestamp"`
	Actions   flexInt `json:"actions"`
	Details   []struct {
		Timestamp flexInt `json:"timestamp"`
	} `json:"actionDetails"`
}

// maxSegmentIDs keeps each segment (and URL) short enough for any proxy.
const maxSegmentIDs = 100

// LastVisits returns the visits on date (YYYY-MM-DD, site time) of the given visitors
// (16-hex cids) with their action times, newest first per call, asking in chunks of at most 100
// visitors. An empty list
// asks nothing. A malformed visitor id is rejected before any call, wrapping ErrInvalid.
func (c *Client) LastVisits(ctx context.Context, siteID int, date string, visitorIDs []string) ([]Visit, error) {
	const method = "Live.getLastVisitsDetails"
	for _, id := range visitorIDs {
		if !isHex16(id) {
			return nil, fmt.Errorf("matomo: %s: visitor id %q: %w: want 16 hex characters", method, id, ErrInvalid)
		}
	}
	var visits []Visit
	for start := 0; start < len(visitorIDs); start += maxSegmentIDs {
		chunk := visitorIDs[start:min(start+maxSegmentIDs, len(visitorIDs))]
		var rows []visitJSON
		err := c.api(ctx, method, url.Values{
			"idSite":       {strconv.Itoa(siteID)},
			"period":       {"day"},
			"date":         {date},
			"segment":      {visitorSegment(chunk)},
			"filter_limit": {"-1"},
		}, &rows, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			v := Visit{
				SiteID: int(r.SiteID), VisitorID: r.VisitorID, Actions: int(r.Actions),
				First: time.Unix(int64(r.First), 0).UTC(), Last: time.Unix(int64(r.Last), 0).UTC(),
				ActionTimes: make([]int64, len(r.Details)),
			}
			for i, d := range r.Details {
				v.ActionTimes[i] = int64(d.Timestamp)
			}
			visits = append(visits, v)
		}
	}
	return visits, nil
}

// visitorSegment ORs the ids: visitorId==a,visitorId==b (url.Values escapes it).
func visitorSegment(ids []string) string {
	var b strings.Builder
	b.Grow(len(ids) * 28)
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("visitorId==")
		b.WriteString(id)
	}
	return b.String()
}

func isHex16(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
