package content

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Matomo stores campaign names, keywords and the MarketingCampaignsReporting fields in
// VARCHAR(255) columns and cuts longer values; the parsers warn about them.
const (
	maxCampaignFieldChars = 255
	maxCampaignsWarn      = 1000
)

// campaignColumns are the fields of a campaign, in CSV column order.
var campaignColumns = []string{"name", "source", "medium", "keyword", "content", "id", "weight"}

// Campaign is one tagged marketing link. A visit attributed to it lands on a page whose URL
// carries the campaign parameters; Matomo's Referrers > Campaigns report reads the name and
// keyword, and the MarketingCampaignsReporting plugin the other fields.
type Campaign struct {
	// Name is the campaign name (mtm_campaign); Matomo reports it in lower case.
	Name string `json:"name"`
	// Source, Medium, Keyword, Content and ID are the optional mtm_source, mtm_medium,
	// mtm_keyword, mtm_content and mtm_cid values; empty ones are not sent.
	Source  string `json:"source,omitempty"`
	Medium  string `json:"medium,omitempty"`
	Keyword string `json:"keyword,omitempty"`
	Content string `json:"content,omitempty"`
	ID      string `json:"id,omitempty"`
	// Weight is the campaign's share of campaign visits relative to the others' (default 1).
	Weight float64 `json:"weight"`
}

// Query is the campaign's query string in the mtm_* form Matomo's tracking code documents
// ("mtm_campaign=…&mtm_source=…"), to append to a landing page URL. Empty fields are left out.
func (c Campaign) Query() string { return c.query("mtm_campaign", "mtm_") }

// LegacyQuery is the same in the legacy pk_* form (pk_campaign, pk_source, pk_medium,
// pk_keyword, pk_content, pk_cid), which Matomo still reads.
func (c Campaign) LegacyQuery() string { return c.query("pk_campaign", "pk_") }

func (c Campaign) query(nameKey, prefix string) string {
	var b strings.Builder
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	add(nameKey, c.Name)
	add(prefix+"source", c.Source)
	add(prefix+"medium", c.Medium)
	add(prefix+"keyword", c.Keyword)
	add(prefix+"content", c.Content)
	add(prefix+"cid", c.ID)
	return b.String()
}

// CampaignSet is the campaigns file: the catalogue campaign visits draw from, by weight.
type CampaignSet struct {
	Campaigns []Campaign `json:"campaigns"`
}

// Weights returns the campaigns' weights in order, for a weighted draw.
func (s CampaignSet) Weights() []float64 {
	w := make([]float64, len(s.Campaigns))
	for i, c := range s.Campaigns {
		w[i] = c.Weight
	}
	return w
}

