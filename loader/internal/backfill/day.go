package backfill

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
)

// chunkSize is how many visit indices a builder takes at a time.
const chunkSize = 32

// dayRun is one day being sent.
type dayRun struct {
	di    int
	date  string
	epoch int64
	n     int64 // planned visits of the day (all shards)
	curve *dayCurve
	limit time.Time
	need  []targetNeed
	// lastSend is the latest post of an uncertain range (unix ms), 0 without any.
	lastSend int64
	mine     []atomic.Int64 // per target: the day's visits that are this target's (for Day.Planned)
	passed   time.Time
}

// targetNeed is what one target still needs of the day, read from the state when the day starts.
type targetNeed struct {
	done      bool
	confirmed spans
	uncertain spans
}

// built is a visit ready to send: hits stamped with their times.
type built struct {
	idx    int64
	id     string // visitor id (cid)
	first  int64  // unix second of the first hit: what the Live API reports as firstActionTimestamp
	hits   []visit.Hit
	orders int64
	mask   uint64 // targets that need it
}

// sendDay sends what the day still needs on every target, then records it finished.
func (e *engine) sendDay(ctx context.Context, di int) error {
	d := e.newDayRun(di)
	if d.n == 0 || allDone(d.need) {
		return e.finishDay(d, true)
	}
	if err := e.awaitUncertain(ctx, d); err != nil {
		return err
	}
	io, stopIO := e.graceful(ctx)
	defer stopIO()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, e.senders)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	stop := func(err error) {
		errOnce.Do(func() {
			firstErr = err
			cancel()
			if !errors.Is(err, context.Canceled) {
				stopIO() // a failure: abandon requests under way too
			}
		})
	}
	for range e.senders {
		wg.Go(func() {
			for b := range batches {
				if err := e.process(ctx, io, b); err != nil {
					stop(err)
				}
			}
		})
	}
	if err := e.cut(ctx, d, batches); err != nil {
		stop(err)
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return e.finishDay(d, false)
}

// awaitUncertain waits, before batches left uncertain by an earlier run are settled, until the
// last of them may be checked (see settleAfter): a request under way when the loader died may
// still be processed by Matomo.
func (e *engine) awaitUncertain(ctx context.Context, d *dayRun) error {
	if d.lastSend == 0 {
		return nil
	}
	wait := time.Until(e.settleAfter(time.UnixMilli(d.lastSend)))
	if wait <= 0 {
		return nil
	}
	e.log.Info("waiting before checking batches left without reply", "date", d.date, "wait", wait.Round(time.Millisecond))
	return sleep(ctx, wait)
}

// graceful returns the context for requests under way: it ends SHUTDOWN_GRACE after ctx does, so
// that batches already posted get their replies recorded instead of becoming uncertain.
func (e *engine) graceful(ctx context.Context) (context.Context, context.CancelFunc) {
	io, cancel := context.WithCancel(context.WithoutCancel(ctx))
	grace := e.cfg.ShutdownGrace
	go func() {
		select {
		case <-io.Done():
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-io.Done():
		case <-t.C:
			cancel()
		}
	}()
	return io, cancel
}

// newDayRun reads the day's plan and each target's progress.
func (e *engine) newDayRun(di int) *dayRun {
	pd := e.plan.Days[di]
	epoch, _ := epochOf(pd.Date)
	d := &dayRun{di: di, date: pd.Date, epoch: epoch, n: pd.Visits, limit: e.plan.limit(pd.Date),
		curve: e.plan.curve(pd.Date), mine: make([]atomic.Int64, len(e.targets)), passed: time.Now()}
	e.store.view(func(st *state) {
		for _, td := range st.Days[di].Targets {
			d.need = append(d.need, targetNeed{done: td.Done,
				confirmed: append(spans(nil), td.Confirmed...), uncertain: append(spans(nil), td.Uncertain...)})
			if len(td.Uncertain) > 0 && !td.Done {
				d.lastSend = max(d.lastSend, td.LastSend)
			}
		}
	})
	return d
}

func allDone(need []targetNeed) bool {
	for _, n := range need {
		if !n.done {
			return false
		}
	}
	return true
}

// cut builds the day's visits in parallel and cuts them, in index order, into batches per target.
func (e *engine) cut(ctx context.Context, d *dayRun, out chan<- *batch) error {
	type job struct {
		lo, hi int64
		res    chan []*built
	}
	jobs := make(chan job)
	futures := make(chan chan []*built, 2*e.builders)
	go func() { // producer: hands out chunks, and their result slots in order
		defer close(futures)
		defer close(jobs)
		for lo := int64(0); lo < d.n; lo += chunkSize {
			j := job{lo: lo, hi: min(lo+chunkSize, d.n), res: make(chan []*built, 1)}
			select {
			case futures <- j.res:
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
	defer wg.Wait()
	cutters := make([]*cutter, len(e.targets))
	for t := range cutters {
		cutters[t] = newCutter(t, d, e.bulk, out)
	}
	for res := range futures {
		var chunk []*built
		select {
		case chunk = <-res:
		case <-ctx.Done():
			return ctx.Err()
		}
		for _, b := range chunk {
			for t, c := range cutters {
				if b.mask&(1<<t) != 0 {
					if err := c.add(ctx, b); err != nil {
						return err
					}
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, c := range cutters {
		if err := c.flush(ctx); err != nil {
			return err
		}
	}
	return nil
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
// this loader's shard, not yet confirmed.
func (e *engine) needMask(d *dayRun, i int64) uint64 {
	if i%e.shardCount != e.shardIndex {
		return 0
	}
	var mask uint64
	for t := range e.targets {
		if !e.mirror && t != e.model.Target(seqOf(d.epoch, i), e.weights) {
			continue
		}
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
	start, cut := d.curve.place(quantile(e.plan.Seed, seq, i, d.n), v.Duration, d.limit)
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
	b := &built{idx: i, id: v.Visitor.ID, first: hits[0].Request.Time.Unix(), hits: hits, mask: mask}
	for k := range hits {
		if hits[k].Request.Order.ID != "" {
			b.orders++
		}
	}
	return b
}

// finishDay records the day finished on every target and prints its Day records.
func (e *engine) finishDay(d *dayRun, skipped bool) error {
	secs := time.Since(d.passed).Seconds()
	err := e.store.update(func(st *state) {
		for t := range st.Days[d.di].Targets {
			td := &st.Days[d.di].Targets[t]
			if !td.Done {
				td.Done, td.Seconds = true, td.Seconds+secs
				td.Uncertain = nil
			}
		}
	})
	if err != nil {
		return fmt.Errorf("backfill: record day %s: %w", d.date, err)
	}
	e.writeDay(d, skipped)
	return nil
}
