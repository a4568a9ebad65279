package matomotest

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// msgBadVisitorID is Matomo's exact error for a visitorId segment value that is not 16 hex chars.
const msgBadVisitorID = "visitorId is expected to be a 16 hex char string"

// liveVisit is one element of Live.getLastVisitsDetails. Matomo renders database columns as
// strings and computed timestamps as numbers; the same mix is kept here.
type liveVisit struct {
	IDSite               string       `json:"idSite"`
	IDVisit              string       `json:"idVisit"`
	VisitorID            string       `json:"visitorId"`
	VisitorType          string       `json:"visitorType"`
	VisitCount           string       `json:"visitCount"`
	Actions              string       `json:"actions"`
	ServerDate           string       `json:"serverDate"`
	ServerTimestamp      int64        `json:"serverTimestamp"`
	FirstActionTimestamp int64        `json:"firstActionTimestamp"`
	LastActionTimestamp  int64        `json:"lastActionTimestamp"`
	LastActionDateTime   string       `json:"lastActionDateTime"`
	VisitDuration        int64        `json:"visitDuration"`
	GoalConversions      int          `json:"goalConversions"`
	SiteCurrency         string       `json:"siteCurrency"`
	ActionDetails        []liveAction `json:"actionDetails"`
}

// liveAction is one entry of a visit's actionDetails.
type liveAction struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	PageTitle string `json:"pageTitle"`
	Timestamp int64  `json:"timestamp"`
}

// apiLive answers Live.getLastVisitsDetails from the recorded visits: newest first, filtered by
// period/date (on the last action time, in the site's timezone) and by a visitorId segment.
func apiLive(s *Server, st *state, q url.Values, acc access) (any, *apiError) {
	res, aerr := apiSite(s, st, url.Values{"idSite": {q.Get("idSite")}}, acc)
	if aerr != nil {
		return nil, aerr
	}
	sc := s.siteByID[siteNumber(res.(siteRow).IDSite)]
	from, to, err := dateRange(sc.loc, q.Get("period"), q.Get("date"), s.opts.Now())
	if err != nil {
		return nil, &apiError{http.StatusOK, err.Error()}
	}
	ids, aerr := visitorSegment(q.Get("segment"))
	if aerr != nil {
		return nil, aerr
	}
	visits := st.collect(sc, ids, from, to)
	slices.SortFunc(visits, func(a, b visit) int {
		return cmp.Or(cmp.Compare(b.last, a.last), cmp.Compare(b.id, a.id))
	})
	visits = page(visits, q.Get("filter_offset"), q.Get("filter_limit"))
	out := make([]liveVisit, len(visits))
	for i := range visits {
		out[i] = renderVisit(sc, &visits[i])
	}
	return out, nil
}