// MarshalCampaigns writes the set in the JSON form of the campaigns file.
func MarshalCampaigns(s CampaignSet) ([]byte, error) {
	if s.Campaigns == nil {
		s.Campaigns = []Campaign{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("content: encoding campaigns: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseCampaigns reads a campaigns file, JSON or CSV (told apart by the first character:
// '{' is JSON).
//
// JSON: an object with one key, "campaigns", a list of objects with the keys name, source,
// medium, keyword, content, id (strings) and weight (a number). CSV: a header row naming
// columns among name, source, medium, keyword, content, id, weight (name is required, order is
// free), then one campaign per row; lines starting with # are comments.
//
// Rules: name is required and not blank; weight is a number > 0 (default 1); values longer
// than 255 characters are cut by Matomo (a warning); two identical campaigns are a warning;
// a file without campaigns is an error. Every problem is reported, with its line.
func ParseCampaigns(data []byte) (CampaignSet, config.Problems) {
	var ps problems
	var set CampaignSet
	var found []located[Campaign]
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte(utf8BOM)), " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		found = parseCampaignsJSON(bytes.TrimPrefix(data, []byte(utf8BOM)), &ps)
	} else {
		found = parseCampaignsCSV(data, &ps)
	}
	for _, f := range found {
		set.Campaigns = append(set.Campaigns, f.item)
	}
	checkCampaignSet(found, &ps)
	return set, ps.result()
}

// located is a parsed entry with where it was in the file, for problems found later.
type located[T any] struct {
	item T
	line int
	path string
}

func parseCampaignsJSON(data []byte, ps *problems) []located[Campaign] {
	d, root, ok := parseJSON(data, ps)
	if !ok {
		return nil
	}
	members, ok := d.object(root, "")
	if !ok {
		return nil
	}
	var out []located[Campaign]
	for _, m := range members {
		if m.key != "campaigns" {
			d.errorf(m.val, m.key, "unknown key %q; the file has only the key campaigns", m.key)
			continue
		}
		items, ok := d.array(m.val, m.key)
		if !ok {
			continue
		}
		for i, item := range items {
			if c, ok := d.campaign(item, index(m.key, i)); ok {
				out = append(out, located[Campaign]{c, d.line(item.off), index(m.key, i)})
			}
		}
	}
	return out
}

func (d *jdoc) campaign(v jval, path string) (Campaign, bool) {
	members, ok := d.object(v, path)
	if !ok {
		return Campaign{}, false
	}
	c := Campaign{Weight: 1}
	valid, named := true, false
	for _, m := range members {
		p := join(path, m.key)
		if m.key == "weight" {
			w, ok := d.number(m.val, p)
			if ok {
				ok = checkWeight(w, func(f string, a ...any) { d.errorf(m.val, p, f, a...) })
			}
			if ok {
				c.Weight = w
			}
			valid = valid && (ok || isNull(m.val))
			continue
		}
		field := campaignField(&c, m.key)
		if field == nil {
			d.errorf(m.val, p, "unknown key %q; a campaign has only %s", m.key, strings.Join(campaignColumns, ", "))
			valid = false
			continue
		}
		s, present := d.str(m.val, p)
		if !present && !isNull(m.val) {
			valid = false
			continue
		}
		if !present && m.key == "name" {
			d.errorf(m.val, p, "must be a string")
		}
		s = strings.TrimSpace(s)
		if m.key == "name" {
			named = s != ""
			if present && s == "" {
				d.errorf(m.val, p, "must not be empty")
			}
		}
		if utf8.RuneCountInString(s) > maxCampaignFieldChars {
			d.warnf(m.val, p, "longer than %d characters; Matomo cuts it", maxCampaignFieldChars)
		}
		*field = s
	}
	if _, listed := findMember(members, "name"); !listed {
		d.errorf(jval{off: v.off}, join(path, "name"), "is required")
	}
	return c, valid && named
}

func findMember(members []member, key string) (member, bool) {
	for _, m := range members {
		if m.key == key {
			return m, true
		}
	}
	return member{}, false
}

// checkWeight reports whether w is a usable weight, reporting the rule otherwise.
func checkWeight(w float64, report func(format string, args ...any)) bool {
	if w <= 0 {
		report("must be a number > 0 (a campaign with no weight would never be drawn; remove it instead)")
		return false
	}
	return true
}

// campaignField is the string field of c a key names; nil for weight and unknown keys.
func campaignField(c *Campaign, key string) *string {
	switch key {
	case "name":
		return &c.Name
	case "source":
		return &c.Source
	case "medium":
		return &c.Medium
	case "keyword":
		return &c.Keyword
	case "content":
		return &c.Content
	case "id":
		return &c.ID
	}
	return nil
}

func parseCampaignsCSV(data []byte, ps *problems) []located[Campaign] {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte(utf8BOM))))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	var (
		cols []string
		out  []located[Campaign]
	)
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, err = pe.Line, pe.Err
			}
			ps.errorf(line, "", "", "not valid CSV: %v", err)
			return out
		}
		line, _ := r.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		if cols == nil {
			if cols = csvHeader(rec, line, ps); cols == nil {
				return nil
			}
			continue
		}
		if c, ok := csvCampaign(rec, cols, line, ps); ok {
			out = append(out, located[Campaign]{c, line, ""})
		}
	}
	if cols == nil {
		ps.errorf(0, "", "", "the file is empty; give a header row (%s) and one campaign per row, or JSON",
			strings.Join(campaignColumns, ","))
	}
	return out
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvHeader checks the header row and returns its column names; nil when it is unusable.
func csvHeader(rec []string, line int, ps *problems) []string {
	cols := make([]string, len(rec))
	seen := map[string]bool{}
	ok := true
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(h))
		cols[i] = h
		switch {
		case !isCampaignColumn(h):
			ps.errorf(line, "", h, "unknown column in the header row; columns are %s", strings.Join(campaignColumns, ", "))
			ok = false
		case seen[h]:
			ps.errorf(line, h, h, "column appears more than once in the header row")
			ok = false
		}
		seen[h] = true
	}
	if !seen["name"] {
		ps.errorf(line, "name", "", "the header row must have a name column (the first row is the header: %s)",
			strings.Join(campaignColumns, ","))
		ok = false
	}
	if !ok {
		return nil
	}
	return cols
}

