package scenario

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/trafficinator/trafficinator/pkg/config"
)

var (
	countryRE  = regexp.MustCompile(`^[A-Za-z]{2}$`)
	languageRE = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	sectionRE  = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,100}$`)
)

// parser walks the YAML node tree (JSON is YAML too), so that every problem carries its path and
// line and every problem is found in one pass.
type parser struct {
	file string
	ps   Problems
}

func (p *parser) errorf(n *yaml.Node, path, value, format string, args ...any) {
	pr := config.Errorf(path, value, format, args...)
	pr.File = p.file
	if n != nil {
		pr.Line = n.Line
	}
	p.ps = append(p.ps, pr)
}

// Parse reads a scenario from YAML or JSON. file names the file in problems. Every problem is
// reported at once, each with its path (segments[2].share), value, line and rule; the scenario is
// nil when there is any error.
func Parse(data []byte, file string) (*Scenario, Problems) {
	p := &parser{file: file}
	if len(data) > MaxFileBytes {
		p.errorf(nil, "", "", "the file is larger than %d KiB", MaxFileBytes>>10)
		return nil, p.ps
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.errorf(nil, "", "", "not YAML or JSON: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, p.ps
	}
	if len(doc.Content) == 0 {
		p.errorf(nil, "", "", "the file is empty; a scenario needs segments")
		return nil, p.ps
	}
	sc := &Scenario{}
	p.object(doc.Content[0], "", map[string]func(*yaml.Node, string){
		"name":        func(n *yaml.Node, path string) { sc.Name = p.text(n, path, 100) },
		"description": func(n *yaml.Node, path string) { sc.Description = p.text(n, path, 2000) },
		"segments":    func(n *yaml.Node, path string) { sc.Segments = p.segments(n, path) },
	}, "name", "segments")
	p.checkScenario(sc)
	if p.ps.Err() != nil {
		return nil, p.ps
	}
	return sc, p.ps
}

// object walks a mapping: each key to its handler, unknown keys and missing required keys reported.
func (p *parser) object(n *yaml.Node, path string, keys map[string]func(*yaml.Node, string), required ...string) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, short(n), "must be an object (key: value)")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := join(path, k.Value)
		h, ok := keys[k.Value]
		if !ok {
			p.errorf(k, sub, k.Value, "unknown key; known here: %s", strings.Join(sortedKeys(keys), ", "))
			continue
		}
		seen[k.Value] = true
		h(v, sub)
	}
	for _, r := range required {
		if !seen[r] {
			p.errorf(n, join(path, r), "", "is required")
		}
	}
}

func (p *parser) segments(n *yaml.Node, path string) []Segment {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, short(n), "must be a list of segments")
		return nil
	}
	if len(n.Content) == 0 || len(n.Content) > MaxSegments {
		p.errorf(n, path, fmt.Sprint(len(n.Content)), "needs 1 to %d segments", MaxSegments)
	}
	out := make([]Segment, 0, len(n.Content))
	for i, sn := range n.Content {
		out = append(out, p.segment(sn, fmt.Sprintf("%s[%d]", path, i)))
	}
	return out
}

func (p *parser) segment(n *yaml.Node, path string) Segment {
	s := Segment{line: n.Line}
	p.object(n, path, map[string]func(*yaml.Node, string){
		"name":  func(n *yaml.Node, path string) { s.Name = p.text(n, path, 60) },
		"share": func(n *yaml.Node, path string) { s.Share = p.number(n, path, 0, 1, false) },
		"devices": func(n *yaml.Node, path string) {
			s.Devices = p.weights(n, path, oneOf(DeviceDesktop, DeviceMobile, DeviceTablet))
		},
		"countries": func(n *yaml.Node, path string) {
			s.Countries = p.weights(n, path, matching(countryRE, "an ISO 3166 code such as SE"), strings.ToUpper)
		},
		"languages": func(n *yaml.Node, path string) {
			s.Languages = p.weights(n, path, matching(languageRE, "a language tag such as sv-SE"))
		},
		"referrers": func(n *yaml.Node, path string) { s.Referrers = p.referrers(n, path) },
		"journey":   func(n *yaml.Node, path string) { s.Journey = p.journey(n, path) },
		"returning": func(n *yaml.Node, path string) { v := p.number(n, path, 0, 1, true); s.Returning = &v },
		"campaign": func(n *yaml.Node, path string) {
			s.Campaign = p.anyMap(n, path)
			p.unsupported(n, path, "campaigns chosen by name (the segment's share of campaign visits is referrers.campaign)")
		},
		"engagement": func(n *yaml.Node, path string) { s.Engagement = p.engagement(n, path) },
		"goals":      func(n *yaml.Node, path string) { s.Goals = p.goals(n, path) },
		"dimensions": func(n *yaml.Node, path string) {
			_ = p.anyMap(n, path)
			p.unsupported(n, path, "custom dimension values per segment (the values come from CUSTOM_DIMENSIONS_FILE)")
		},
		"settings": func(n *yaml.Node, path string) { s.Settings = p.settings(n, path) },
	}, "name", "share")
	return s
}

// unsupported rejects a part of the format whose visit-model feature this build lacks, rather than
// ignoring it silently.
func (p *parser) unsupported(n *yaml.Node, path, what string) {
	p.errorf(n, path, "", "%s: not in this build's visit model yet; remove the key (the scenario would not do what it says)", what)
}

func (p *parser) referrers(n *yaml.Node, path string) Weights {
	return p.weights(n, path, oneOf(ReferrerDirect, ReferrerSearch, ReferrerSocial, ReferrerWebsite, ReferrerCampaign))
}

// engagement reads {bounce, visit_lengths}.
func (p *parser) engagement(n *yaml.Node, path string) map[string]any {
	out := map[string]any{}
	p.object(n, path, map[string]func(*yaml.Node, string){
		"bounce":        func(n *yaml.Node, path string) { out["bounce"] = p.number(n, path, 0, 1, true) },
		"visit_lengths": func(n *yaml.Node, path string) { out["visit_lengths"] = p.text(n, path, 1000) },
	})
	return out
}

// goals reads {id: rate} or {id: {rate, revenue}}: manual goal conversions of the segment's visits.
func (p *parser) goals(n *yaml.Node, path string) map[string]float64 {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, short(n), "must be an object of goal id: conversion rate")
		return nil
	}
	out := map[string]float64{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := path + "." + k.Value
		if id, err := strconv.Atoi(k.Value); err != nil || id < 1 || strconv.Itoa(id) != k.Value {
			p.errorf(k, sub, k.Value, "a goal id is a whole number from 1 (the goal's id in Matomo)")
			continue
		}
		if v.Kind == yaml.MappingNode {
			p.object(v, sub, map[string]func(*yaml.Node, string){
				"rate":    func(n *yaml.Node, path string) { out[k.Value] = p.number(n, path, 0, 1, true) },
				"revenue": func(n *yaml.Node, path string) { out[k.Value+":revenue"] = p.number(n, path, 0, 1e9, true) },
			}, "rate")
			continue
		}
		out[k.Value] = p.number(v, sub, 0, 1, true)
	}
	return out
}

func (p *parser) journey(n *yaml.Node, path string) Journey {
	var j Journey
	p.object(n, path, map[string]func(*yaml.Node, string){
		"landing": func(n *yaml.Node, path string) {
			j.Landing = p.weights(n, path, matching(sectionRE, "a site section: the first path segment of its URLs, such as products"))
		},
		"funnel":             func(n *yaml.Node, path string) { j.Funnel = p.text(n, path, 200) },
		"funnel_probability": func(n *yaml.Node, path string) { v := p.number(n, path, 0, 1, true); j.FunnelProbability = &v },
		"pageviews_min":      func(n *yaml.Node, path string) { v := p.integer(n, path, 1, 100); j.PageviewsMin = &v },
		"pageviews_max":      func(n *yaml.Node, path string) { v := p.integer(n, path, 1, 100); j.PageviewsMax = &v },
		"journeys":           func(n *yaml.Node, path string) { v := p.number(n, path, 0, 1, true); j.Journeys = &v },
	})
	if j.PageviewsMin != nil && j.PageviewsMax != nil && *j.PageviewsMin > *j.PageviewsMax {
		p.errorf(n, path+".pageviews_min", fmt.Sprint(*j.PageviewsMin), "must not exceed pageviews_max (%d)", *j.PageviewsMax)
	}
	if j.FunnelProbability != nil && j.Funnel == "" {
		p.errorf(n, path+".funnel_probability", fmt.Sprint(*j.FunnelProbability), "needs funnel: the name of a funnel of FUNNEL_CONFIG_PATH")
	}
	return j
}

// settings reads per-visit setting overrides: each a known setting that varies per visit, with a
// value of its type.
func (p *parser) settings(n *yaml.Node, path string) map[string]any {
	raw := p.anyMap(n, path)
	if raw == nil {
		return nil
	}
	out := map[string]any{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		sub := path + "." + k.Value
		if _, ok := config.Lookup(k.Value); !ok {
			p.errorf(k, sub, k.Value, "unknown setting; settings use their env names, e.g. SITESEARCH_PROBABILITY")
			continue
		}
		if !PerVisit(k.Value) {
			p.errorf(k, sub, k.Value, "not a per-visit setting, so it cannot differ by segment; per-visit settings: %s", strings.Join(PerVisitSettings(), ", "))
			continue
		}
		c := config.Default()
		if err := c.Set(k.Value, raw[k.Value]); err != nil {
			p.errorf(v, sub, short(v), "%v", err)
			continue
		}
		out[k.Value] = raw[k.Value]
	}
	return out
}

func (p *parser) anyMap(n *yaml.Node, path string) map[string]any {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, short(n), "must be an object (key: value)")
		return nil
	}
	var m map[string]any
	if err := n.Decode(&m); err != nil {
		p.errorf(n, path, "", "%v", err)
		return nil
	}
	return m
}

// nameRule checks one name of a Weights; it returns the rule broken, or "".
type nameRule func(string) string

func oneOf(names ...string) nameRule {
	return func(s string) string {
		for _, n := range names {
			if s == n {
				return ""
			}
		}
		return "must be one of " + strings.Join(names, ", ")
	}
}

func matching(re *regexp.Regexp, what string) nameRule {
	return func(s string) string {
		if re.MatchString(s) {
			return ""
		}
		return "must be " + what
	}
}

// weights reads {name: weight} or [name, …] (equal weights); canon normalises names.
func (p *parser) weights(n *yaml.Node, path string, rule nameRule, canon ...func(string) string) Weights {
	w := Weights{}
	add := func(k *yaml.Node, v float64) {
		name := k.Value
		for _, c := range canon {
			name = c(name)
		}
		if msg := rule(k.Value); msg != "" {
			p.errorf(k, path+"."+k.Value, k.Value, "%s", msg)
			return
		}
		if _, dup := w[name]; dup {
			p.errorf(k, path+"."+k.Value, k.Value, "is listed twice")
			return
		}
		w[name] = v
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, k := range n.Content {
			if k.Kind != yaml.ScalarNode {
				p.errorf(k, path, short(k), "list items must be names")
				continue
			}
			add(k, 1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			v := p.number(n.Content[i+1], path+"."+k.Value, 0, 1e6, true)
			add(k, v)
		}
	default:
		p.errorf(n, path, short(n), "must be a list of names or an object of name: weight")
		return nil
	}
	total := 0.0
	for _, v := range w {
		total += v
	}
	if len(w) > 0 && total <= 0 {
		p.errorf(n, path, "", "needs at least one weight above 0")
	}
	return w
}

// number reads a finite number in [lo, hi] (above lo when inclusive is false).
func (p *parser) number(n *yaml.Node, path string, lo, hi float64, inclusive bool) float64 {
	var v float64
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.errorf(n, path, short(n), "must be a number")
		return 0
	}
	if v > hi || v < lo || (!inclusive && v == lo) {
		bound := "from"
		if !inclusive {
			bound = "above"
		}
		p.errorf(n, path, n.Value, "must be %s %g to %g", bound, lo, hi)
	}
	return v
}

func (p *parser) integer(n *yaml.Node, path string, lo, hi int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
		p.errorf(n, path, short(n), "must be a whole number")
		return lo
	}
	if v < lo || v > hi {
		p.errorf(n, path, n.Value, "must be from %d to %d", lo, hi)
	}
	return v
}

func (p *parser) text(n *yaml.Node, path string, max int) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, path, short(n), "must be text")
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if len([]rune(s)) > max {
		p.errorf(n, path, s, "must be at most %d characters", max)
	}
	return s
}

// checkScenario applies the rules across segments: names, and shares adding up to 1.
func (p *parser) checkScenario(sc *Scenario) {
	names := map[string]int{}
	total := 0.0
	for i, s := range sc.Segments {
		path := fmt.Sprintf("segments[%d].name", i)
		if j, dup := names[strings.ToLower(s.Name)]; dup && s.Name != "" {
			p.errorf(&yaml.Node{Line: s.line}, path, s.Name, "segments[%d] has this name already; names must be unique", j)
		}
		names[strings.ToLower(s.Name)] = i
		if s.Name == "" && p.lacks(path) {
			p.errorf(&yaml.Node{Line: s.line}, path, "", "must not be empty")
		}
		total += s.Share
	}
	if len(sc.Segments) > 0 && math.Abs(total-1) > 0.001 && !p.hasShareProblem() {
		var parts []string
		for _, s := range sc.Segments {
			parts = append(parts, fmt.Sprintf("%g", s.Share))
		}
		p.errorf(nil, "segments", strings.Join(parts, " + "), "the shares add up to %g; they must add up to 1", math.Round(total*1e6)/1e6)
	}
}

func (p *parser) lacks(path string) bool {
	for _, pr := range p.ps {
		if pr.Field == path {
			return false
		}
	}
	return true
}

func (p *parser) hasShareProblem() bool {
	for _, pr := range p.ps {
		if strings.HasSuffix(pr.Field, ".share") {
			return true
		}
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// short is a node's value as shown in a problem.
func short(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.MappingNode:
		return "{…}"
	case yaml.SequenceNode:
		return "[…]"
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
