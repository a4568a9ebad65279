package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseSpikes(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Spike
		problems []string // fields of the expected problems
	}{
		{name: "empty means none", in: " ; "},
		{name: "weekly newsletter", in: "tue,thu@07:30 x4 45m",
			want: []Spike{{Raw: "tue,thu@07:30 x4 45m", Kind: SpikeWeekly, Days: 1<<time.Tuesday | 1<<time.Thursday, Clock: 7*time.Hour + 30*time.Minute, Factor: 4, Length: 45 * time.Minute}}},
		{name: "daily, random and once together", in: "daily@09:00 x1.5 1h; random:2/week x3 30m;2026-12-07T09:00:00+01:00 X10 2h",
			want: []Spike{
				{Raw: "daily@09:00 x1.5 1h", Kind: SpikeWeekly, Days: 0x7f, Clock: 9 * time.Hour, Factor: 1.5, Length: time.Hour},
				{Raw: "random:2/week x3 30m", Kind: SpikeRandom, PerWeek: 2, Factor: 3, Length: 30 * time.Minute},
				{Raw: "2026-12-07T09:00:00+01:00 X10 2h", Kind: SpikeOnce, At: time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), Factor: 10, Length: 2 * time.Hour},
			}},
		{name: "every bad entry is reported with its index", in: "fri@25:00 x2 1m; daily@09:00 x1 1m; random:0/week x2 1m; mon@09:00 x2 3d; yesterday x2 1m; daily@09:00 x2",
			problems: []string{"TRAFFIC_SPIKES[0]", "TRAFFIC_SPIKES[1]", "TRAFFIC_SPIKES[2]", "TRAFFIC_SPIKES[3]", "TRAFFIC_SPIKES[4]", "TRAFFIC_SPIKES[5]"}},
		{name: "a bad weekday is named", in: "mon,funday@09:00 x2 10m", problems: []string{"TRAFFIC_SPIKES[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ps := ParseSpikes(tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d spikes %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.Raw != w.Raw || g.Kind != w.Kind || !g.At.Equal(w.At) || g.Days != w.Days || g.Clock != w.Clock || g.PerWeek != w.PerWeek || g.Factor != w.Factor || g.Length != w.Length {
					t.Errorf("spike %d = %+v, want %+v", i, g, w)
				}
			}
			if len(ps) != len(tt.problems) {
				t.Fatalf("problems %v, want fields %v", ps, tt.problems)
			}
			for i, p := range ps {
				if p.Field != tt.problems[i] || p.Message == "" || p.Value == "" {
					t.Errorf("problem %d = %+v, want field %s with value and rule", i, p, tt.problems[i])
				}
			}
		})
	}
}

func TestWeeklySettings(t *testing.T) {
	c := Default()
	if c.WeeklyApplies(false) || c.WeeklyApplies(true) {
		t.Error("the default flat profiles must not get a weekly rhythm")
	}
	c.TrafficProfile, c.BackfillProfile = ProfileDiurnal, ProfileRealistic
	if !c.WeeklyApplies(false) || !c.WeeklyApplies(true) {
		t.Error("auto must turn the rhythm on with the day-shaped profiles")
	}
	c.WeeklyRhythm = WeeklyOff
	if c.WeeklyApplies(false) {
		t.Error("off must win over the profile")
	}
	if w := c.WeekWeights(); w[time.Monday] != 1 || w[time.Saturday] != 0.6 || w[time.Sunday] != 0.6 {
		t.Errorf("unset weights = %v, want weekdays 1 and weekends BACKFILL_WEEKEND_FACTOR", w)
	}
	c.WeeklyWeights = []float64{1, 2, 3, 4, 5, 6, 7}
	if w := c.WeekWeights(); w[time.Monday] != 1 || w[time.Sunday] != 7 || w[time.Saturday] != 6 {
		t.Errorf("weights = %v, want Monday-first input mapped to weekdays", w)
	}
	for _, tt := range []struct {
		env, rule string
	}{
		{"1,1,1", "exactly 7"},
		{"1,1,1,1,1,1,-1", "from 0 to 10"},
		{"0,0,0,0,0,0,0", "above 0"},
	} {
		c, err := Decode(func(k string) (string, bool) {
			if k == "WEEKLY_WEIGHTS" {
				return tt.env, true
			}
			return "", false
		})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range c.Validate() {
			if p.Field == "WEEKLY_WEIGHTS" && p.Value == tt.env && strings.Contains(p.Message, tt.rule) {
				found = true
			}
		}
		if !found {
			t.Errorf("WEEKLY_WEIGHTS=%s: no problem saying %q in %v", tt.env, tt.rule, c.Validate())
		}
	}
}

func TestRandomSpikesOfShardsWantASeed(t *testing.T) {
	c := Default()
	c.MatomoURL, c.TrafficSpikes, c.ShardCount = "http://127.0.0.1:1/matomo.php", "random:2/week x3 30m", 3
	warned := func() bool {
		for _, p := range c.Validate() {
			if p.Field == "TRAFFIC_SPIKES" && p.IsWarning() && strings.Contains(p.Message, "SEED") {
				return true
			}
		}
		return false
	}
	if !warned() {
		t.Error("no warning for sharded random spikes without SEED")
	}
	seed := int64(4)
	c.Seed = &seed
	if warned() {
		t.Error("a warning though SEED is set")
	}
}