func isCampaignColumn(h string) bool {
	for _, c := range campaignColumns {
		if c == h {
			return true
		}
	}
	return false
}

func csvCampaign(rec, cols []string, line int, ps *problems) (Campaign, bool) {
	c := Campaign{Weight: 1}
	if len(rec) > len(cols) {
		ps.errorf(line, "", strings.Join(rec, ","), "%d fields, but the header has %d columns", len(rec), len(cols))
		return c, false
	}
	valid := true
	for i, raw := range rec {
		v := strings.TrimSpace(raw)
		col := cols[i]
		if col == "weight" {
			if v == "" {
				continue
			}
			w, err := strconv.ParseFloat(v, 64)
			if err != nil {
				ps.errorf(line, col, v, "must be a number")
				valid = false
				continue
			}
			if !checkWeight(w, func(f string, a ...any) { ps.errorf(line, col, v, f, a...) }) {
				valid = false
				continue
			}
			c.Weight = w
			continue
		}
		if utf8.RuneCountInString(v) > maxCampaignFieldChars {
			ps.warnf(line, col, config.Shorten(v), "longer than %d characters; Matomo cuts it", maxCampaignFieldChars)
		}
		*campaignField(&c, col) = v
	}
	if c.Name == "" {
		ps.errorf(line, "name", "", "is required and must not be empty")
		valid = false
	}
	return c, valid
}

func checkCampaignSet(found []located[Campaign], ps *problems) {
	switch n := len(found); {
	case n == 0 && ps.errors == 0:
		ps.errorf(0, "campaigns", "", "no campaigns listed; list at least one, or set the campaign share to 0")
	case n > maxCampaignsWarn:
		ps.warnf(0, "campaigns", "", "%d campaigns; more than %d make the Campaigns report hard to read", n, maxCampaignsWarn)
	}
	seen := map[Campaign]int{}
	for _, f := range found {
		key := f.item
		key.Weight = 0
		key.Name = strings.ToLower(key.Name)
		if first, dup := seen[key]; dup {
			ps.warnf(f.line, f.path, f.item.Name,
				"same campaign as on line %d (Matomo reports names in lower case); their weights add up", first)
			continue
		}
		seen[key] = f.line
	}
}

// CampaignStats summarises a campaign catalogue for the control's preview.
type CampaignStats struct {
	// Campaigns is the number of entries; Names the number of campaign names Matomo will show
	// (names differing only in case are one).
	Campaigns int `json:"campaigns"`
	Names     int `json:"names"`
	// Media lists each medium with its entries and its share of campaign visits (by weight),
	// largest share first; "" is the entries without a medium.
	Media []CampaignMediumStat `json:"media"`
}

// CampaignMediumStat is one medium of a campaign catalogue.
type CampaignMediumStat struct {
	Medium    string  `json:"medium"`
	Campaigns int     `json:"campaigns"`
	Share     float64 `json:"share"`
}

// Stats computes the preview summary of the catalogue.
func (s CampaignSet) Stats() CampaignStats {
	st := CampaignStats{Campaigns: len(s.Campaigns)}
	names := map[string]bool{}
	byMedium := map[string]*CampaignMediumStat{}
	total := 0.0
	for _, c := range s.Campaigns {
		names[strings.ToLower(c.Name)] = true
		m := byMedium[c.Medium]
		if m == nil {
			m = &CampaignMediumStat{Medium: c.Medium}
			byMedium[c.Medium] = m
		}
		m.Campaigns++
		m.Share += c.Weight
		total += c.Weight
	}
	st.Names = len(names)
	for _, m := range byMedium {
		if total > 0 {
			m.Share /= total
		}
		st.Media = append(st.Media, *m)
	}
	slices.SortFunc(st.Media, func(a, b CampaignMediumStat) int {
		return cmp.Or(cmp.Compare(b.Share, a.Share), cmp.Compare(a.Medium, b.Medium))
	})
	return st
}
