package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/trafficinator/trafficinator/pkg/report"
)

type fakeSource struct{ stats []report.TargetStats }

func (f *fakeSource) Stats() ([]report.TargetStats, report.TargetStats) {
	return f.stats, report.TargetStats{}
}
func (f *fakeSource) StatusClasses() map[string]map[string]int64 {
	return map[string]map[string]int64{"a": {"2xx": 5, "5xx": 2}}
}

// Counters follow the source and carry only the bounded target and class labels.
func TestCollector(t *testing.T) {
	src := &fakeSource{stats: []report.TargetStats{{Target: "a", Counters: report.Counters{HitsSent: 7, HitsTracked: 5, Retries: 2}, InFlight: 3}}}
	c := NewCollector(src)
	reg := prometheus.NewRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP trafficinator_hits_sent_total Tracking requests sent.
# TYPE trafficinator_hits_sent_total counter
trafficinator_hits_sent_total{target="a"} 7
# HELP trafficinator_in_flight_visits Visits in flight.
# TYPE trafficinator_in_flight_visits gauge
trafficinator_in_flight_visits{target="a"} 3
# HELP trafficinator_requests_total HTTP requests by status class (error: no reply).
# TYPE trafficinator_requests_total counter
trafficinator_requests_total{class="2xx",target="a"} 5
trafficinator_requests_total{class="5xx",target="a"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "trafficinator_hits_sent_total", "trafficinator_in_flight_visits", "trafficinator_requests_total"); err != nil {
		t.Fatal(err)
	}
	src.stats[0].HitsSent = 9
	if got := testutil.ToFloat64(collectorFor(c, "trafficinator_retries_total")); got != 2 {
		t.Fatalf("retries = %v", got)
	}
	if n, _ := testutil.GatherAndCount(reg, "trafficinator_hits_sent_total"); n != 1 {
		t.Fatalf("want one series, got %d", n)
	}
}

// collectorFor narrows c to one metric family for testutil.ToFloat64.
func collectorFor(c *Collector, name string) prometheus.Collector {
	return &only{c: c, name: name}
}

type only struct {
	c    *Collector
	name string
}

func (o *only) Describe(ch chan<- *prometheus.Desc) { o.c.Describe(ch) }
func (o *only) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric, 100)
	o.c.Collect(all)
	close(all)
	for m := range all {
		if strings.Contains(m.Desc().String(), `"`+o.name+`"`) {
			ch <- m
		}
	}
}
