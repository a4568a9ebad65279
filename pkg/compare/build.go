package compare

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// process is one loader process's records: a loader that was restarted starts a new process,
// whose counters start again from zero.
type process struct {
	start     time.Time
	lastStats *report.Stats
	summary   *report.Summary
	prevAt    time.Time
	prev      map[string]report.Counters
}

// final is the process's last word on its targets: its summary's, else its last stats'.
func (p *process) final() ([]report.TargetStats, float64) {
	switch {
	case p.summary != nil:
		return p.summary.Targets, p.summary.Seconds
	case p.lastStats != nil:
		return p.lastStats.Targets, p.lastStats.Elapsed
	}
	return nil, 0
}

type stepKey struct {
	target string
	index  int
}

// builder collects the records of a run.
type builder struct {
	order        []string
	mode         string
	targetMode   string
	search       string
	visitsPerDay float64
	t0           time.Time
	procs        map[int][]*process
	points       map[string]map[int][]Point // target → loader → points
	steps        map[stepKey][]report.Step
	probes       map[string][]*ProbeSeries // target → calls in the order first timed
	verdicts     map[int]*report.Verdict   // each loader's last
	thresholds   map[string]int
}

// Build compares the targets of a run from its records. Records of one loader must be in the
// order it printed them; loaders may be interleaved. The only error is a named baseline that is
// not one of the run's targets.
func Build(recs []Record, opts Options) (*Report, error) {
	if opts.MinChange <= 0 {
		opts.MinChange = DefaultMinChange
	}
	b := &builder{procs: map[int][]*process{}, points: map[string]map[int][]Point{},
		steps: map[stepKey][]report.Step{}, probes: map[string][]*ProbeSeries{},
		verdicts: map[int]*report.Verdict{}, thresholds: map[string]int{}}
	b.t0 = firstTime(recs)
	for _, r := range recs {
		b.add(r)
	}
	rep := &Report{RunID: opts.RunID, Title: opts.Title, Mode: b.mode, TargetMode: b.targetMode, Search: b.search,
		VisitsPerDay: b.visitsPerDay, Loaders: len(b.procs), MinChange: opts.MinChange,
		Targets: []Target{}, Verdicts: []Verdict{}}
	if !b.t0.IsZero() {
		t := b.t0.UTC()
		rep.Started = &t
	}
	rep.Seconds = b.seconds()
	for _, name := range b.order {
		rep.Targets = append(rep.Targets, b.target(name, rep.Seconds))
	}
	if v := b.onlyVerdict(); v != nil {
		rep.SearchEnd = v.Reason
		if rep.Search == "" {
			rep.Search = v.Search
		}
	}
	rep.Kind = kindOf(rep)
	if err := chooseBaseline(rep, opts.Baseline); err != nil {
		return nil, err
	}
	judge(rep)
	return rep, nil
}

// firstTime is when the run started: its earliest start record, else its earliest record.
func firstTime(recs []Record) time.Time {
	var start, any time.Time
	for _, r := range recs {
		h := headerOf(r.Value)
		if h == nil || h.Time.IsZero() {
			continue
		}
		if any.IsZero() || h.Time.Before(any) {
			any = h.Time
		}
		if _, ok := r.Value.(*report.Start); ok && (start.IsZero() || h.Time.Before(start)) {
			start = h.Time
		}
	}
	if !start.IsZero() {
		return start
	}
	return any
}

func headerOf(v any) *report.Header {
	switch r := v.(type) {
	case *report.Start:
		return &r.Header
	case *report.Stats:
		return &r.Header
	case *report.Summary:
		return &r.Header
	case *report.Step:
		return &r.Header
	case *report.Threshold:
		return &r.Header
	case *report.Probe:
		return &r.Header
	case *report.Verdict:
		return &r.Header
	}
	return nil
}

// elapsed is the time of a record since the run started, in seconds (never negative).
func (b *builder) elapsed(t time.Time) float64 {
	if t.IsZero() || b.t0.IsZero() {
		return 0
	}
	return max(t.Sub(b.t0).Seconds(), 0)
}

// see notes a target name in the order first seen.
func (b *builder) see(name string) {
	if name != "" && name != report.TotalName && !slices.Contains(b.order, name) {
		b.order = append(b.order, name)
	}
}

