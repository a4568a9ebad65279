package main

import (
	"reflect"
	"testing"
)

func TestParseVisitsSummary(t *testing.T) {
	two := []string{"2026-01-01", "2026-01-02"}
	one := []string{"2026-01-01"}
	tests := []struct {
		name string
		raw  string
		days []string
		want map[string]dayCounts
		ok   bool
	}{
		// Matomo's shape for a range of days: keyed by date, numbers as numbers.
		{"range", `{"2026-01-01":{"nb_uniq_visitors":90,"nb_visits":100,"nb_actions":512,"bounce_rate":"0%"},"2026-01-02":{"nb_visits":100,"nb_actions":498}}`,
			two, map[string]dayCounts{"2026-01-01": {Visits: 100, Actions: 512}, "2026-01-02": {Visits: 100, Actions: 498}}, true},
		// A day without data is [] (not archived, or nothing tracked).
		{"empty day", `{"2026-01-01":{"nb_visits":"7","nb_actions":"30"},"2026-01-02":[]}`,
			two, map[string]dayCounts{"2026-01-01": {Visits: 7, Actions: 30}, "2026-01-02": {Empty: true}}, true},
		// A day missing from the reply counts as empty.
		{"missing day", `{"2026-01-01":{"nb_visits":1,"nb_actions":2}}`,
			two, map[string]dayCounts{"2026-01-01": {Visits: 1, Actions: 2}, "2026-01-02": {Empty: true}}, true},
		// One day may come as the row itself.
		{"single row", `{"nb_visits":5,"nb_actions":9}`, one, map[string]dayCounts{"2026-01-01": {Visits: 5, Actions: 9}}, true},
		// ...or as [] alone.
		{"single empty", `[]`, one, map[string]dayCounts{"2026-01-01": {Empty: true}}, true},
		// A float that is a whole number is fine (some exports send 5.0).
		{"whole float", `{"2026-01-01":{"nb_visits":5.0,"nb_actions":"9"}}`, one, map[string]dayCounts{"2026-01-01": {Visits: 5, Actions: 9}}, true},
		// A row whose count is not a number is an error, not zero.
		{"bad number", `{"2026-01-01":{"nb_visits":"many","nb_actions":1}}`, one, nil, false},
		// A non-empty list where a row belongs is not VisitsSummary.
		{"list of rows", `{"2026-01-01":[{"nb_visits":1}]}`, one, nil, false},
		// Neither object nor list.
		{"scalar", `42`, one, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVisitsSummary([]byte(tt.raw), tt.days)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
