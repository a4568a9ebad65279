package backfill

import (
	"context"
	"fmt"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// settle decides what of a batch with a lost reply must be sent again. It asks the Live API for
// the visits of the batch's visitors around the batch's day: a planned visit has landed when its
// visitor has a visit whose first action is at the planned second. The day before and after are
// asked too, because the site's time zone may cut days elsewhere than TIMEZONE does. The visits
// not found are returned. When the Live API cannot answer, every visit is returned and counted
// as possibly duplicated. The error is only ctx's: then the batch stays uncertain in the journal
// and the next run settles it.
func (e *engine) settle(ctx context.Context, t *target, b *batch, visits []*built, o *outcome) ([]*built, error) {
	seen, err := e.landedVisits(ctx, t, b.date, visits)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("backfill: settling %s visits %d–%d on %s: %w", b.date, b.rng.From, b.rng.To-1,
			t.cfg.Name, ctx.Err())
	}
	if err != nil {
		o.maybe += int64(len(visits))
		e.log.Warn("Live API cannot tell whether a batch without reply landed; sending it again, "+
			"its visits may be duplicated", "target", t.cfg.Name, "date", b.date, "visits", len(visits), "err", err)
		return visits, nil
	}
	t.m.BatchesSettled.Add(1)
	var missing []*built
	for _, v := range visits {
		if seen[visitKey{v.id, v.first}] {
			o.landed++
			o.landedHits += int64(len(v.hits))
			o.orders += v.orders
			continue
		}
		missing = append(missing, v)
	}
	e.log.Info("settled a batch without reply through the Live API", "target", t.cfg.Name, "date", b.date,
		"landed", len(visits)-len(missing), "missing", len(missing))
	return missing, nil
}

// visitKey identifies a visit by visitor and first action second.
type visitKey struct {
	id    string
	first int64
}

// landedVisits returns the visits the target has of the given visitors on date and its neighbours.
func (e *engine) landedVisits(ctx context.Context, t *target, date string, visits []*built) (map[visitKey]bool, error) {
	ids := make([]string, 0, len(visits))
	have := make(map[string]bool, len(visits))
	for _, v := range visits {
		if !have[v.id] {
			have[v.id] = true
			ids = append(ids, v.id)
		}
	}
	day, err := time.Parse(config.DateLayout, date)
	if err != nil {
		return nil, fmt.Errorf("backfill: %w", err)
	}
	seen := make(map[visitKey]bool)
	for k := -1; k <= 1; k++ {
		d := day.AddDate(0, 0, k).Format(config.DateLayout)
		found, err := t.client.LastVisits(ctx, t.cfg.SiteID, d, ids)
		if err != nil {
			return nil, fmt.Errorf("backfill: Live API on %s: %w", t.cfg.Name, err)
		}
		for _, v := range found {
			seen[visitKey{v.VisitorID, v.First.Unix()}] = true
		}
	}
	return seen, nil
}