// proc is loader i's current process, started by its first record when it printed no start.
func (b *builder) proc(i int, at time.Time) *process {
	ps := b.procs[i]
	if len(ps) == 0 {
		p := &process{start: at, prevAt: at, prev: map[string]report.Counters{}}
		b.procs[i] = []*process{p}
		return p
	}
	return ps[len(ps)-1]
}

func (b *builder) add(r Record) {
	switch v := r.Value.(type) {
	case *report.Start:
		b.addStart(r.Loader, v)
	case *report.Stats:
		b.addStats(r.Loader, v)
	case *report.Summary:
		b.proc(r.Loader, v.Time).summary = v
		for _, t := range v.Targets {
			b.see(t.Target)
		}
	case *report.Step:
		b.see(v.Target)
		k := stepKey{v.Target, v.Index}
		b.steps[k] = append(b.steps[k], *v)
	case *report.Threshold:
		b.see(v.Target)
		b.thresholds[v.Target]++
	case *report.Probe:
		b.addProbe(v)
	case *report.Verdict:
		for _, t := range v.Targets {
			b.see(t.Target)
		}
		b.verdicts[r.Loader] = v
	}
}

func (b *builder) addStart(loader int, s *report.Start) {
	for _, t := range s.Targets {
		b.see(t)
	}
	b.mode = firstNonEmpty(b.mode, s.Mode)
	b.targetMode = firstNonEmpty(b.targetMode, s.TargetMode)
	b.search = firstNonEmpty(b.search, s.Search)
	b.visitsPerDay = max(b.visitsPerDay, s.VisitsPerDay) // every shard reports the whole run's rate
	p := &process{start: s.Time, prevAt: s.Time, prev: map[string]report.Counters{}}
	ps := b.procs[loader]
	if n := len(ps); n > 0 && ps[n-1].lastStats == nil && ps[n-1].summary == nil {
		ps[n-1] = p // a start that only repeats the first one's news
		return
	}
	b.procs[loader] = append(ps, p)
}

// addStats adds a point per target: rates over the time since the process's previous record.
func (b *builder) addStats(loader int, s *report.Stats) {
	p := b.proc(loader, s.Time.Add(-time.Duration(s.Elapsed*float64(time.Second))))
	dt := s.Time.Sub(p.prevAt).Seconds()
	if p.lastStats == nil && s.Elapsed > 0 {
		dt = s.Elapsed
	}
	for _, t := range s.Targets {
		b.see(t.Target)
		prev := p.prev[t.Target]
		pt := Point{ElapsedS: round(b.elapsed(s.Time), 3), VisitsPerMin: t.AchievedPerMin, TargetPerMin: t.TargetPerMin,
			LatencyP50ms: t.LatencyP50ms, LatencyP95ms: t.LatencyP95ms,
			Errors: max(t.HitsInvalid+t.HitsFailed-prev.HitsInvalid-prev.HitsFailed, 0),
			sent:   max(t.HitsSent-prev.HitsSent, 0)}
		if dt > 0 {
			pt.HitsPerSec = float64(max(t.HitsTracked-prev.HitsTracked, 0)) / dt
		}
		pt.ErrorShare = share(pt.Errors, pt.sent)
		if b.points[t.Target] == nil {
			b.points[t.Target] = map[int][]Point{}
		}
		b.points[t.Target][loader] = append(b.points[t.Target][loader], pt)
		p.prev[t.Target] = t.Counters
	}
	p.lastStats, p.prevAt = s, s.Time
}

func (b *builder) addProbe(p *report.Probe) {
	b.see(p.Target)
	label := firstNonEmpty(p.Label, p.Call)
	var ps *ProbeSeries
	for _, s := range b.probes[p.Target] {
		if s.Label == label {
			ps = s
		}
	}
	if ps == nil {
		ps = &ProbeSeries{Label: label, Call: p.Call}
		b.probes[p.Target] = append(b.probes[p.Target], ps)
	}
	ps.Count++
	if !p.OK {
		ps.Failed++
	}
	ps.Points = append(ps.Points, ProbePoint{ElapsedS: round(b.elapsed(p.Time), 3), Ms: p.Ms, OK: p.OK,
		VisitsPerDay: p.VisitsPerDay, Phase: p.Phase})
}

