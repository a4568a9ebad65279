package meter

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The collector serves what the engines counted, per target, with only the bounded target and
// class labels; the latency is a real histogram.
func TestCollector(t *testing.T) {
	cases := []struct {
		name  string
		fill  func(*Set)
		names []string // families compared
		want  string
	}{
		{
			name: "a live run: visits, hits, in flight, intended rate, status classes",
			fill: func(s *Set) {
				a := s.Target(0)
				a.VisitsStarted.Add(4)
				a.HitsSent.Add(7)
				a.HitsTracked.Add(5)
				a.InFlight.Store(3)
				a.SetIntendedRate(func() float64 { return 12.5 })
				a.Status(204)
				a.Status(204)
				a.Status(503)
				s.Target(1).Status(0)
			},
			names: []string{"trafficinator_visits_started_total", "trafficinator_hits_sent_total",
				"trafficinator_in_flight_visits", "trafficinator_target_visits_per_minute", "trafficinator_requests_total"},
			want: `
# HELP trafficinator_hits_sent_total Tracking requests sent (hits; a bulk request counts each of its hits).
# TYPE trafficinator_hits_sent_total counter
trafficinator_hits_sent_total{target="a"} 7
trafficinator_hits_sent_total{target="b"} 0
# HELP trafficinator_in_flight_visits Live visits in flight.
# TYPE trafficinator_in_flight_visits gauge
trafficinator_in_flight_visits{target="a"} 3
trafficinator_in_flight_visits{target="b"} 0
# HELP trafficinator_requests_total Tracking requests by the HTTP status class of their last reply (error: no reply).
# TYPE trafficinator_requests_total counter
trafficinator_requests_total{class="2xx",target="a"} 2
trafficinator_requests_total{class="2xx",target="b"} 0
trafficinator_requests_total{class="3xx",target="a"} 0
trafficinator_requests_total{class="3xx",target="b"} 0
trafficinator_requests_total{class="4xx",target="a"} 0
trafficinator_requests_total{class="4xx",target="b"} 0
trafficinator_requests_total{class="5xx",target="a"} 1
trafficinator_requests_total{class="5xx",target="b"} 0
trafficinator_requests_total{class="error",target="a"} 0
trafficinator_requests_total{class="error",target="b"} 1
# HELP trafficinator_target_visits_per_minute Intended visit rate now, per minute (live).
# TYPE trafficinator_target_visits_per_minute gauge
trafficinator_target_visits_per_minute{target="a"} 12.5
# HELP trafficinator_visits_started_total Visits started (backfill: delivered).
# TYPE trafficinator_visits_started_total counter
trafficinator_visits_started_total{target="a"} 4
trafficinator_visits_started_total{target="b"} 0
`,
		},
		{
			name: "a backfill: landed, duplicated, uncertain and settled batches, the concurrency limit",
			fill: func(s *Set) {
				a := s.Target(0)
				a.VisitsLanded.Add(20)
				a.VisitsMaybeDuplicated.Add(5)
				a.BatchesUncertain.Add(2)
				a.BatchesSettled.Add(1)
				a.Concurrency.Store(8)
			},
			names: []string{"trafficinator_visits_landed_total", "trafficinator_visits_maybe_duplicated_total",
				"trafficinator_visits_maybe_missing_total", "trafficinator_batches_uncertain_total",
				"trafficinator_batches_settled_total", "trafficinator_concurrency_limit", "trafficinator_target_visits_per_minute"},
			want: `
# HELP trafficinator_batches_settled_total Backfill batches without a reply whose fate the Live API settled.
# TYPE trafficinator_batches_settled_total counter
trafficinator_batches_settled_total{target="a"} 1
trafficinator_batches_settled_total{target="b"} 0
# HELP trafficinator_batches_uncertain_total Backfill batches posted without a usable reply: Matomo may or may not have recorded them.
# TYPE trafficinator_batches_uncertain_total counter
trafficinator_batches_uncertain_total{target="a"} 2
trafficinator_batches_uncertain_total{target="b"} 0
# HELP trafficinator_concurrency_limit Current limit on requests in flight to the target; 0 when no per-target limit applies.
# TYPE trafficinator_concurrency_limit gauge
trafficinator_concurrency_limit{target="a"} 8
trafficinator_concurrency_limit{target="b"} 0
# HELP trafficinator_visits_landed_total Backfill visits of batches without a reply that the Live API found recorded, so not sent again.
# TYPE trafficinator_visits_landed_total counter
trafficinator_visits_landed_total{target="a"} 20
trafficinator_visits_landed_total{target="b"} 0
# HELP trafficinator_visits_maybe_duplicated_total Backfill visits sent again without the Live API confirming that the earlier post was not recorded.
# TYPE trafficinator_visits_maybe_duplicated_total counter
trafficinator_visits_maybe_duplicated_total{target="a"} 5
trafficinator_visits_maybe_duplicated_total{target="b"} 0
# HELP trafficinator_visits_maybe_missing_total Backfill visits given up on without knowing whether Matomo recorded them.
# TYPE trafficinator_visits_maybe_missing_total counter
trafficinator_visits_maybe_missing_total{target="a"} 0
trafficinator_visits_maybe_missing_total{target="b"} 0
`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewSet([]string{"a", "b"})
			reg := prometheus.NewPedanticRegistry()
			if err := s.Register(reg); err != nil {
				t.Fatal(err)
			}
			c.fill(s)
			if err := testutil.GatherAndCompare(reg, strings.NewReader(c.want), c.names...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The latency histogram is served per target, with the buckets the Window reads.
func TestCollectorHistogram(t *testing.T) {
	s := NewSet([]string{"a", "b"})
	reg := prometheus.NewPedanticRegistry()
	if err := s.Register(reg); err != nil {
		t.Fatal(err)
	}
	s.Target(0).Observe(10 * time.Millisecond)
	s.Target(0).Observe(20 * time.Millisecond)
	s.Target(1).Observe(time.Second)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "trafficinator_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			h := m.GetHistogram()
			if len(h.GetBucket()) != len(Buckets) {
				t.Errorf("%d buckets, want %d", len(h.GetBucket()), len(Buckets))
			}
			counts[m.GetLabel()[0].GetValue()] = h.GetSampleCount()
		}
	}
	if counts["a"] != 2 || counts["b"] != 1 {
		t.Fatalf("observations per target %v, want a:2 b:1", counts)
	}
}

// A registry serves one Set: a second with the same target is refused, not mixed in.
func TestRegisterTwiceRefused(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := NewSet([]string{"a"}).Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := NewSet([]string{"a"}).Register(reg); err == nil {
		t.Fatal("a second Set with the same target registered on the same registry")
	}
}

// The probe's report latencies are served per target, call and outcome.
func TestCollectorProbe(t *testing.T) {
	s := NewSet([]string{"a", "b"})
	reg := prometheus.NewPedanticRegistry()
	if err := s.Register(reg); err != nil {
		t.Fatal(err)
	}
	s.ObserveProbe("a", "VisitsSummary.get day today", 40*time.Millisecond, true)
	s.ObserveProbe("a", "VisitsSummary.get day today", 3*time.Second, true)
	s.ObserveProbe("b", "Goals.get range last7", time.Second, false)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "trafficinator_report_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := ""
			for _, l := range m.GetLabel() {
				key += l.GetName() + "=" + l.GetValue() + " "
			}
			got[key] = m.GetHistogram().GetSampleCount()
		}
	}
	want := map[string]uint64{
		"call=VisitsSummary.get day today outcome=ok target=a ": 2,
		"call=Goals.get range last7 outcome=failed target=b ":   1,
	}
	if len(got) != len(want) {
		t.Fatalf("series %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d observations, want %d", k, got[k], n)
		}
	}
}
