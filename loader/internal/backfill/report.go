package backfill

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// progress counts deliveries for Progress records.
type progress struct {
	planned atomic.Int64 // deliveries of the whole plan
	before  atomic.Int64 // made by earlier runs
	visits  atomic.Int64 // made by this run
	hits    atomic.Int64 // posted by this run

	// the previous record's figures, for the recent rate (only the reporting goroutine uses them)
	lastAt            time.Time
	lastVisits, lastH int64
}

func (p *progress) done(visits, hits int64) {
	p.visits.Add(visits)
	p.hits.Add(hits)
}

// reportProgress prints a Progress record every STATS_INTERVAL until the returned stop is called,
// which prints a last one.
func (e *engine) reportProgress(ctx context.Context) (stop func()) {
	interval := e.cfg.StatsInterval
	if interval <= 0 {
		interval = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := e.clock.NewTimer(interval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C():
				e.writeProgress()
				tick.Reset(interval)
			}
		}
	}()
	return func() {
		cancel()
		<-finished
		e.writeProgress()
	}
}

// writeProgress prints a Progress record: rates since the start and over the last interval, the
// ETA at the recent rate, and each target's concurrency limit and settlements summed.
func (e *engine) writeProgress() {
	p := &e.progress
	now := e.clock.Now()
	planned, before := p.planned.Load(), p.before.Load()
	visits, hits := p.visits.Load(), p.hits.Load()
	rec := report.Progress{VisitsDone: before + visits, VisitsPlanned: planned}
	if planned > 0 {
		rec.Percent = math.Round(1000*float64(rec.VisitsDone)/float64(planned)) / 10
	}
	if secs := now.Sub(e.started).Seconds(); secs > 0 {
		rec.VisitsPerSec, rec.HitsPerSec = float64(visits)/secs, float64(hits)/secs
	}
	recentVisits := rec.VisitsPerSec
	if p.lastAt.IsZero() {
		p.lastAt = e.started
	}
	if secs := now.Sub(p.lastAt).Seconds(); secs > 0 {
		rec.RecentHitsPerSec = float64(hits-p.lastH) / secs
		if v := float64(visits-p.lastVisits) / secs; v > 0 {
			recentVisits = v
		}
	}
	p.lastAt, p.lastVisits, p.lastH = now, visits, hits
	if recentVisits > 0 {
		rec.ETASeconds = math.Round(float64(planned-rec.VisitsDone) / recentVisits)
	}
	for _, t := range e.targets {
		rec.Concurrency += t.limit.Limit()
		rec.Uncertain += t.m.BatchesUncertain.Load()
		rec.Settled += t.m.BatchesSettled.Load()
	}
	_ = e.out.Write(report.TypeProgress, &rec)
}

// writeDay prints the finished day's record per target.
func (e *engine) writeDay(d *dayRun, skipped bool) {
	pd := e.plan.Days[d.di]
	e.store.view(func(st *state) {
		for t, td := range st.Days[d.di].Targets {
			rec := report.Day{Date: d.date, Target: e.targets[t].cfg.Name, Planned: d.mine[t].Load(),
				Sent: td.Visits, Tracked: td.Tracked, Invalid: td.Invalid, Dropped: td.Dropped,
				Seconds: math.Round(td.Seconds*1000) / 1000, Done: true,
				Landed: td.Landed, MaybeDuplicated: td.MaybeDup, MaybeMissing: td.MaybeMissing}
			switch {
			case pd.Skipped != "":
				rec.Skipped = pd.Skipped
			case skipped:
				rec.Skipped = SkipDone
			}
			if rec.Planned == 0 {
				rec.Planned = td.Visits
			}
			_ = e.out.Write(report.TypeDay, &rec)
		}
	})
}

// summary is the run's last record.
func (e *engine) summary(reason string) report.Summary {
	elapsed := e.clock.Now().Sub(e.started)
	s := report.Summary{Mode: "backfill", Reason: reason, Seconds: math.Round(elapsed.Seconds()*1000) / 1000}
	for _, t := range e.targets {
		s.Targets = append(s.Targets, t.stats(elapsed))
	}
	s.Total = report.Total(s.Targets)
	if e.store == nil || e.store.st == nil {
		return s
	}
	e.store.view(func(st *state) {
		s.Days = len(st.Days)
		for _, d := range st.Days {
			for _, td := range d.Targets {
				s.MaybeDuplicated += td.MaybeDup
				s.MaybeMissing += td.MaybeMissing
			}
		}
		if st.Complete {
			s.Invalidations = e.invalidations
			s.Hint = e.hint(st)
		}
	})
	return s
}

// hint tells the user how to get the backfilled days into Matomo's reports.
func (e *engine) hint(st *state) string {
	first, last := "", ""
	for _, d := range st.Days {
		if d.Visits > 0 {
			if first == "" {
				first = d.Date
			}
			last = d.Date
		}
	}
	if first == "" {
		return "Nothing was sent: every planned day had zero visits."
	}
	var cmds []string
	for _, t := range e.targets {
		cmds = append(cmds, fmt.Sprintf("%s: ./console core:archive --force-idsites=%d --force-date-range=%s,%s",
			t.cfg.Name, t.cfg.SiteID, first, last))
	}
	msg := "Matomo builds reports for past days only when archiving runs. Run " + strings.Join(cmds, "; ") + "."
	if e.cfg.BackfillInvalidate {
		msg = "Archived reports of the backfilled days were invalidated (see invalidations); " +
			"browser-triggered archiving or the next core:archive rebuilds them. To rebuild now: " +
			strings.Join(cmds, "; ") + "."
	}
	return msg
}
