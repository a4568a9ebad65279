package dayplan

import (
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// The day curve has the day's real length: 23 and 25 hours on DST days.
func TestCurveLength(t *testing.T) {
	loc := stockholm(t)
	w := HourWeights(config.ProfileFlat)
	for _, tc := range []struct {
		date  string
		hours float64
	}{
		{"2024-03-31", 23}, // clocks go forward
		{"2024-10-27", 25}, // clocks go back
		{"2024-06-12", 24}, // ordinary
	} {
		start, end := Bounds(tc.date, loc)
		if got := NewCurve(start, end, loc, &w).Total() / 3600; got != tc.hours {
			t.Fatalf("%s: %v hours, want %v", tc.date, got, tc.hours)
		}
	}
}

// Share is the part of the day's weight before an instant; Place keeps a whole visit before its
// limit.
func TestCurveShareAndPlace(t *testing.T) {
	loc := stockholm(t)
	start, end := Bounds("2024-06-12", loc)
	flat, diurnal := HourWeights(config.ProfileFlat), HourWeights(config.ProfileRealistic)
	noon := start.Add(12 * time.Hour)
	for _, tc := range []struct {
		name    string
		weights *[24]float64
		at      time.Time
		want    float64
	}{
		{"flat: half the day by noon", &flat, noon, 0.5},
		{"nothing before midnight", &flat, start, 0},
		{"the whole day by the next midnight", &diurnal, end, 1},
	} {
		if got := NewCurve(start, end, loc, tc.weights).Share(tc.at); got != tc.want {
			t.Errorf("%s: share %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := NewCurve(start, end, loc, &diurnal).Share(noon); got <= 0.3 || got >= 0.5 {
		t.Errorf("realistic share by noon %v: the night weighs less than the day", got)
	}
	c := NewCurve(start, end, loc, &flat)
	for _, u := range []float64{0, 0.5, 0.999} {
		at, cut := c.Place(u, time.Hour, noon)
		if cut || at.Before(start) || at.Add(time.Hour).After(noon) {
			t.Errorf("Place(%v) = %v, cut %v: the visit must fit before noon", u, at, cut)
		}
	}
}
