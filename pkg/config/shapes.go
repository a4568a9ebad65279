package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Spike kinds: when a spike of TRAFFIC_SPIKES happens.
const (
	SpikeOnce   = "once"   // at one RFC 3339 instant
	SpikeWeekly = "weekly" // at a local time of day on some weekdays (daily: all seven)
	SpikeRandom = "random" // PerWeek times a week at instants drawn from the seed
)

// Limits of a spike.
const (
	MaxSpikeFactor  = 100
	MaxSpikesPerDay = 24 // a random spike count per week is at most 7 × this
	MinSpikeLength  = time.Minute
	MaxSpikeLength  = 24 * time.Hour
)

// Spike is one entry of TRAFFIC_SPIKES: for Length from each occurrence, the rate is Factor times
// what it would be.
type Spike struct {
	// Raw is the entry as written, for messages.
	Raw  string
	Kind string
	// At is the instant of a SpikeOnce.
	At time.Time
	// Days holds the weekdays of a SpikeWeekly (bit 1<<time.Weekday); Clock is the local time of day.
	Days  uint8
	Clock time.Duration
	// PerWeek is how many SpikeRandom spikes fall in each week.
	PerWeek int
	Factor  float64
	Length  time.Duration
}

// OnDay reports whether a weekly spike happens on weekday d.
func (s Spike) OnDay(d time.Weekday) bool { return s.Days&(1<<d) != 0 }

var weekdayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

const spikeRule = "each spike is `WHEN xFACTOR LENGTH`, e.g. `tue@07:30 x4 45m`; WHEN is an RFC 3339 instant, daily@HH:MM, mon,thu@HH:MM or random:K/week"

// ParseSpikes parses TRAFFIC_SPIKES. Every entry that does not parse is reported, all at once, as a
// Problem of the field TRAFFIC_SPIKES[i] (0-based entry).
func ParseSpikes(s string) ([]Spike, Problems) {
	var out []Spike
	var ps Problems
	i := 0
	for _, entry := range strings.Split(s, ";") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		field := fmt.Sprintf("TRAFFIC_SPIKES[%d]", i)
		i++
		sp, msg := parseSpike(entry)
		if msg != "" {
			ps = append(ps, Errorf(field, entry, "%s", msg))
			continue
		}
		out = append(out, sp)
	}
	return out, ps
}

func parseSpike(entry string) (Spike, string) {
	parts := strings.Fields(entry)
	if len(parts) != 3 {
		return Spike{}, spikeRule
	}
	sp := Spike{Raw: entry}
	if msg := sp.parseWhen(parts[0]); msg != "" {
		return Spike{}, msg
	}
	f, err := strconv.ParseFloat(strings.TrimPrefix(strings.ToLower(parts[1]), "x"), 64)
	if !strings.HasPrefix(strings.ToLower(parts[1]), "x") || err != nil || !(f > 1) || f > MaxSpikeFactor {
		return Spike{}, fmt.Sprintf("the factor %q must be x followed by a number above 1 and at most %d, e.g. x4", parts[1], MaxSpikeFactor)
	}
	sp.Factor = f
	d, err := time.ParseDuration(parts[2])
	if err != nil || d < MinSpikeLength || d > MaxSpikeLength {
		return Spike{}, fmt.Sprintf("the length %q must be a duration from 1m to 24h, e.g. 45m", parts[2])
	}
	sp.Length = d
	return sp, ""
}

