package backfill

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

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
