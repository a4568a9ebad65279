package matomotest

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

const (
	// tokenFreeAge is Matomo's tracking_requests_require_authentication_when_custom_timestamp_newer_than.
	tokenFreeAge = 86400
	// maxCDTAge: older custom timestamps are ignored as invalid (Request::isTimestampValid).
	maxCDTAge = 20 * 365 * 86400
)

// vkey identifies a visitor: Matomo keeps visitors per site and stores the id as 8 bytes.
type vkey struct {
	site int32
	id   [8]byte
}

// hit is a validated tracking request, ready to be put into a visit.
type hit struct {
	site     *siteConf
	key      vkey
	ts       int64
	kind     kind
	newVisit bool
	order    string
	revenue  float64
	rawURL   string
	rawTitle string
	query    uint64 // queryHash of the request, to find duplicates

	// What the report families need (see reports.go).
	idgoal                      int // the idgoal parameter of a goal or ecommerce hit
	goal                        *Goal
	contentName                 string // still encoded
	interaction                 bool
	contentPiece, contentTarget bool
	perf                        [numPerf]int64
	perfSet                     uint8 // bit i: perf[i] holds a stored timing
	perfIgnored                 uint8
	dims                        []dimParam
	uid                         string
	device                      uint64
}

// tokenValid reports whether tok is the server's (super user) token.
func (s *Server) tokenValid(tok string) bool {
	return tok != "" && s.opts.Token != "" &&
		subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.Token)) == 1
}

// evaluate applies Matomo's request validation. auth says whether a valid token came with the
// request (its own token_auth or a bulk's top-level one). Order claims are made last, so that a
// rejected order never reserves its ec_id.
func (s *Server) evaluate(st *state, p *params, auth bool, now int64) (hit, outcome) {
	var h hit
	id, err := strconv.Atoi(p.idsite)
	site := s.siteByID[id]
	if err != nil || site == nil {
		return h, outUnknownSite
	}
	h.site = site
	if phpInt(p.rec, 0) == 0 {
		return h, outNoRec
	}
	auth = auth || s.tokenValid(p.token)
	key, ok := visitorKey(p)
	if !ok {
		return h, outBadCID
	}
	h.key = vkey{site: int32(id), id: key}
	if p.cip != "" && !auth {
		return h, outCIPWithoutToken
	}
	ts, old := hitTime(p, now)
	if old && !auth {
		return h, outOldCDTWithoutToken
	}
	h.ts = ts
	if p.geo && !auth {
		return h, outGeoWithoutToken
	}
	if isBot(p.ua) && phpInt(p.bots, 0) == 0 {
		return h, outBot
	}
	h.newVisit = phpInt(p.newVisit, 0) == 1
	h.rawURL, h.rawTitle = p.rawURL, p.rawTitle
	h.dims = p.dims
	if p.uid != "" {
		h.uid, h.device = p.uid, deviceOf(p)
	}
	if phpInt(p.ping, 0) == 1 {
		h.kind = kPing
		return h, outOK
	}
	if o := classify(&h, p); o != outOK {
		return h, o
	}
	if h.order != "" && !st.claimOrder(id, h.order) {
		return h, outDuplicateOrder
	}
	return h, outOK
}

// classify sets the hit's kind, checking goal, ecommerce and event parameters on the way.
func classify(h *hit, p *params) outcome {
	if goal := phpInt(p.idgoal, -1); goal >= 0 {
		return classifyGoal(h, p, int(goal))
	}
	switch {
	case p.download != "":
		h.kind = kDownload
	case p.link != "":
		h.kind = kOutlink
	case p.anyEvent:
		if strings.TrimSpace(p.eC) == "" || strings.TrimSpace(p.eA) == "" {
			return outBadEvent
		}
		h.kind = kEvent
	case p.contentName != "":
		h.kind = kContent
		h.contentName, h.interaction = p.contentName, p.contentInteraction != ""
		h.contentPiece, h.contentTarget = p.contentPiece, p.contentTarget
	case p.search != "":
		h.kind = kSearch
	default:
		h.kind = kPageview
		return checkPerformance(h, p)
	}
	for _, raw := range p.perf {
		if raw != "" && phpInt(raw, -1) != -1 {
			h.perfIgnored++ // Matomo reads pf_* on pageviews only
		}
	}
	return outOK
}

// classifyGoal handles manual goal conversions (idgoal>0) and ecommerce requests (idgoal=0).
func classifyGoal(h *hit, p *params, goal int) outcome {
	h.idgoal = goal
	if goal > 0 {
		g, ok := h.site.goals[goal]
		if !ok {
			return outUnknownGoal
		}
		h.kind, h.goal = kGoal, g
		h.revenue = goalRevenue(g, p.revenue)
		return outOK
	}
	if h.site.info.NoEcommerce {
		return outUnknownGoal
	}
	if p.ecItems != "" && !validItems(p.ecItems) {
		return outBadECItems
	}
	h.kind = kEcommerce
	if p.ecID != "" {
		h.order = p.ecID
		h.revenue = phpFloat(p.revenue)
	}
	return outOK
}

