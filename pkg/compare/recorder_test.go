package compare

import (
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/report"
)

func TestKeepStats(t *testing.T) {
	cases := []struct {
		name              string
		lastKept, elapsed float64
		keep              bool
	}{
		{"the first record", -1, 10, true},
		{"every 10 s record in the first two hours", 7190, 7200, true},
		{"a record 10 s after the last kept one a day in", 86400 - 10, 86400, false},
		{"two minutes apart a day in", 86400 - 120, 86400, true},
		{"a restarted loader", 86400, 10, true},
	}
	for _, c := range cases {
		if got := KeepStats(c.lastKept, c.elapsed); got != c.keep {
			t.Errorf("%s: KeepStats(%v, %v) = %v", c.name, c.lastKept, c.elapsed, got)
		}
	}
}

// A Recorder behind a report.Writer keeps what a comparison needs, from lines written in pieces.
func TestRecorder(t *testing.T) {
	var rec Recorder
	var out strings.Builder
	w := report.NewWriter(&out)
	_ = w.Write(report.TypeStart, startRec("mirror", "a", "b"))
	_ = w.Write(report.TypeStats, statsRec(10, target{"a", 10, 10, 0, 1, 50}, target{"b", 10, 10, 0, 1, 20}))
	_ = w.Write(report.TypeError, &report.Error{Message: "ignored"})
	_ = w.Write(report.TypeSummary, summaryRec(20, target{"a", 20, 20, 0, 1, 50}, target{"b", 20, 20, 0, 1, 20}))
	text := "a log line, not a record\n" + out.String()
	for i := 0; i < len(text); i += 7 { // in pieces that split lines
		if _, err := rec.Write([]byte(text[i:min(i+7, len(text))])); err != nil {
			t.Fatal(err)
		}
	}
	rs := rec.Records()
	if len(rs) != 3 {
		t.Fatalf("kept %d records, want start, stats and summary", len(rs))
	}
	r := build(t, rs, Options{})
	if r.Faster != "b" || len(Lines(r)) < 2 {
		t.Errorf("faster %q lines %q", r.Faster, Lines(r))
	}
}
