package meter

import (
	"errors"
	"fmt"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// Set is the targets of one run plus the Prometheus collector over them.
type Set struct {
	targets []*Target
	probe   *prometheus.HistogramVec // report latencies of the probe, by target and call
}

// NewSet returns a Set with one Target per name, in that order (the order of
// config.EnabledTargets, which the engines index their targets by).
func NewSet(names []string) *Set {
	s := &Set{probe: newProbeVec()}
	for _, n := range names {
		s.targets = append(s.targets, newTarget(n))
	}
	return s
}

// ErrTargets means a Set given to an engine does not have the engine's targets.
var ErrTargets = errors.New("meter: the set's targets are not the run's")

// For returns set when it has exactly the targets names, in that order, or a new Set for names
// when set is nil. An engine counting into a Set it was given must not put one target's counts
// under another's name.
func For(set *Set, names []string) (*Set, error) {
	if set == nil {
		return NewSet(names), nil
	}
	if got := set.Names(); !slices.Equal(got, names) {
		return nil, fmt.Errorf("%w: set has %q, run has %q", ErrTargets, got, names)
	}
	return set, nil
}

// Targets returns the targets, in the order of NewSet's names.
func (s *Set) Targets() []*Target { return s.targets }

// Target returns target i.
func (s *Set) Target(i int) *Target { return s.targets[i] }

// Names returns the targets' names, in order.
func (s *Set) Names() []string {
	out := make([]string, len(s.targets))
	for i, t := range s.targets {
		out[i] = t.Name
	}
	return out
}

// Register registers the Set's metrics with reg: per target (label target) the counters, the
// gauges, the latency histogram and requests_total by status class (label class), and the
// report-timing probe's latencies (labels target, call, outcome). Values are read when scraped.
func (s *Set) Register(reg prometheus.Registerer) error {
	if err := reg.Register(collector{s}); err != nil {
		return fmt.Errorf("meter: register metrics: %w", err)
	}
	return nil
}

// collector is the Set as a prometheus.Collector.
type collector struct{ s *Set }

var _ prometheus.Collector = collector{}

// Describe implements prometheus.Collector.
func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range defs {
		ch <- d.desc
	}
	ch <- intendedDesc
	ch <- requestsDesc
	for _, t := range c.s.targets {
		t.latency.Describe(ch)
	}
	c.s.probe.Describe(ch)
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, t := range c.s.targets {
		for _, d := range defs {
			ch <- prometheus.MustNewConstMetric(d.desc, d.typ, float64(d.value(t).Load()), t.Name)
		}
		if f := t.intended.Load(); f != nil {
			ch <- prometheus.MustNewConstMetric(intendedDesc, prometheus.GaugeValue, (*f)(), t.Name)
		}
		for i, class := range Classes {
			ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, float64(t.classes[i].Load()), t.Name, class)
		}
		ch <- t.latency
	}
	c.s.probe.Collect(ch)
}
