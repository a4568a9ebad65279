package backfill

import (
	"reflect"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
)

// Hits lost more than 30 minutes before the last hit Matomo has of their visit are not sent again
// (they would open a visit of their own); the others are, and only a lost first hit joins.
func TestJoinable(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	v := &built{}
	for _, m := range []int{0, 10, 40, 50} {
		var h visit.Hit
		h.Request.Time = t0.Add(time.Duration(m) * time.Minute)
		v.hits = append(v.hits, h)
	}
	tests := []struct {
		name string
		got  []bool
		ks   []int
		want []int
		join bool
	}{
		{"head lost, tail 50 minutes in", []bool{false, false, true, true}, []int{0, 1}, []int{}, false},
		{"head lost, tail within 30 minutes", []bool{false, true, false, false}, []int{0, 2, 3}, []int{0, 2, 3}, true},
		{"a hit 40 minutes before the last one Matomo has", []bool{true, false, true, true}, []int{1}, []int{}, false},
		{"a hit exactly 30 minutes before it joins", []bool{true, false, true, false}, []int{1, 3}, []int{1, 3}, false},
		{"only the hit 40 minutes before the last is dropped", []bool{false, false, false, true}, []int{0, 1, 2}, []int{2}, false},
	}
	for _, tt := range tests {
		got := joinable(v, tt.got, tt.ks)
		if !reflect.DeepEqual(got, tt.want) || joins(v, got) != tt.join {
			t.Errorf("%s: kept %v (join %v), want %v (join %v)", tt.name, got, joins(v, got), tt.want, tt.join)
		}
	}
}
