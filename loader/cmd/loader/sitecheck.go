package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// checkSiteTimezones warns when a target site's time zone keeps other hours than TIMEZONE over the
// backfill window. Matomo splits visits and days at the site's midnight, so a backfill planned in
// another zone puts visits on the neighbouring day (and splits the ones that straddle its midnight).
// It only warns: the site may be unreadable with a write-only token, and the user may mean it.
func checkSiteTimezones(ctx context.Context, cfg config.Config, clients []*matomo.Client, out *report.Writer, log *slog.Logger) {
	loc, err := cfg.Location()
	if err != nil {
		return
	}
	w, _ := cfg.BackfillWindow(time.Now())
	targets := cfg.EnabledTargets()
	for i, c := range clients {
		t := targets[i]
		cctx, cancel := context.WithTimeout(ctx, cfg.HTTPTimeout)
		site, err := c.Site(cctx, t.SiteID)
		cancel()
		if err != nil {
			log.Debug("cannot read the site's time zone", "target", t.Name, "error", err.Error())
			continue
		}
		siteLoc, err := time.LoadLocation(site.Timezone)
		if err != nil || sameHours(loc, siteLoc, w.Start, w.End) {
			continue
		}
		msg := fmt.Sprintf("site %d is in time zone %s but TIMEZONE is %s: Matomo will count some visits on the neighbouring day; set TIMEZONE=%s",
			t.SiteID, site.Timezone, cfg.Timezone, site.Timezone)
		log.Warn(msg, "target", t.Name)
		_ = out.Write(report.TypeError, &report.Error{Target: t.Name, Message: msg})
	}
}

// sameHours reports whether a and b have the same UTC offset at every hour between from and to.
func sameHours(a, b *time.Location, from, to time.Time) bool {
	if from.IsZero() {
		from = time.Now()
	}
	for t := from; !t.After(to.Add(24 * time.Hour)); t = t.Add(time.Hour) {
		_, oa := t.In(a).Zone()
		_, ob := t.In(b).Zone()
		if oa != ob {
			return false
		}
	}
	return true
}
