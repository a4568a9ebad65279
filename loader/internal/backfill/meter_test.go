package backfill

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// A backfill counts into the meter.Set it is given (the one /metrics serves): the counters of its
// summary, the latency of its batches, their status classes, and how lost replies were settled.
func TestCountsIntoGivenMeter(t *testing.T) {
	cases := []struct {
		name      string
		faults    matomotest.Faults
		uncertain bool // some replies lost: uncertain batches, settled, visits landed
	}{
		{"every batch answered", matomotest.Faults{}, false},
		{"a quarter of the replies lost, settled through the Live API", matomotest.Faults{DropReplyRate: 0.25, Seed: 5}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newSink(t, func(o *matomotest.Options) { o.Faults = c.faults })
			cfg := testConfig(t, srv.URL)
			set := meter.NewSet([]string{cfg.EnabledTargets()[0].Name})
			sum, _, err := runWith(t, t.Context(), cfg, func(d *Deps, _ *output) { d.Meter = set })
			if err != nil {
				t.Fatal(err)
			}
			m := set.Target(0)
			if got := m.Counters(); got != sum.Targets[0].Counters || got.VisitsFinished != 120 || got.VisitsStarted != 120 {
				t.Fatalf("meter %+v, summary %+v; want 120 visits", got, sum.Targets[0].Counters)
			}
			if m.Quantile(0.5) <= 0 || sum.Targets[0].LatencyP95ms != m.Quantile(0.95) {
				t.Fatalf("latency: meter p50 %.2f p95 %.2f, summary p95 %.2f", m.Quantile(0.5), m.Quantile(0.95), sum.Targets[0].LatencyP95ms)
			}
			if ok := requests(t, set, "2xx"); ok == 0 {
				t.Fatal("no request counted as 2xx")
			}
			lost := m.BatchesUncertain.Load() > 0 && m.BatchesSettled.Load() > 0 && m.VisitsLanded.Load() > 0
			if lost != c.uncertain || m.VisitsMaybeDuplicated.Load() != 0 {
				t.Fatalf("uncertain %d, settled %d, landed %d, maybe duplicated %d; want lost replies: %v",
					m.BatchesUncertain.Load(), m.BatchesSettled.Load(), m.VisitsLanded.Load(), m.VisitsMaybeDuplicated.Load(), c.uncertain)
			}
		})
	}
}

// requests returns the requests of status class counted in set, as /metrics serves them.
func requests(t *testing.T, set *meter.Set, class string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := set.Register(reg); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, mf := range mfs {
		if mf.GetName() != "trafficinator_requests_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "class" && l.GetValue() == class {
					n += m.GetCounter().GetValue()
				}
			}
		}
	}
	return n
}