// seconds is how long the run took: the longest loader's processes, end to end.
func (b *builder) seconds() float64 {
	var longest float64
	for _, ps := range b.procs {
		var sum float64
		for _, p := range ps {
			_, s := p.final()
			sum += s
		}
		longest = max(longest, sum)
	}
	return round(longest, 3)
}

// target assembles one target's figures.
func (b *builder) target(name string, seconds float64) Target {
	t := Target{Name: name, Totals: b.totals(name, seconds), Series: b.series(name), Steps: b.stepsOf(name)}
	if p50, p95, ok := typicalLatency(t.Series); ok {
		t.Totals.LatencyP50ms, t.Totals.LatencyP95ms = p50, p95
	}
	for _, ps := range b.probes[name] {
		finishProbe(ps)
		t.Probes = append(t.Probes, *ps)
		t.Totals.ReportsTimed += ps.Count
		t.Totals.ReportsFailed += ps.Failed
	}
	t.Totals.ThresholdsBroken = b.thresholds[name]
	t.Capacity = b.capacity(name, t.Steps)
	return t
}

// totals sums each loader process's last figures of a target; latency percentiles cannot be
// added, so the worst loader's is taken, as the control does.
func (b *builder) totals(name string, seconds float64) Totals {
	tot := Totals{Seconds: seconds}
	for _, loader := range sortedKeys(b.procs) {
		for _, p := range b.procs[loader] {
			ts, _ := p.final()
			for _, t := range ts {
				if t.Target != name {
					continue
				}
				tot.VisitsStarted += t.VisitsStarted
				tot.VisitsDropped += t.VisitsDropped
				tot.HitsSent += t.HitsSent
				tot.HitsTracked += t.HitsTracked
				tot.HitsInvalid += t.HitsInvalid
				tot.HitsFailed += t.HitsFailed
				tot.HitsDropped += t.HitsDropped
				tot.LatencyP50ms = max(tot.LatencyP50ms, t.LatencyP50ms)
				tot.LatencyP95ms = max(tot.LatencyP95ms, t.LatencyP95ms)
			}
		}
	}
	if seconds > 0 {
		tot.HitsPerSec = round(float64(tot.HitsTracked)/seconds, 3)
		tot.VisitsPerDay = round(float64(tot.VisitsStarted)/seconds*86400, 1)
	}
	tot.ErrorShare = share(tot.HitsInvalid+tot.HitsFailed, tot.HitsSent)
	return tot
}

// series is a target's points; with several loaders, their points are merged per stats interval:
// rates and errors added, the worst latency kept.
func (b *builder) series(name string) []Point {
	byLoader := b.points[name]
	switch len(byLoader) {
	case 0:
		return []Point{}
	case 1:
		for _, pts := range byLoader {
			return pts
		}
	}
	width := bucketWidth(byLoader)
	merged := map[int64]*Point{}
	for _, loader := range sortedKeys(byLoader) {
		for _, p := range byLoader[loader] {
			k := int64(math.Round(p.ElapsedS / width))
			m := merged[k]
			if m == nil {
				m = &Point{ElapsedS: round(float64(k)*width, 3)}
				merged[k] = m
			}
			m.HitsPerSec += p.HitsPerSec
			m.VisitsPerMin += p.VisitsPerMin
			m.TargetPerMin += p.TargetPerMin
			m.Errors += p.Errors
			m.sent += p.sent
			m.LatencyP50ms = max(m.LatencyP50ms, p.LatencyP50ms)
			m.LatencyP95ms = max(m.LatencyP95ms, p.LatencyP95ms)
		}
	}
	out := make([]Point, 0, len(merged))
	for _, k := range sortedKeys(merged) {
		p := *merged[k]
		p.ErrorShare = share(p.Errors, p.sent)
		out = append(out, p)
	}
	return out
}