// parseWhen reads the WHEN part of a spike.
func (sp *Spike) parseWhen(w string) string {
	lw := strings.ToLower(w)
	switch {
	case strings.HasPrefix(lw, "random:"):
		k, ok := strings.CutSuffix(strings.TrimPrefix(lw, "random:"), "/week")
		n, err := strconv.Atoi(k)
		if !ok || err != nil || n < 1 || n > 7*MaxSpikesPerDay {
			return fmt.Sprintf("%q: a random spike is random:K/week with K from 1 to %d", w, 7*MaxSpikesPerDay)
		}
		sp.Kind, sp.PerWeek = SpikeRandom, n
		return ""
	case strings.Contains(lw, "@"):
		days, clock, _ := strings.Cut(lw, "@")
		c, err := time.Parse("15:04", clock)
		if err != nil {
			return fmt.Sprintf("%q: the time of day must be HH:MM (24-hour), e.g. daily@09:00", w)
		}
		sp.Kind, sp.Clock = SpikeWeekly, time.Duration(c.Hour())*time.Hour+time.Duration(c.Minute())*time.Minute
		if days == "daily" {
			sp.Days = 0x7f
			return ""
		}
		for _, d := range strings.Split(days, ",") {
			wd, ok := weekdayNames[strings.TrimSpace(d)]
			if !ok {
				return fmt.Sprintf("%q: %q is not daily or a weekday (mon, tue, wed, thu, fri, sat, sun)", w, d)
			}
			sp.Days |= 1 << wd
		}
		return ""
	default:
		t, err := time.Parse(time.RFC3339, w)
		if err != nil {
			return fmt.Sprintf("%q is not a time: %s", w, spikeRule)
		}
		sp.Kind, sp.At = SpikeOnce, t
		return ""
	}
}

// Spikes returns TRAFFIC_SPIKES parsed; entries that do not parse are left out (Validate reports them).
func (c *Config) Spikes() []Spike {
	s, _ := ParseSpikes(c.TrafficSpikes)
	return s
}

// WeeklyApplies reports whether the weekly rhythm shapes traffic: backfill says which mode asks.
func (c *Config) WeeklyApplies(backfill bool) bool {
	switch c.WeeklyRhythm {
	case WeeklyOn:
		return true
	case WeeklyOff:
		return false
	}
	if backfill {
		return c.BackfillProfile == ProfileRealistic
	}
	return c.TrafficProfile == ProfileDiurnal
}

// WeekWeights returns the factors of the weekly rhythm, indexed by time.Weekday (Sunday first):
// WEEKLY_WEIGHTS (given Monday first), or 1 on weekdays and BACKFILL_WEEKEND_FACTOR at the weekend.
func (c *Config) WeekWeights() [7]float64 {
	var w [7]float64
	if len(c.WeeklyWeights) == 7 {
		for i, v := range c.WeeklyWeights {
			w[(i+1)%7] = v
		}
		return w
	}
	for d := range w {
		w[d] = 1
	}
	w[time.Saturday], w[time.Sunday] = c.BackfillWeekend, c.BackfillWeekend
	return w
}

// checkShapes reports the problems of WEEKLY_WEIGHTS and TRAFFIC_SPIKES.
func (c *Config) checkShapes() Problems {
	var ps Problems
	if len(c.WeeklyWeights) > 0 {
		v, _ := fieldByName["WEEKLY_WEIGHTS"].format(c)
		total := 0.0
		bad := false
		for _, x := range c.WeeklyWeights {
			bad = bad || !(x >= 0 && x <= 10)
			total += x
		}
		switch {
		case len(c.WeeklyWeights) != 7:
			ps = append(ps, Errorf("WEEKLY_WEIGHTS", v, "needs exactly 7 factors, Monday to Sunday, got %d", len(c.WeeklyWeights)))
		case bad:
			ps = append(ps, Errorf("WEEKLY_WEIGHTS", v, "each factor must be from 0 to 10"))
		case total == 0:
			ps = append(ps, Errorf("WEEKLY_WEIGHTS", v, "at least one day needs a factor above 0, or no visit is ever sent"))
		}
	}
	spikes, sp := ParseSpikes(c.TrafficSpikes)
	ps = append(ps, sp...)
	for _, s := range spikes {
		if s.Kind == SpikeRandom && c.ShardCount > 1 && c.Seed == nil && !c.BackfillEnabled {
			ps = append(ps, Warnf("TRAFFIC_SPIKES", s.Raw, "random spikes are drawn from SEED; without one, each of the SHARD_COUNT loaders draws its own, so set the same SEED on every loader"))
			break
		}
	}
	return ps
}
