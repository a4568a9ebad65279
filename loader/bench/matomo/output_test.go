package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestPrintComparison: the table says which days match and, when they do not, by how much.
func TestPrintComparison(t *testing.T) {
	days := []string{"2026-11-30"}
	planned := map[string]int{"2026-11-30": 200}
	tests := []struct {
		name           string
		loader, replay dayCounts
		want, notWant  []string
	}{
		// Exact: a "yes" row and no difference line.
		{"exact", dayCounts{Visits: 200, Actions: 1053}, dayCounts{Visits: 200, Actions: 1053},
			[]string{"2026-11-30", "yes"}, []string{"NO", "vs plan"}},
		// A bulk recorded twice: 15 extra visits, 85 extra actions.
		{"duplicates", dayCounts{Visits: 215, Actions: 1138}, dayCounts{Visits: 200, Actions: 1053},
			[]string{"NO", "+15 visits", "+85 actions"}, []string{"replay site vs plan"}},
		// The reference lost hits itself.
		{"replay short", dayCounts{Visits: 200, Actions: 1053}, dayCounts{Visits: 190, Actions: 1000},
			[]string{"NO", "replay site vs plan: -10 visits"}, nil},
		// No rows from Matomo: "none", and no difference line (the caller prints the archiving hint).
		{"empty", dayCounts{Empty: true}, dayCounts{Empty: true}, []string{"none"}, []string{"vs plan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := compare(days, planned, map[string]dayCounts{days[0]: tt.loader}, map[string]dayCounts{days[0]: tt.replay})
			printComparison(&out, c)
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}
