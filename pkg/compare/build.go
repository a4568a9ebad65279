package compare

import (
	"fmt"
	"math"
	"slices"
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