// validItems checks ec_items: a JSON array of items [sku, name, category, price, quantity], where
// only sku is mandatory, category may be a list of up to 5 names, and price and quantity are numbers.
func validItems(s string) bool {
	var items [][]json.RawMessage
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		return false
	}
	for _, it := range items {
		if len(it) == 0 || len(it) > 5 || !scalarText(it[0], true) {
			return false
		}
		if len(it) > 1 && !scalarText(it[1], false) {
			return false
		}
		if len(it) > 2 && !validCategory(it[2]) {
			return false
		}
		for _, n := range it[min(len(it), 3):] {
			if !numeric(n) {
				return false
			}
		}
	}
	return true
}

// scalarText accepts a JSON string or number (non-empty when required).
func scalarText(m json.RawMessage, required bool) bool {
	var v any
	if json.Unmarshal(m, &v) != nil {
		return false
	}
	switch t := v.(type) {
	case string:
		return !required || strings.TrimSpace(t) != ""
	case float64:
		return true
	case nil:
		return !required
	}
	return false
}

// validCategory accepts a category name or a list of at most five names.
func validCategory(m json.RawMessage) bool {
	var list []json.RawMessage
	if json.Unmarshal(m, &list) == nil {
		if len(list) > 5 {
			return false
		}
		for _, c := range list {
			if !scalarText(c, false) {
				return false
			}
		}
		return true
	}
	return scalarText(m, false)
}

// numeric accepts a JSON number or a string holding one.
func numeric(m json.RawMessage) bool {
	var v any
	if json.Unmarshal(m, &v) != nil {
		return false
	}
	switch t := v.(type) {
	case float64:
		return true
	case string:
		_, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return err == nil
	}
	return false
}

// visitorKey derives the visitor id as Matomo does: a User ID wins (first 8 bytes of its SHA-1),
// then cid (must be 16 hex), then _id (first 16 hex chars), else a fingerprint of the device
// parameters. ok is false only for a malformed cid.
func visitorKey(p *params) (id [8]byte, ok bool) {
	switch {
	case p.uid != "":
		sum := sha1.Sum([]byte(p.uid))
		copy(id[:], sum[:8])
		return id, true
	case p.cid != "":
		return hexID(p.cid)
	}
	if len(p.vid) >= 16 {
		if id, ok := hexID(p.vid[:16]); ok {
			return id, true
		}
	}
	return fingerprint(p.ua, p.lang, p.res, p.cip), true
}

// hexID decodes exactly 16 hex characters.
func hexID(s string) (id [8]byte, ok bool) {
	if len(s) != 16 {
		return id, false
	}
	_, err := hex.Decode(id[:], []byte(s))
	return id, err == nil
}

// fingerprint stands in for Matomo's config_id when a request carries no visitor id (FNV-1a).
func fingerprint(parts ...string) (id [8]byte) {
	h := uint64(14695981039346656037)
	for _, s := range parts {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * 1099511628211
		}
		h = (h ^ '|') * 1099511628211
	}
	for i := range id {
		id[i] = byte(h >> (8 * i))
	}
	return id
}

// hitTime returns the hit's unix time and whether it is old enough to need a token. It follows
// Request::getCustomTimestamp: cdt (unix seconds or a date string, UTC) minus |cdo|; a time in the
// future or more than 20 years back is ignored and the request counts as happening now.
func hitTime(p *params, now int64) (ts int64, old bool) {
	if isEmptyPHP(p.cdt) && isEmptyPHP(p.cdo) {
		return now, false
	}
	cdt, ok := now, true
	if !isEmptyPHP(p.cdt) {
		cdt, ok = parseCDT(p.cdt)
	}
	if !ok {
		return now, false
	}
	if cdo := phpInt(p.cdo, 0); cdo != 0 {
		cdt -= max(cdo, -cdo)
	}
	if cdt > now || cdt <= now-maxCDTAge {
		return now, false
	}
	return cdt, now-cdt >= tokenFreeAge
}

// isEmptyPHP mirrors PHP's empty() for a request string.
func isEmptyPHP(s string) bool { return s == "" || s == "0" }

// cdtLayouts are the strtotime forms a generator realistically sends (all read as UTC).
var cdtLayouts = []string{
	"2006-01-02 15:04:05", time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02",
}

// parseCDT reads unix seconds or a date-time string.
func parseCDT(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if looksNumeric(s) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return int64(f), true
		}
	}
	if len(s) == len(time.DateTime) && s[10] == ' ' {
		return parseDateTime(s)
	}
	for _, l := range cdtLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t.Unix(), true
		}
	}
	return 0, false
}

// looksNumeric is a cheap pre-check so the common date-string cdt costs no failed number parses.
func looksNumeric(s string) bool {
	return s != "" && strings.Trim(s, "0123456789.eE+-") == ""
}

// parseDateTime reads "YYYY-MM-DD HH:MM:SS" (UTC) without time.Parse, since every backfill hit
// carries one.
func parseDateTime(s string) (int64, bool) {
	var f [6]int
	for i, span := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		n := 0
		for _, c := range []byte(s[span[0]:span[1]]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		f[i] = n
	}
	if s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':' ||
		f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return 0, false
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC)
	if t.Day() != f[2] {
		return 0, false // 31 April and the like
	}
	return t.Unix(), true
}