// visitorSegment reads "visitorId==X,visitorId==Y" (',' is OR); nil means no segment.
func visitorSegment(seg string) ([][8]byte, *apiError) {
	if seg == "" {
		return nil, nil
	}
	var ids [][8]byte
	for cond := range strings.SplitSeq(seg, ",") {
		val, ok := strings.CutPrefix(cond, "visitorId==")
		if !ok {
			return nil, &apiError{http.StatusOK, fmt.Sprintf("The segment condition '%s' is not valid.", cond)}
		}
		id, ok := hexID(unescape(val))
		if !ok {
			return nil, &apiError{http.StatusOK, msgBadVisitorID}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// collect copies the site's visits whose last action is in [from, to) (zero bounds are open),
// limited to the given visitor ids when there are any.
func (st *state) collect(sc *siteConf, ids [][8]byte, from, to int64) []visit {
	var out []visit
	keep := func(visits []*visit) {
		for _, v := range visits {
			if (from == 0 || v.last >= from) && (to == 0 || v.last < to) {
				c := *v
				c.details = slices.Clone(v.details)
				out = append(out, c)
			}
		}
	}
	if ids != nil {
		for _, id := range slices.Compact(ids) {
			k := vkey{site: int32(sc.id), id: id}
			sh := &st.shards[shardOf(k)]
			sh.mu.Lock()
			keep(sh.visitors[k])
			sh.mu.Unlock()
		}
		return out
	}
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.Lock()
		for k, visits := range sh.visitors {
			if int(k.site) == sc.id {
				keep(visits)
			}
		}
		sh.mu.Unlock()
	}
	return out
}

// page applies filter_offset and filter_limit (Matomo's default limit is 100; -1 means all).
func page[T any](visits []T, offset, limit string) []T {
	off := int(phpInt(offset, 0))
	lim := int(phpInt(limit, 100))
	if off > 0 {
		visits = visits[min(off, len(visits)):]
	}
	if lim >= 0 && lim < len(visits) {
		visits = visits[:lim]
	}
	return visits
}

func renderVisit(sc *siteConf, v *visit) liveVisit {
	details := v.details
	slices.SortStableFunc(details, func(a, b action) int { return cmp.Compare(a.ts, b.ts) })
	acts := make([]liveAction, len(details))
	for i, a := range details {
		acts[i] = liveAction{Type: a.kind.liveType(a.order), URL: a.url, PageTitle: a.title, Timestamp: a.ts}
	}
	vtype := [...]string{"new", "returning", "returningCustomer"}[v.returning]
	return liveVisit{
		IDSite: strconv.Itoa(sc.id), IDVisit: strconv.FormatInt(v.id, 10),
		VisitorID: hex.EncodeToString(v.key.id[:]), VisitorType: vtype,
		VisitCount: strconv.Itoa(int(v.count)), Actions: strconv.Itoa(int(v.actions)),
		ServerDate:      dayString(v.day),
		ServerTimestamp: v.last, FirstActionTimestamp: v.firstSeen, LastActionTimestamp: max(v.lastAction, v.firstSeen),
		LastActionDateTime: time.Unix(max(v.lastAction, v.firstSeen), 0).UTC().Format(time.DateTime),
		VisitDuration:      v.last - v.first,
		GoalConversions:    int(v.kinds[kGoal] + v.orders),
		SiteCurrency:       sc.info.Currency,
		ActionDetails:      acts,
	}
}

// dateRange turns period and date into unix bounds [from, to) in the site's timezone. Without a
// date there are no bounds.
func dateRange(loc *time.Location, period, date string, now time.Time) (from, to int64, err error) {
	if date == "" {
		return 0, 0, nil
	}
	if period == "range" {
		if n, prev, ok := lastN(date); ok {
			today, _ := parseDay(loc, "today", now)
			end := today.AddDate(0, 0, 1)
			if prev {
				end = today
			}
			return end.AddDate(0, 0, -n).Unix(), end.Unix(), nil
		}
		a, b, ok := strings.Cut(date, ",")
		if !ok {
			return 0, 0, badDate(date)
		}
		start, err1 := parseDay(loc, a, now)
		end, err2 := parseDay(loc, b, now)
		if err1 != nil || err2 != nil {
			return 0, 0, badDate(date)
		}
		return start.Unix(), end.AddDate(0, 0, 1).Unix(), nil
	}
	day, err := parseDay(loc, date, now)
	if err != nil {
		return 0, 0, err
	}
	var start, end time.Time
	switch period {
	case "day", "":
		start, end = day, day.AddDate(0, 0, 1)
	case "week":
		start = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		end = start.AddDate(0, 0, 7)
	case "month":
		start = time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, loc)
		end = start.AddDate(0, 1, 0)
	case "year":
		start = time.Date(day.Year(), 1, 1, 0, 0, 0, 0, loc)
		end = start.AddDate(1, 0, 0)
	default:
		return 0, 0, fmt.Errorf("The period '%s' is not supported. Try 'day', 'week', 'month', 'year' or 'range'.", period) //nolint:staticcheck // ST1005: Matomo's own message, word for word
	}
	return start.Unix(), end.Unix(), nil
}

// lastN reads a range date "lastN" (N days up to today) or "previousN" (N days up to yesterday).
func lastN(date string) (n int, previous, ok bool) {
	rest, found := strings.CutPrefix(date, "last")
	if !found {
		rest, previous = strings.CutPrefix(date, "previous")
		if !previous {
			return 0, false, false
		}
	}
	n, err := strconv.Atoi(rest)
	return n, previous, err == nil && n > 0
}

// parseDay reads YYYY-MM-DD, today or yesterday as local midnight.
func parseDay(loc *time.Location, s string, now time.Time) (time.Time, error) {
	local := now.In(loc)
	switch s = strings.TrimSpace(s); s {
	case "today", "now":
		return time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc), nil
	case "yesterday":
		return time.Date(local.Year(), local.Month(), local.Day()-1, 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		return time.Time{}, badDate(s)
	}
	return t, nil
}

func badDate(s string) error {
	return fmt.Errorf("Date format must be: YYYY-MM-DD, or 'today' or 'yesterday' or any keyword supported by the strtotime function (see http://php.net/strtotime for more information): %s", s) //nolint:staticcheck // ST1005: Matomo's own message, word for word
}
