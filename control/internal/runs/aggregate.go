package runs

import (
	"cmp"
	"slices"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// statsSum adds up the records of a run's loaders into one record per kind. Counters are summed.
// Rates and in-flight visits are summed only over figures that still apply: the stats of loaders
// that still run (an exited loader sends nothing) and final summaries (whole-run rates of loaders
// that ran side by side); the span a rate covers is the longest one's. Latency percentiles cannot
// be combined exactly from percentiles, so the worst loader's figure is shown, which errs on the
// side of warning. Like a loader's own records, the total is named report.TotalName.
type statsSum struct {
	targets map[string]*report.TargetStats
	order   []string
	total   report.TargetStats
	elapsed float64
	at      time.Time
	any     bool
}

func newStatsSum() *statsSum {
	return &statsSum{targets: make(map[string]*report.TargetStats), total: report.TargetStats{Target: report.TotalName}}
}

// add adds one loader's per-target and total figures; live says whether its rates still apply.
// The total is added whatever name it carries.
func (s *statsSum) add(targets []report.TargetStats, total report.TargetStats, live bool) {
	s.any = true
	for _, t := range targets {
		dst, ok := s.targets[t.Target]
		if !ok {
			dst = &report.TargetStats{Target: t.Target}
			s.targets[t.Target] = dst
			s.order = append(s.order, t.Target)
		}
		addTarget(dst, t, live)
	}
	addTarget(&s.total, total, live)
}

// stamp records a record's time and elapsed seconds (the latest and the longest win).
func (s *statsSum) stamp(at time.Time, elapsed float64) {
	if at.After(s.at) {
		s.at = at
	}
	s.elapsed = max(s.elapsed, elapsed)
}

func addTarget(dst *report.TargetStats, src report.TargetStats, live bool) {
	if !live {
		dst.Add(src.Counters)
		return
	}
	name := dst.Target
	*dst = report.Total([]report.TargetStats{*dst, src})
	dst.Target = name
}

// targetList returns the per-target sums in the order targets were first seen.
func (s *statsSum) targetList() []report.TargetStats {
	out := make([]report.TargetStats, 0, len(s.order))
	for _, name := range s.order {
		out = append(out, *s.targets[name])
	}
	return out
}

// stats returns the sum as a stats record, or nil when nothing was added.
func (s *statsSum) stats() *report.Stats {
	if !s.any {
		return nil
	}
	st := &report.Stats{Elapsed: s.elapsed, Targets: s.targetList(), Total: s.total}
	st.Type, st.Time = report.TypeStats, s.at
	return st
}

// sumSummaries combines the final summaries of a run's loaders (carried holds the counters of
// earlier processes of restarted loaders, whose rates no longer apply). The reason is the first
// loader's, unless one ended in an error, which is what a user needs to see.
func sumSummaries(mode string, sums []*report.Summary, carried *statsSum) *report.Summary {
	if len(sums) == 0 {
		return nil
	}
	total := newStatsSum()
	if carried != nil && carried.any {
		total.add(carried.targetList(), carried.total, false)
	}
	out := &report.Summary{Mode: mode, Reason: sums[0].Reason}
	out.Type = report.TypeSummary
	for _, s := range sums {
		total.add(s.Targets, s.Total, true)
		if s.Time.After(out.Time) {
			out.Time = s.Time
		}
		if s.Reason == "error" {
			out.Reason = s.Reason
		}
		out.Seconds = max(out.Seconds, s.Seconds)
		out.Days = max(out.Days, s.Days)
		out.MaybeDuplicated += s.MaybeDuplicated
		out.Invalidations = append(out.Invalidations, s.Invalidations...)
		if out.Hint == "" {
			out.Hint = s.Hint
		}
	}
	out.Targets, out.Total = total.targetList(), total.total
	return out
}

// dayKey is one backfill day of one target.
type dayKey struct{ date, target string }

// sumDayLocked records loader index's record of a backfill day and returns the run's record of it:
// the sum over the loaders that reported it, done once all of the run's loaders have reported it
// done. A sharded backfill's shards each report their own share of every day; a shard's record is
// cumulative (it counts what the shard's earlier processes sent too), so its latest one replaces
// its earlier ones.
func (r *liveRun) sumDayLocked(index int, d *report.Day) *report.Day {
	k := dayKey{d.Date, d.Target}
	byLoader := r.days[k]
	if byLoader == nil {
		byLoader = make(map[int]report.Day)
		r.days[k] = byLoader
	}
	byLoader[index] = *d
	sum := &report.Day{Header: d.Header, Date: d.Date, Target: d.Target}
	done, skipped := 0, 0
	for _, i := range sortedKeys(byLoader) {
		x := byLoader[i]
		sum.Planned += x.Planned
		sum.Sent += x.Sent
		sum.Tracked += x.Tracked
		sum.Invalid += x.Invalid
		sum.Dropped += x.Dropped
		sum.Landed += x.Landed
		sum.MaybeDuplicated += x.MaybeDuplicated
		sum.MaybeMissing += x.MaybeMissing
		sum.Seconds = max(sum.Seconds, x.Seconds)
		if x.Done {
			done++
		}
		if x.Skipped != "" {
			skipped++
			sum.Skipped = cmp.Or(sum.Skipped, x.Skipped)
		}
	}
	sum.Done = done >= r.loaders
	if skipped < r.loaders {
		sum.Skipped = "" // the day was sent, at least in part
	}
	return sum
}

// sumProgress combines the backfill progress of a run's loaders; nil when there is none.
func sumProgress(ps []*report.Progress) *report.Progress {
	if len(ps) == 0 {
		return nil
	}
	if len(ps) == 1 {
		p := *ps[0]
		return &p
	}
	out := &report.Progress{}
	out.Type = report.TypeProgress
	for _, p := range ps {
		out.VisitsDone += p.VisitsDone
		out.VisitsPlanned += p.VisitsPlanned
		out.VisitsPerSec += p.VisitsPerSec
		out.HitsPerSec += p.HitsPerSec
		out.ETASeconds = max(out.ETASeconds, p.ETASeconds)
		if p.Time.After(out.Time) {
			out.Time = p.Time
		}
	}
	if out.VisitsPlanned > 0 {
		out.Percent = 100 * float64(out.VisitsDone) / float64(out.VisitsPlanned)
	}
	return out
}

// sortedKeys returns a map's int keys in order, so sums are built in loader order.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