// typicalLatency is the run's p50 and p95 from its stats intervals: the median of the intervals'
// percentiles, each interval weighted by the hits sent in it. A loader's percentiles cover one
// interval each (its summary's only the last, partial one), and the percentiles of a whole run
// cannot be rebuilt from them; the weighted median is what a typical stretch of the run had,
// and it treats every target the same.
func typicalLatency(pts []Point) (p50, p95 float64, ok bool) {
	median := func(f func(Point) float64) float64 {
		type wv struct {
			v float64
			w int64
		}
		var vs []wv
		var total int64
		for _, p := range pts {
			if p.sent > 0 {
				vs = append(vs, wv{f(p), p.sent})
				total += p.sent
			}
		}
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].v < vs[j].v })
		var acc int64
		for _, x := range vs {
			if acc += x.w; 2*acc >= total {
				return x.v
			}
		}
		return 0
	}
	for _, p := range pts {
		if p.sent > 0 {
			return median(func(p Point) float64 { return p.LatencyP50ms }), median(func(p Point) float64 { return p.LatencyP95ms }), true
		}
	}
	return 0, 0, false
}

// bucketWidth is the stats interval the loaders printed at: the shortest gap between two of one
// loader's points (at least a second).
func bucketWidth(byLoader map[int][]Point) float64 {
	width := math.Inf(1)
	for _, pts := range byLoader {
		for i := 1; i < len(pts); i++ {
			if gap := pts[i].ElapsedS - pts[i-1].ElapsedS; gap > 0 {
				width = min(width, gap)
			}
		}
	}
	if math.IsInf(width, 1) || width < 1 {
		return max(1, min(width, 10))
	}
	return width
}

// stepsOf is a target's capacity steps by index; several loaders' records of one step are
// combined: rates and counts added, the worst percentiles and shares kept.
func (b *builder) stepsOf(name string) []report.Step {
	var idx []int
	for k := range b.steps {
		if k.target == name {
			idx = append(idx, k.index)
		}
	}
	sort.Ints(idx)
	var out []report.Step
	for _, i := range idx {
		out = append(out, combineSteps(b.steps[stepKey{name, i}]))
	}
	return out
}

func combineSteps(ss []report.Step) report.Step {
	s := ss[len(ss)-1]
	if len(ss) == 1 {
		return s
	}
	c := report.Step{Header: s.Header, Target: s.Target, Index: s.Index, Phase: s.Phase, Held: true}
	for _, x := range ss {
		c.VisitsPerDay = max(c.VisitsPerDay, x.VisitsPerDay)
		c.Seconds = max(c.Seconds, x.Seconds)
		c.AchievedVisitsPerDay += x.AchievedVisitsPerDay
		c.HitsPerSec += x.HitsPerSec
		c.IntendedHitsPerSec += x.IntendedHitsPerSec
		c.Hits += x.Hits
		c.VisitsDropped += x.VisitsDropped
		c.Status5xx += x.Status5xx
		c.LatencyP50ms = max(c.LatencyP50ms, x.LatencyP50ms)
		c.LatencyP95ms = max(c.LatencyP95ms, x.LatencyP95ms)
		c.LatencyP99ms = max(c.LatencyP99ms, x.LatencyP99ms)
		c.ErrorShare = max(c.ErrorShare, x.ErrorShare)
		c.DroppedShare = max(c.DroppedShare, x.DroppedShare)
		c.Status5xxShare = max(c.Status5xxShare, x.Status5xxShare)
		c.Held = c.Held && x.Held
		c.Broken = append(c.Broken, x.Broken...)
	}
	return c
}

// onlyVerdict is the verdict of a run of one loader (a search on several loaders is judged
// from their combined steps instead).
func (b *builder) onlyVerdict() *report.Verdict {
	if len(b.verdicts) != 1 || len(b.procs) > 1 {
		return nil
	}
	for _, v := range b.verdicts {
		return v
	}
	return nil
}

