// Package metrics exposes a loader's counters as Prometheus metrics on METRICS_ADDR.
//
// Labels are bounded: the target name (from the config) and the HTTP status class, never a URL or an
// error text. The collector reads the engine's counters when scraped, so nothing is counted twice.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// Source is what the collector reads: per-target stats and per-target request counts by status class.
type Source interface {
	Stats() ([]report.TargetStats, report.TargetStats)
	StatusClasses() map[string]map[string]int64
}

// Collector turns a Source into Prometheus metrics.
type Collector struct {
	src   Source
	descs map[string]*prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

type counterDef struct {
	name, help string
	value      func(*report.TargetStats) float64
	gauge      bool
}

var defs = []counterDef{
	{"visits_started_total", "Visits started.", func(s *report.TargetStats) float64 { return float64(s.VisitsStarted) }, false},
	{"visits_finished_total", "Visits whose every hit was sent.", func(s *report.TargetStats) float64 { return float64(s.VisitsFinished) }, false},
	{"visits_dropped_total", "Visits due while CONCURRENCY visits were in flight: never sent.", func(s *report.TargetStats) float64 { return float64(s.VisitsDropped) }, false},
	{"hits_sent_total", "Tracking requests sent.", func(s *report.TargetStats) float64 { return float64(s.HitsSent) }, false},
	{"hits_tracked_total", "Tracking requests Matomo accepted.", func(s *report.TargetStats) float64 { return float64(s.HitsTracked) }, false},
	{"hits_invalid_total", "Tracking requests Matomo rejected.", func(s *report.TargetStats) float64 { return float64(s.HitsInvalid) }, false},
	{"hits_failed_total", "Tracking requests without an answer after retries.", func(s *report.TargetStats) float64 { return float64(s.HitsFailed) }, false},
	{"hits_dropped_total", "Bulk hits neither tracked nor invalid.", func(s *report.TargetStats) float64 { return float64(s.HitsDropped) }, false},
	{"retries_total", "Requests retried.", func(s *report.TargetStats) float64 { return float64(s.Retries) }, false},
	{"orders_total", "Ecommerce orders sent.", func(s *report.TargetStats) float64 { return float64(s.Orders) }, false},
	{"in_flight_visits", "Visits in flight.", func(s *report.TargetStats) float64 { return float64(s.InFlight) }, true},
	{"target_visits_per_minute", "Intended visit rate now.", func(s *report.TargetStats) float64 { return s.TargetPerMin }, true},
	{"latency_p95_milliseconds", "95th percentile of request latency since the last stats record.", func(s *report.TargetStats) float64 { return s.LatencyP95ms }, true},
}

// NewCollector returns a collector over src.
func NewCollector(src Source) *Collector {
	c := &Collector{src: src, descs: map[string]*prometheus.Desc{}}
	for _, d := range defs {
		c.descs[d.name] = prometheus.NewDesc("trafficinator_"+d.name, d.help, []string{"target"}, nil)
	}
	c.descs["requests_total"] = prometheus.NewDesc("trafficinator_requests_total", "HTTP requests by status class (error: no reply).", []string{"target", "class"}, nil)
	return c
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	targets, _ := c.src.Stats()
	for i := range targets {
		for _, d := range defs {
			typ := prometheus.CounterValue
			if d.gauge {
				typ = prometheus.GaugeValue
			}
			ch <- prometheus.MustNewConstMetric(c.descs[d.name], typ, d.value(&targets[i]), targets[i].Target)
		}
	}
	for target, classes := range c.src.StatusClasses() {
		for class, n := range classes {
			ch <- prometheus.MustNewConstMetric(c.descs["requests_total"], prometheus.CounterValue, float64(n), target, class)
		}
	}
}

// Serve serves /metrics for src on addr until ctx is cancelled.
func Serve(ctx context.Context, addr string, src Source, log *slog.Logger) error {
	reg := prometheus.NewRegistry()
	if err := reg.Register(NewCollector(src)); err != nil {
		return fmt.Errorf("register metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listen on %s: %w", addr, err)
	}
	log.Info("serving metrics", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics server: %w", err)
	}
	return nil
}
