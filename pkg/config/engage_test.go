package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseVisitLengths(t *testing.T) {
	tests := []struct {
		in      string
		want    []LengthBucket
		wantErr string
	}{
		{"uniform", nil, ""},
		{"", nil, ""},
		{"10s:3, 1m:1,2h:0.5", []LengthBucket{{10 * time.Second, 3}, {time.Minute, 1}, {2 * time.Hour, 0.5}}, ""},
		{"90:1", []LengthBucket{{90 * time.Second, 1}}, ""}, // plain seconds
		{"10s", nil, "entry 1 (\"10s\") must be upper:weight"},
		{"10s:1,5s:1", nil, "entry 2 (\"5s:1\"): upper bounds must increase"},
		{"0s:1", nil, "positive duration"},
		{"3h:1", nil, "at most 2h0m0s"},
		{"10s:-1", nil, "weight must be a number of at least 0"},
		{"10s:x", nil, "weight must be a number of at least 0"},
		{"10s:0,1m:0", nil, "at least one weight must be above 0"},
	}
	for _, tt := range tests {
		got, err := ParseVisitLengths(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseVisitLengths(DefaultVisitLengths); err != nil {
		t.Fatalf("the default does not parse: %v", err)
	}
}

func TestParseGoals(t *testing.T) {
	tests := []struct {
		in      string
		want    []GoalRate
		wantErr string
	}{
		{"", nil, ""},
		{"1:0.05:10, 2:0.02", []GoalRate{{ID: 1, Rate: 0.05, Revenue: 10, HasRevenue: true}, {ID: 2, Rate: 0.02}}, ""},
		{"3:1:0", []GoalRate{{ID: 3, Rate: 1, HasRevenue: true}}, ""},
		{"1", nil, "must be id:rate or id:rate:revenue"},
		{"1:0.1:2:3", nil, "must be id:rate or id:rate:revenue"},
		{"0:0.1", nil, "goal id must be a whole number of at least 1"},
		{"x:0.1", nil, "goal id must be a whole number of at least 1"},
		{"1:1.5", nil, "rate must be between 0 and 1"},
		{"1:0.1:-5", nil, "revenue must be a number of at least 0"},
		{"1:0.1,1:0.2", nil, "goal 1 is listed twice"},
	}
	for _, tt := range tests {
		got, err := ParseGoals(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

// Bad VISIT_LENGTHS and GOALS are reported together, each naming its setting and value.
func TestValidateEngagement(t *testing.T) {
	c := Default()
	c.MatomoURL = "https://analytics.example.org/matomo.php"
	c.VisitLengths, c.Goals = "10s:1,5s:1", "1:2"
	ps := c.Validate()
	byField := map[string]Problem{}
	for _, p := range ps {
		byField[p.Field] = p
	}
	if p, ok := byField["VISIT_LENGTHS"]; !ok || p.Value != "10s:1,5s:1" || !strings.Contains(p.Message, "increase") {
		t.Errorf("VISIT_LENGTHS problem %+v", p)
	}
	if p, ok := byField["GOALS"]; !ok || p.Value != "1:2" || !strings.Contains(p.Message, "between 0 and 1") {
		t.Errorf("GOALS problem %+v", p)
	}
	if ps.Err() == nil {
		t.Error("bad VISIT_LENGTHS and GOALS validate")
	}
}

// LongestVisit follows the histogram, or VISIT_DURATION_MAX with uniform lengths.
func TestLongestVisit(t *testing.T) {
	c := Default()
	if got := c.LongestVisit(); got != time.Hour {
		t.Errorf("default: %v", got)
	}
	c.VisitLengths, c.VisitDurationMax = VisitLengthsUniform, 8
	if got := c.LongestVisit(); got != 8*time.Minute {
		t.Errorf("uniform: %v", got)
	}
}