// capacity is a target's search result: the loader's verdict when one loader searched, else
// what its steps show.
func (b *builder) capacity(name string, steps []report.Step) *Capacity {
	if v := b.onlyVerdict(); v != nil {
		for _, t := range v.Targets {
			if t.Target == name {
				c := &Capacity{Held: t.Held, SustainedVisitsPerDay: t.SustainedVisitsPerDay,
					SustainedHitsPerSec: t.SustainedHitsPerSec, SustainedP95ms: t.SustainedP95ms,
					Broke: t.Broke, BrokeAt: t.BrokeAt, Broken: t.Broken, Why: firstNonEmpty(t.Why, whyOf(t.Broke, t.BrokeAt, t.Broken))}
				for _, s := range steps { // figures a verdict record left out
					if c.Held && s.Held && s.VisitsPerDay == c.SustainedVisitsPerDay {
						c.SustainedHitsPerSec = firstNonZero(c.SustainedHitsPerSec, s.HitsPerSec)
						c.SustainedP95ms = firstNonZero(c.SustainedP95ms, s.LatencyP95ms)
					}
				}
				return c
			}
		}
	}
	if len(steps) == 0 {
		return nil
	}
	return capacityOfSteps(steps)
}

// capacityOfSteps: the lowest rate that broke, and the highest that held below it.
func capacityOfSteps(steps []report.Step) *Capacity {
	c := &Capacity{}
	var broke *report.Step
	for i := range steps {
		if s := &steps[i]; !s.Held && (broke == nil || s.VisitsPerDay < broke.VisitsPerDay) {
			broke = s
		}
	}
	for _, s := range steps {
		if s.Held && (broke == nil || s.VisitsPerDay < broke.VisitsPerDay) && s.VisitsPerDay >= c.SustainedVisitsPerDay {
			c.Held, c.SustainedVisitsPerDay, c.SustainedHitsPerSec, c.SustainedP95ms = true, s.VisitsPerDay, s.HitsPerSec, s.LatencyP95ms
		}
	}
	if broke != nil {
		c.Broke, c.BrokeAt, c.Broken = true, broke.VisitsPerDay, broke.Broken
	}
	c.Why = whyOf(c.Broke, c.BrokeAt, c.Broken)
	return c
}

// whyOf says where a target broke and why, or that it did not.
func whyOf(broke bool, at float64, breaches []report.Breach) string {
	if !broke {
		return "held every rate tried"
	}
	if len(breaches) == 0 {
		return fmt.Sprintf("broke at %s visits/day", count(at))
	}
	return fmt.Sprintf("%s at %s visits/day", breachText(breaches[0]), count(at))
}

// finishProbe computes a call's percentiles over the timings that answered with data.
func finishProbe(ps *ProbeSeries) {
	var ms []float64
	for _, p := range ps.Points {
		if p.OK {
			ms = append(ms, p.Ms)
		}
	}
	sort.Float64s(ms)
	ps.P50ms, ps.P95ms = percentile(ms, 0.50), percentile(ms, 0.95)
	if len(ms) > 0 {
		ps.MaxMs = ms[len(ms)-1]
	}
}

// percentile is the nearest-rank percentile of sorted values (0 for none).
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// kindOf decides what kind of comparison the records allow.
func kindOf(r *Report) string {
	for _, t := range r.Targets {
		if t.Capacity != nil {
			return KindCapacity
		}
	}
	switch {
	case len(r.Targets) <= 1:
		return KindSingle
	case r.TargetMode == "weighted":
		return KindWeighted
	}
	return KindMirror
}

// chooseBaseline marks the baseline target: the named one, else the first.
func chooseBaseline(r *Report, name string) error {
	if len(r.Targets) == 0 {
		if name != "" {
			return fmt.Errorf("%w: %q: the run has no targets in its records", ErrUnknownBaseline, name)
		}
		return nil
	}
	i := 0
	if name != "" {
		i = slices.IndexFunc(r.Targets, func(t Target) bool { return t.Name == name })
		if i < 0 {
			names := make([]string, len(r.Targets))
			for j, t := range r.Targets {
				names[j] = t.Name
			}
			return fmt.Errorf("%w: %q is not a target of the run (its targets: %s)", ErrUnknownBaseline, name, strings.Join(names, ", "))
		}
	}
	r.Targets[i].Baseline, r.Baseline = true, r.Targets[i].Name
	return nil
}

func share(part, whole int64) float64 {
	if whole <= 0 {
		return 0
	}
	return round(float64(part)/float64(whole), 6)
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstNonZero(a, b float64) float64 {
	if a != 0 {
		return a
	}
	return b
}

func sortedKeys[K int | int64, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
