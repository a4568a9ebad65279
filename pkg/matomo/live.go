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
// actions.
type Visit struct {
	SiteID    int
	VisitorID string
	First     time.Time
	Last      time.Time
	Actions   int
}

// visitJSON is a Live.getLastVisitsDetails row (numbers may come as strings).
type visitJSON struct {
	SiteID    flexInt `json:"idSite"`
	VisitorID string  `json:"visitorId"`
	First     flexInt `json:"firstActionTimestamp"`
	Last      flexInt `json:"lastActionTimestamp"`
	Actions   flexInt `json:"actions"`
}

// maxSegmentIDs keeps each segment (and URL) short enough for any proxy.
const maxSegmentIDs = 100

// LastVisits returns the visits on date (YYYY-MM-DD, site time) of the given visitors
// (16-hex cids), newest first per call, asking in chunks of at most 100 visitors. An empty list
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
			"idSite":            {strconv.Itoa(siteID)},
			"period":            {"day"},
			"date":              {date},
			"segment":           {visitorSegment(chunk)},
			"filter_limit":      {"-1"},
			"doNotFetchActions": {"1"},
		}, &rows, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			visits = append(visits, Visit{
				SiteID: int(r.SiteID), VisitorID: r.VisitorID, Actions: int(r.Actions),
				First: time.Unix(int64(r.First), 0).UTC(), Last: time.Unix(int64(r.Last), 0).UTC(),
			})
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
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
