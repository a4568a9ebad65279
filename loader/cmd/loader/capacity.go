package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/probe"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// searchOf is the capacity search of the start record: "" when the run holds a rate.
func searchOf(cfg config.Config) string {
	if !cfg.Capacity.Enabled() {
		return ""
	}
	return cfg.Capacity.Search
}

// newProbe returns the report-timing probe of a live run, or nil when PROBE_ENABLED is off. It
// has clients of its own: no retries, which would add to the timings, and PROBE_TIMEOUT.
func newProbe(cfg config.Config, start time.Time, out *report.Writer, log *slog.Logger, set *meter.Set) (*probe.Probe, error) {
	if !cfg.Probe.Enabled {
		return nil, nil
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, err
	}
	var targets []probe.Target
	for _, t := range cfg.EnabledTargets() {
		c, err := matomo.NewClient(matomo.Target{Name: t.Name, URL: t.URL, SiteID: t.SiteID, Token: t.Token}, matomo.Options{
			Timeout: cfg.Probe.Timeout, Retries: -1, MaxConns: 4, InsecureSkipVerify: cfg.TLSSkipVerify,
		})
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		targets = append(targets, probe.Target{Name: t.Name, SiteID: t.SiteID, Client: c})
	}
	return probe.New(cfg.Probe, targets, probe.Deps{Start: start, Out: out, Log: log, Meter: set, Location: loc})
}
