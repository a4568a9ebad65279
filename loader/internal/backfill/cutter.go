package backfill

import (
	"context"
	"strconv"
)

// batch is some of one day's visits for one target, all of one lane, in index order: the visits
// the target still needs. The journal names a batch by its indices.
type batch struct {
	t, lane int
	d       *dayRun
	idx     []int64
	recheck bool // visits left uncertain by an earlier run: ask the Live API before sending
	visits  []*built
	hits    int
}

// laneOf hashes a visitor to one of n lanes. A lane posts one batch at a time, so a visitor's
// hits (its visits on other days included) are never in two bulks Matomo processes at once: two
// such bulks are what makes Matomo's database deadlock, and what lets it split one visit in two.
// Visitor ids are random hex, so their first eight digits spread evenly.
func laneOf(visitorID string, n int) int {
	if n <= 1 || len(visitorID) < 8 {
		return 0
	}
	v, err := strconv.ParseUint(visitorID[:8], 16, 32)
	if err != nil {
		return 0
	}
	return int(v % uint64(n))
}

// cutter groups one target's visits of a day, arriving in index order, into batches per lane of
// whole visits of at most BULK_BATCH_SIZE hits (a larger visit goes alone). Visits an earlier run
// left uncertain go into batches of their own, which are settled before anything is sent.
type cutter struct {
	e     *engine
	t     int
	d     *dayRun
	cur   []*batch // per lane: the batch being filled
	check []*batch // per lane: the recheck batch being filled
}

func newCutter(e *engine, t int, d *dayRun) *cutter {
	return &cutter{e: e, t: t, d: d, cur: make([]*batch, e.lanes), check: make([]*batch, e.lanes)}
}

// add places visit b in its lane's batch, emitting the batch when b would overflow it.
func (c *cutter) add(ctx context.Context, b *built) error {
	slot := &c.cur[b.lane]
	recheck := c.d.need[c.t].uncertain.contains(b.idx)
	if recheck {
		slot = &c.check[b.lane]
	}
	if cur := *slot; cur != nil && cur.hits+len(b.hits) > c.e.bulk {
		*slot = nil
		if err := c.e.emit(ctx, cur); err != nil {
			return err
		}
	}
	if *slot == nil {
		*slot = &batch{t: c.t, lane: b.lane, d: c.d, recheck: recheck}
	}
	cur := *slot
	cur.idx, cur.visits, cur.hits = append(cur.idx, b.idx), append(cur.visits, b), cur.hits+len(b.hits)
	return nil
}

// flush emits every partly filled batch at the end of the day.
func (c *cutter) flush(ctx context.Context) error {
	for _, slots := range [][]*batch{c.check, c.cur} {
		for i, b := range slots {
			if b == nil {
				continue
			}
			slots[i] = nil
			if err := c.e.emit(ctx, b); err != nil {
				return err
			}
		}
	}
	return nil
}
