package backfill

import (
	"fmt"
	"sync/atomic"
	"time"
)

// dayRun is one day being sent. Its batches are in the lanes, possibly beside later days'.
type dayRun struct {
	di    int
	date  string
	epoch int64
	n     int64 // planned visits of the day (all shards)
	curve *dayCurve
	limit time.Time
	need  []targetNeed
	// settleAt is when visits an earlier run left uncertain may be checked: no copy of them
	// still being processed by Matomo (see engine.resumeSettleAt).
	settleAt time.Time
	mine     []atomic.Int64 // per target: the day's visits that are this target's (for Day.Planned)
	passed   time.Time
	// pending counts the day's batches not yet settled, plus one held by the producer until the
	// day is cut: whoever brings it to zero finishes the day.
	pending atomic.Int64
	// failed is set when a batch of the day ended without being settled: the day stays open.
	failed atomic.Bool
}

// targetNeed is what one target still needs of the day, read from the state when the day starts.
type targetNeed struct {
	done      bool
	confirmed spans
	uncertain spans
}

// newDayRun reads the day's plan and each target's progress.
func (e *engine) newDayRun(di int) *dayRun {
	pd := e.plan.Days[di]
	epoch, _ := epochOf(pd.Date)
	d := &dayRun{di: di, date: pd.Date, epoch: epoch, n: pd.Visits, limit: e.plan.limit(pd.Date),
		curve: e.plan.curve(pd.Date), mine: make([]atomic.Int64, len(e.targets)), passed: e.clock.Now()}
	d.pending.Store(1)
	var lastSend int64
	e.store.view(func(st *state) {
		for _, td := range st.Days[di].Targets {
			d.need = append(d.need, targetNeed{done: td.Done,
				confirmed: append(spans(nil), td.Confirmed...), uncertain: append(spans(nil), td.Uncertain...)})
			if len(td.Uncertain) > 0 && !td.Done {
				lastSend = max(lastSend, td.LastSend)
			}
		}
	})
	if lastSend > 0 {
		d.settleAt = e.resumeSettleAt(time.UnixMilli(lastSend))
	}
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

// release drops one hold on the day (a settled batch, or the producer's once the day is cut) and
// finishes the day when it was the last.
func (e *engine) release(d *dayRun) error {
	if d.pending.Add(-1) != 0 || d.failed.Load() {
		return nil
	}
	return e.finishDay(d, false)
}

// finishDay records the day finished on every target and prints its Day records.
func (e *engine) finishDay(d *dayRun, skipped bool) error {
	secs := e.clock.Now().Sub(d.passed).Seconds()
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
