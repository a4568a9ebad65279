package backfill

import (
	"context"
	"fmt"
)

// batch is a range of one day's visit indices for one target, with the visits of that range the
// target still needs. Ranges of one target never overlap; the journal names batches by them.
type batch struct {
	t       int
	di      int
	date    string
	rng     span
	recheck bool // an uncertain range of an earlier run: ask the Live API before sending
	visits  []*built
	hits    int
}

// cutter groups one target's visits, arriving in index order, into batches of whole visits of at
// most size hits (a larger visit goes alone). Ranges left uncertain by an earlier run are kept as
// they were, so that each is checked against the Live API as the batch it was.
type cutter struct {
	t, size int
	d       *dayRun
	out     chan<- *batch
	edge    int64 // indices below edge belong to emitted batches
	cur     *batch
}

func newCutter(t int, d *dayRun, size int, out chan<- *batch) *cutter {
	return &cutter{t: t, size: size, d: d, out: out}
}

// add places visit b in the current batch or starts a new one.
func (c *cutter) add(ctx context.Context, b *built) error {
	u, inU := c.d.need[c.t].uncertain.find(b.idx)
	if cur := c.cur; cur != nil {
		switch {
		case cur.recheck && inU && u == cur.rng:
			cur.visits, cur.hits = append(cur.visits, b), cur.hits+len(b.hits)
			return nil
		case cur.recheck:
		case inU:
			cur.rng.To = u.From
		case cur.hits+len(b.hits) > c.size:
			cur.rng.To = b.idx
		default:
			cur.visits, cur.hits = append(cur.visits, b), cur.hits+len(b.hits)
			cur.rng.To, c.edge = b.idx+1, b.idx+1
			return nil
		}
		if err := c.emit(ctx); err != nil {
			return err
		}
	}
	c.cur = &batch{t: c.t, di: c.d.di, date: c.d.date, rng: span{c.edge, b.idx + 1}}
	if inU {
		c.cur.rng, c.cur.recheck = u, true
	}
	c.cur.visits, c.cur.hits = append(c.cur.visits, b), len(b.hits)
	c.edge = c.cur.rng.To
	return nil
}

// flush emits the last batch; a free range then reaches the end of the day.
func (c *cutter) flush(ctx context.Context) error {
	if c.cur == nil {
		return nil
	}
	if !c.cur.recheck {
		c.cur.rng.To = max(c.cur.rng.To, c.d.n)
	}
	return c.emit(ctx)
}

func (c *cutter) emit(ctx context.Context) error {
	b := c.cur
	c.cur = nil
	if b.rng.To > c.edge {
		c.edge = b.rng.To
	}
	select {
	case c.out <- b:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("backfill: %w", ctx.Err())
	}
}
