package capacity

import (
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// measure takes what a target did between two snaps: visits, hits, errors, blamed drops and
// 5xx answers as differences, the latency from the window.
func TestMeasure(t *testing.T) {
	if meter.Classes[class5xx] != "5xx" {
		t.Fatalf("class %d is %q, not 5xx", class5xx, meter.Classes[class5xx])
	}
	a := snap{c: report.Counters{VisitsStarted: 10, VisitsDropped: 1, HitsSent: 40, HitsTracked: 35, HitsFailed: 1}, blamed: 1,
		classes: [5]int64{30, 0, 0, 2, 1}}
	b := snap{c: report.Counters{VisitsStarted: 110, VisitsDropped: 6, HitsSent: 440, HitsTracked: 420, HitsFailed: 6, HitsInvalid: 2, HitsDropped: 3},
		blamed: 3, classes: [5]int64{400, 0, 2, 9, 4}}
	m := measure(a, b, meter.Interval{P50ms: 1, P95ms: 2, P99ms: 3}, 20*time.Second)
	want := Measure{Seconds: 20, VisitsStarted: 100, VisitsDue: 105, VisitsDropped: 2, HitsSent: 400,
		HitsAnswered: 385 + 5 + 2 + 3, HitsErrors: 7, Requests: 370 + 2 + 7 + 3, Status5xx: 7, P50ms: 1, P95ms: 2, P99ms: 3}
	if m != want {
		t.Fatalf("measure = %+v\nwant      %+v", m, want)
	}
}
