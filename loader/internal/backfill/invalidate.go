package backfill

import (
	"context"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// invalidate calls CoreAdminHome.invalidateArchivedReports for the days each target received
// visits on, when BACKFILL_INVALIDATE_REPORTS asks for it and an earlier run has not done it
// already. A refusal is reported, not fatal: the data is in Matomo either way, and core:archive
// (the hint) rebuilds the reports too.
func (e *engine) invalidate(ctx context.Context) error {
	if !e.cfg.BackfillInvalidate {
		return nil
	}
	var (
		done  bool
		dates = make([][]string, len(e.targets))
	)
	e.store.view(func(st *state) {
		done = st.Invalidated
		for _, d := range st.Days {
			for t, td := range d.Targets {
				if td.Visits > 0 {
					dates[t] = append(dates[t], d.Date)
				}
			}
		}
	})
	if done {
		return nil
	}
	allOK := true
	for i, t := range e.targets {
		if len(dates[i]) == 0 {
			continue
		}
		inv := report.Invalidation{Target: t.cfg.Name, Dates: dates[i], OK: true}
		lines, err := t.client.InvalidateArchivedReports(ctx, []int{t.cfg.SiteID}, dates[i])
		if err != nil {
			inv.OK, inv.Message, allOK = false, err.Error(), false
			e.log.Warn("invalidating archived reports failed; run core:archive instead", "target", t.cfg.Name, "err", err)
		} else {
			inv.Message = strings.Join(lines, " ")
			e.log.Info("invalidated archived reports", "target", t.cfg.Name, "days", len(dates[i]))
		}
		e.invalidations = append(e.invalidations, inv)
	}
	if !allOK {
		return nil
	}
	return e.store.update(func(st *state) { st.Invalidated = true })
}
