package backfill

import (
	"context"
	"fmt"
	"sync"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
)

// chunkSize is how many visit indices a builder takes at a time.
const chunkSize = 32

// built is a visit ready to send: hits stamped with their times.
type built struct {
	idx     int64
	id      string // visitor id (cid)
	first   int64  // unix second of the first hit: what the Live API reports as firstActionTimestamp
	hits    []visit.Hit
	orders  int64
	mask    uint64 // targets that need it
	lane    int    // the sender of this visitor (see laneOf)
	past    int    // leading hits that are the visitor's synthetic earlier visit (before the window)
	bot     bool   // a crawler's visit: Matomo excludes it, so the Live API never shows it
	botHits int64  // its hits
}

// cut builds the day's visits in parallel and cuts them, in index order, into batches per target
// and lane.
func (e *engine) cut(ctx context.Context, d *dayRun) error {
	results, wait := e.buildInOrder(ctx, d)
	defer wait()
	cutters := make([]*cutter, len(e.targets))
	for t := range cutters {
		cutters[t] = newCutter(e, t, d)
	}
	for res := range results {
		var chunk []*built
		select {
		case chunk = <-res:
		case <-ctx.Done():
			return fmt.Errorf("backfill: %w", ctx.Err())
		}
		for _, b := range chunk {
			for t, c := range cutters {
				if b.mask&(1<<t) == 0 {
					continue
				}
				if err := c.add(ctx, b); err != nil {
					return err
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("backfill: %w", ctx.Err())
	}
	for _, c := range cutters {
		if err := c.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// buildInOrder builds the day's visits with e.builders goroutines, a chunk at a time. It returns
// one result slot per chunk, in index order (at most 2×builders chunks ahead of the reader), and
// a wait for the builders to stop, which they do once ctx ends or every chunk is built.
func (e *engine) buildInOrder(ctx context.Context, d *dayRun) (<-chan chan []*built, func()) {
	type job struct {
		lo, hi int64
		res    chan []*built
	}
	jobs := make(chan job)
	results := make(chan chan []*built, 2*e.builders)
	go func() {
		defer close(results)
		defer close(jobs)
		for lo := int64(0); lo < d.n; lo += chunkSize {
			j := job{lo: lo, hi: min(lo+chunkSize, d.n), res: make(chan []*built, 1)}
			select {
			case results <- j.res:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range e.builders {
		wg.Go(func() {
			for j := range jobs {
				j.res <- e.buildChunk(d, j.lo, j.hi)
			}
		})
	}
	return results, wg.Wait
}

// buildChunk builds the visits of [lo, hi) that some target still needs.
func (e *engine) buildChunk(d *dayRun, lo, hi int64) []*built {
	var out []*built
	for i := lo; i < hi; i++ {
		if mask := e.needMask(d, i); mask != 0 {
			out = append(out, e.build(d, i, mask))
		}
	}
	return out
}

// needMask returns the targets that still need visit i: its own (weighted) or all (mirror), in
// this loader's shard, not yet confirmed. It also counts the visit as planned for those targets.
func (e *engine) needMask(d *dayRun, i int64) uint64 {
	if i%e.shardCount != e.shardIndex {
		return 0
	}
	lo, hi := e.routes.Of(e.model, seqOf(d.epoch, i))
	var mask uint64
	for t := lo; t < hi; t++ {
		d.mine[t].Add(1)
		if n := &d.need[t]; !n.done && !n.confirmed.contains(i) {
			mask |= 1 << t
		}
	}
	return mask
}

// build makes visit i and stamps its hits inside the day: it starts at its quantile of the day's
// profile and ends before the day's limit.
func (e *engine) build(d *dayRun, i int64, mask uint64) *built {
	seq := seqOf(d.epoch, i)
	v := e.model.Build(seq)
	start, cut := d.curve.Place(quantile(e.plan.Seed, seq, i, d.n), v.Duration, d.limit)
	hits := v.Hits
	for k := range hits {
		hits[k].Request.Time = start.Add(hits[k].Offset)
	}
	if cut {
		k := 1
		for k < len(hits) && hits[k].Request.Time.Before(d.limit) {
			k++
		}
		hits = hits[:k]
	}
	id := v.Visitor.MatomoID()
	b := &built{idx: i, id: id, first: hits[min(v.Past, len(hits)-1)].Request.Time.Unix(), hits: hits, mask: mask,
		lane: laneOf(id, e.lanes), past: v.Past, bot: v.Bot}
	for k := range hits {
		if hits[k].Request.Order.ID != "" {
			b.orders++
		}
	}
	if v.Bot {
		b.botHits = int64(len(hits))
	}
	return b
}
