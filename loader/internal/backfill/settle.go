package backfill

import (
	"context"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// settle decides, hit by hit, what of a batch without a usable reply Matomo lacks. It asks the
// Live API for the actions of the batch's visitors around the batch's day (the day before and
// after too, because the site's time zone may cut days elsewhere than TIMEZONE does) and returns
// the parts still to send: whole visits Matomo has nothing of, and the missing hits of visits it
// has in part (a deadlock loses the head of a bulk and keeps its tail), in order, with their
// original cdt. When the Live API cannot answer, BACKFILL_UNSETTLED decides: every visit is sent
// again and counted as maybe duplicated, or none is and they count as maybe missing. The error is
// only ctx's: then the batch stays uncertain in the journal and the next run settles it.
func (e *engine) settle(ctx context.Context, t *target, b *batch, parts []part, o *outcome) ([]part, error) {
	seen, err := e.landedActions(ctx, t, b.d.date, parts)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("backfill: settling %s on %s: %w", b.d.date, t.cfg.Name, ctx.Err())
	}
	t.m.BatchesSettled.Add(1)
	if err != nil {
		if e.cfg.BackfillUnsettled == config.UnsettledSkip {
			o.missing += int64(len(parts))
			e.log.Warn("Live API cannot tell whether a batch landed; not sending it again, its visits may be missing",
				"target", t.cfg.Name, "date", b.d.date, "visits", len(parts), "err", err)
			return nil, nil
		}
		o.maybe += int64(len(parts))
		e.log.Warn("Live API cannot tell whether a batch landed; sending it again, its visits may be duplicated",
			"target", t.cfg.Name, "date", b.d.date, "visits", len(parts), "err", err)
		return parts, nil
	}
	var missing []part
	var whole, partial int
	for _, p := range parts {
		got := recorded(p.v, seen[p.v.id])
		var ks []int
		for _, k := range p.indices() {
			if got[k] {
				o.tracked++
			} else {
				ks = append(ks, k)
			}
		}
		switch {
		case len(ks) == 0:
			o.landed++
			whole++
		case len(ks) == len(p.v.hits):
			missing = append(missing, part{v: p.v})
		case len(ks) == len(p.v.hits)-p.v.past:
			missing = append(missing, part{v: p.v, ks: ks}) // the whole visit, after its earlier visit
		default:
			partial++
			keep := joinable(p.v, got, ks)
			if n := len(ks) - len(keep); n > 0 {
				e.log.Warn("hits of a visit longer than 30 minutes lost before the part Matomo has cannot join it; not sent again",
					"target", t.cfg.Name, "date", b.d.date, "hits", n)
			}
			if len(keep) > 0 {
				missing = append(missing, part{v: p.v, ks: keep, join: joins(p.v, keep)})
			}
		}
	}
	o.partial += int64(partial)
	e.log.Info("settled a batch through the Live API", "target", t.cfg.Name, "date", b.d.date,
		"visits", len(parts), "landed", whole, "partly_landed", partial, "to_send", len(missing))
	return missing, nil
}

// indices are the visit's hits this part holds.
func (p part) indices() []int {
	if p.ks != nil {
		return p.ks
	}
	ks := make([]int, len(p.v.hits))
	for k := range ks {
		ks[k] = k
	}
	return ks
}

// recorded tells which of a visit's hits Matomo has, from the action times it shows for the
// visitor. Each hit of a visit has a second of its own, so a hit that shows in actionDetails is
// found by its time. Pings and ecommerce cart updates never show there; Matomo processes a bulk in
// order and a failure loses a head of it, so such a hit is taken as recorded when a visible hit
// before it in the visit is (sending a ping or a cart update twice records nothing twice).
//
// A crawler's hits are excluded by Matomo and never show: they count as recorded. A visitor's
// synthetic earlier visit lies before the window, where the Live API is not asked: its hits count
// as recorded, so they are never sent twice (if one was lost, Matomo counts the visit as new).
func recorded(v *built, times map[int64]bool) []bool {
	got := make([]bool, len(v.hits))
	if v.bot {
		for k := range got {
			got[k] = true
		}
		return got
	}
	earlier := false
	for k := v.past; k < len(v.hits); k++ {
		r := &v.hits[k].Request
		if visibleInLive(r) {
			got[k] = times[r.Time.Unix()]
			earlier = earlier || got[k]
		} else {
			got[k] = earlier
		}
	}
	for k := 0; k < v.past && k < len(v.hits); k++ {
		got[k] = true // never sent twice: a lost one only makes its visit count as new
	}
	return got
}

// joinable returns the missing hits ks of v that can still join the visit Matomo has: Matomo adds
// a hit to a visitor's visit only when that visit's last action is at most 30 minutes after the hit,
// so a hit lost more than 30 minutes before the last hit Matomo has would open a visit of its own
// (a long visit that lost its head). Those are left out: the visit stays one, short of them.
func joinable(v *built, got []bool, ks []int) []int {
	var last time.Time
	for k := v.past; k < len(v.hits); k++ {
		if got[k] && v.hits[k].Request.Time.After(last) {
			last = v.hits[k].Request.Time
		}
	}
	if last.IsZero() {
		return ks
	}
	keep := ks[:0:0]
	for _, k := range ks {
		if k < v.past || !v.hits[k].Request.Time.Before(last.Add(-visitWindow)) {
			keep = append(keep, k)
		}
	}
	return keep
}

// visitWindow is how far before a visit's last action Matomo still adds a hit to it.
const visitWindow = 30 * time.Minute

// joins reports whether the missing hits ks of v (some of whose hits Matomo has) include the
// visit's first hit while a later hit of it landed: the first must then join the visit Matomo has.
func joins(v *built, ks []int) bool {
	for _, k := range ks {
		if k == v.past {
			return true
		}
	}
	return false
}

// visibleInLive reports whether Matomo lists the hit in a visit's actionDetails.
func visibleInLive(r *matomo.Request) bool {
	switch r.Kind() {
	case matomo.KindPing:
		return false
	case matomo.KindEcommerce:
		return r.Order.ID != "" // a cart update is not an action
	}
	return true
}

// landedActions returns, per visitor of the parts, the times of the actions the target has on
// date and its neighbours.
func (e *engine) landedActions(ctx context.Context, t *target, date string, parts []part) (map[string]map[int64]bool, error) {
	ids := make([]string, 0, len(parts))
	seen := make(map[string]map[int64]bool, len(parts))
	for _, p := range parts {
		if seen[p.v.id] == nil {
			seen[p.v.id] = map[int64]bool{}
			ids = append(ids, p.v.id)
		}
	}
	day, err := time.Parse(config.DateLayout, date)
	if err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	for k := -1; k <= 1; k++ {
		d := day.AddDate(0, 0, k).Format(config.DateLayout)
		found, err := t.client.LastVisits(ctx, t.cfg.SiteID, d, ids)
		if err != nil {
			return nil, fmt.Errorf("backfill: Live API on %s: %w", t.cfg.Name, err)
		}
		for _, v := range found {
			if m := seen[v.VisitorID]; m != nil {
				for _, ts := range v.ActionTimes {
					m[ts] = true
				}
			}
		}
	}
	return seen, nil
}
