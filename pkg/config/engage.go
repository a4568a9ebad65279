package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// VisitLengthsUniform is the VISIT_LENGTHS value that keeps the original's visit lengths: uniform
// within VISIT_DURATION_MIN..VISIT_DURATION_MAX.
const VisitLengthsUniform = "uniform"

// DefaultVisitLengths is the default VISIT_LENGTHS: Matomo's VisitorInterest buckets with the shares
// of a typical content site (a third of visits under ten seconds, a long tail of readers).
const DefaultVisitLengths = "10s:30,30s:8,1m:8,2m:10,4m:11,7m:10,10m:7,15m:6,30m:6,1h:4"

// MaxVisitLength is the longest visit VISIT_LENGTHS may ask for.
const MaxVisitLength = 2 * time.Hour

// LengthBucket is one bucket of the visit-length histogram: lengths in (previous bucket's Upper,
// Upper], drawn with relative Weight.
type LengthBucket struct {
	Upper  time.Duration
	Weight float64
}

// ParseVisitLengths reads a VISIT_LENGTHS histogram ("10s:30,30s:8,..."). It returns nil for
// VisitLengthsUniform (and ""), which means the original's uniform VISIT_DURATION_MIN..MAX.
func ParseVisitLengths(s string) ([]LengthBucket, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, VisitLengthsUniform) {
		return nil, nil
	}
	var out []LengthBucket
	total := 0.0
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		upper, weight, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("entry %d (%q) must be upper:weight, e.g. 30s:10", i+1, Shorten(part))
		}
		d, err := parseDuration(upper)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("entry %d (%q): the upper bound must be a positive duration such as 30s, 2m or 1h", i+1, Shorten(part))
		}
		if d > MaxVisitLength {
			return nil, fmt.Errorf("entry %d (%q): the upper bound must be at most %v", i+1, Shorten(part), MaxVisitLength)
		}
		if len(out) > 0 && d <= out[len(out)-1].Upper {
			return nil, fmt.Errorf("entry %d (%q): upper bounds must increase", i+1, Shorten(part))
		}
		w, err := parseFloat(weight)
		if err != nil || w < 0 {
			return nil, fmt.Errorf("entry %d (%q): the weight must be a number of at least 0", i+1, Shorten(part))
		}
		total += w
		out = append(out, LengthBucket{Upper: d, Weight: w})
	}
	if total <= 0 {
		return nil, fmt.Errorf("at least one weight must be above 0")
	}
	return out, nil
}

// LongestVisit is the longest simulated visit the config allows: the last VISIT_LENGTHS bound, or
// VISIT_DURATION_MAX with the uniform lengths (the live engine keeps a returning visitor's visits
// this far apart).
func (c *Config) LongestVisit() time.Duration {
	longest := time.Duration(c.VisitDurationMax * float64(time.Minute))
	if bs, err := ParseVisitLengths(c.VisitLengths); err == nil && len(bs) > 0 {
		longest = bs[len(bs)-1].Upper
	}
	return longest
}

// GoalRate is one GOALS entry: goal ID is converted in a Rate share of visits, with Revenue when
// HasRevenue (else the goal's own default revenue).
type GoalRate struct {
	ID         int
	Rate       float64
	Revenue    float64
	HasRevenue bool
}

// ParseGoals reads GOALS ("1:0.05:10,2:0.02"); "" is no goals.
func ParseGoals(s string) ([]GoalRate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []GoalRate
	seen := map[int]bool{}
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		fs := strings.Split(part, ":")
		if len(fs) < 2 || len(fs) > 3 {
			return nil, fmt.Errorf("entry %d (%q) must be id:rate or id:rate:revenue, e.g. 1:0.05:10", i+1, Shorten(part))
		}
		id, err := strconv.Atoi(strings.TrimSpace(fs[0]))
		if err != nil || id < 1 {
			return nil, fmt.Errorf("entry %d (%q): the goal id must be a whole number of at least 1", i+1, Shorten(part))
		}
		if seen[id] {
			return nil, fmt.Errorf("entry %d (%q): goal %d is listed twice", i+1, Shorten(part), id)
		}
		seen[id] = true
		rate, err := parseFloat(fs[1])
		if err != nil || rate < 0 || rate > 1 {
			return nil, fmt.Errorf("entry %d (%q): the rate must be between 0 and 1", i+1, Shorten(part))
		}
		g := GoalRate{ID: id, Rate: rate}
		if len(fs) == 3 {
			rev, err := parseFloat(fs[2])
			if err != nil || rev < 0 {
				return nil, fmt.Errorf("entry %d (%q): the revenue must be a number of at least 0", i+1, Shorten(part))
			}
			g.Revenue, g.HasRevenue = rev, true
		}
		out = append(out, g)
	}
	return out, nil
}

// checkEngagement checks VISIT_LENGTHS and GOALS.
func (c *Config) checkEngagement() Problems {
	var ps Problems
	if _, err := ParseVisitLengths(c.VisitLengths); err != nil {
		ps = append(ps, Errorf("VISIT_LENGTHS", Shorten(c.VisitLengths), "%v", err))
	}
	if _, err := ParseGoals(c.Goals); err != nil {
		ps = append(ps, Errorf("GOALS", Shorten(c.Goals), "%v", err))
	}
	return ps
}
