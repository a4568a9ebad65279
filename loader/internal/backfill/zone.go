package backfill

import (
	"context"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// checkZones warns when a target's site cuts days elsewhere than TIMEZONE: Matomo files a visit
// under the site's local day and splits visits at the site's midnight, so the backfill's days
// (and the promise that no visit crosses midnight) hold only when both agree. It is advice, not
// a failure: the site may be unreadable with a tracking-only token, or use a fixed offset.
func (e *engine) checkZones(ctx context.Context) {
	if len(e.plan.Days) == 0 {
		return
	}
	for _, t := range e.targets {
		site, err := t.client.Site(ctx, t.cfg.SiteID)
		if err != nil {
			e.log.Debug("could not read the site's time zone", "target", t.cfg.Name, "err", err)
			continue
		}
		loc, err := time.LoadLocation(site.Timezone)
		if err == nil && sameDays(e.plan, loc) {
			continue
		}
		advice := "set TIMEZONE=" + site.Timezone
		if err != nil {
			advice = "set TIMEZONE to a zone with the site's hours"
		}
		msg := fmt.Sprintf("site %d has time zone %q but TIMEZONE is %q: Matomo files visits under the site's days, "+
			"so backfilled days may be split differently in its reports; %s", t.cfg.SiteID, site.Timezone, e.cfg.Timezone, advice)
		e.log.Warn(msg, "target", t.cfg.Name)
		_ = e.out.Write(report.TypeError, &report.Error{Target: t.cfg.Name, Message: msg})
	}
}

// sameDays reports whether every planned day starts at the same instant in loc as in the plan's
// zone.
func sameDays(p *plan, loc *time.Location) bool {
	for _, d := range p.Days {
		start, _ := p.bounds(d.Date)
		other, _ := time.ParseInLocation(config.DateLayout, d.Date, loc)
		if !start.Equal(other) {
			return false
		}
	}
	return true
}
