package runs

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Sizes of the per-run memories.
const (
	logRingSize   = 1000 // recent log lines of a run, for GET logs?tail=N
	errorRingSize = 16   // recent error records, for the failure message
)

// loader is one container of a run as the service tracks it.
type loader struct {
	index    int
	id       string    // container ID
	lastSeen time.Time // Docker's time of the last line read, to resume a log without repeats
	exited   bool
	vanished bool // the container disappeared without an exit status the service saw
	exitCode int
	oom      bool
	// engineErr is why the engine says the loader ended, when it says (a Swarm task's error:
	// "No such image: …", a lost node).
	engineErr string
	poke      chan struct{} // wakes the follower when a Docker event concerns the container
}

// process is the report state of one loader process. A loader that Docker restarts starts a new
// process, whose counters start again from zero.
type process struct {
	stats    *report.Stats
	summary  *report.Summary
	progress *report.Progress
}

// liveRun is the in-memory state of a run the service watches: its containers, the latest report
// records of each loader, and recent log lines. Everything after mu is guarded by it.
type liveRun struct {
	id      string
	mode    string
	loaders int      // how many containers the run has
	tokens  []string // the run's secrets, scrubbed from every line the service keeps or passes on
	// stopTimeout is how long a stopping loader may drain before it is killed.
	stopTimeout time.Duration

	ctx     context.Context // ends the run's followers
	cancel  context.CancelFunc
	started chan struct{} // closed once every container exists (or starting failed)
	done    chan struct{} // closed once the run has reached a final state

	mu            sync.Mutex
	byIndex       map[int]*loader
	starting      bool
	stopRequested bool
	finalizing    bool
	finished      bool
	cur           map[int]*process
	carried       map[int]*statsSum             // counters of loaders' earlier processes
	days          map[dayKey]map[int]report.Day // each loader's last record of each backfill day
	history       map[int]*answerHistory
	statsKept     map[int]float64 // elapsed of each loader's last stats record stored for comparisons
	errs          *ring[report.Error]
	logs          *ring[LogLine]
	logSubs       fanout[LogLine]
	eventSubs     fanout[Event]
	dirty         bool // stats changed since they were last saved
}

// newLiveRun prepares the state of a run with n loaders; parent bounds its followers.
func newLiveRun(parent context.Context, id, mode string, n int, cfg config.Config) *liveRun {
	ctx, cancel := context.WithCancel(parent)
	return &liveRun{
		id: id, mode: mode, loaders: n, tokens: tokensOf(cfg),
		ctx: ctx, cancel: cancel, started: make(chan struct{}), done: make(chan struct{}),
		byIndex: make(map[int]*loader), cur: make(map[int]*process), carried: make(map[int]*statsSum),
		days: make(map[dayKey]map[int]report.Day),
		errs: newRing[report.Error](errorRingSize), logs: newRing[LogLine](logRingSize),
		history: make(map[int]*answerHistory), statsKept: make(map[int]float64),
	}
}

// tokensOf lists the non-trivial tokens of a config (a token shorter than 4 characters cannot be
// scrubbed without mangling ordinary text, and no real Matomo token is that short).
func tokensOf(cfg config.Config) []string {
	var out []string
	for _, t := range append([]config.Target{{Token: cfg.TokenAuth}}, cfg.Targets...) {
		if len(t.Token) >= 4 {
			out = append(out, t.Token)
		}
	}
	return out
}

// tokenSet reports whether a config holds any token.
func tokenSet(cfg config.Config) bool {
	if cfg.TokenAuth != "" {
		return true
	}
	for _, t := range cfg.Targets {
		if t.Token != "" {
			return true
		}
	}
	return false
}

// scrub masks the run's tokens in text. The loader never prints one; this is the second line of
// defence for everything the control keeps or shows.
func (r *liveRun) scrub(text string) string {
	for _, t := range r.tokens {
		text = strings.ReplaceAll(text, t, "***")
	}
	return text
}

// addLoader registers container id as loader index.
func (r *liveRun) addLoader(index int, id string) *loader {
	l := &loader{index: index, id: id, poke: make(chan struct{}, 1)}
	r.mu.Lock()
	r.byIndex[index] = l
	r.mu.Unlock()
	return l
}

// loaderByContainer finds the loader of a container ID.
func (r *liveRun) loaderByContainer(id string) *loader {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.byIndex {
		if l.id == id {
			return l
		}
	}
	return nil
}

// ingested is what a report line changed that must be persisted.
type ingested struct {
	day     *report.Day
	summary *report.Summary // the run's summed summary, when a loader's summary arrived
	record  *store.RunRecord
}

// ingest takes one log line of loader l: it is kept in the log ring and passed to log
// subscribers; a stdout line that is a report record also updates the live state and goes to
// event subscribers.
func (r *liveRun) ingest(l *loader, stream string, at time.Time, text string) ingested {
	text = r.scrub(text)
	r.mu.Lock()
	defer r.mu.Unlock()
	if at.After(l.lastSeen) {
		l.lastSeen = at
	}
	line := LogLine{Loader: l.index, Stream: stream, Time: at, Text: text}
	r.logs.add(line)
	r.logSubs.publish(line)
	if stream != "stdout" {
		return ingested{}
	}
	rec, err := report.Parse([]byte(text))
	if err != nil {
		return ingested{}
	}
	typ := recordType(rec)
	r.eventSubs.publish(Event{Loader: l.index, Type: typ, Record: json.RawMessage(text)})
	got := r.applyLocked(l.index, rec)
	got.record = r.keepLocked(l.index, typ, at, rec, text)
	return got
}

// keepLocked returns the record to store for the run's comparison (pkg/compare), or nil: only
// the types a comparison uses, and stats records thinned out as a run grows long. The choice
// depends on the records alone, so a log read again picks the same ones.
func (r *liveRun) keepLocked(index int, typ string, at time.Time, rec any, text string) *store.RunRecord {
	if !compare.Kept(typ) {
		return nil
	}
	if st, ok := rec.(*report.Stats); ok {
		last, seen := r.statsKept[index]
		if !seen {
			last = -1
		}
		if !compare.KeepStats(last, st.Elapsed) {
			return nil
		}
		r.statsKept[index] = st.Elapsed
	}
	if t := recordTime(rec); !t.IsZero() {
		at = t
	}
	return &store.RunRecord{Loader: index, Type: typ, Time: at, Record: json.RawMessage(text)}
}

// recordType is the type of a parsed record.
func recordType(rec any) string {
	switch rec.(type) {
	case *report.Start:
		return report.TypeStart
	case *report.Stats:
		return report.TypeStats
	case *report.Day:
		return report.TypeDay
	case *report.Progress:
		return report.TypeProgress
	case *report.Summary:
		return report.TypeSummary
	case *report.Step:
		return report.TypeStep
	case *report.Threshold:
		return report.TypeThreshold
	case *report.Probe:
		return report.TypeProbe
	case *report.Verdict:
		return report.TypeVerdict
	default:
		return report.TypeError
	}
}

// recordTime is the time a record carries.
func recordTime(rec any) time.Time {
	switch v := rec.(type) {
	case *report.Start:
		return v.Time
	case *report.Stats:
		return v.Time
	case *report.Summary:
		return v.Time
	case *report.Step:
		return v.Time
	case *report.Threshold:
		return v.Time
	case *report.Probe:
		return v.Time
	case *report.Verdict:
		return v.Time
	}
	return time.Time{}
}

// applyLocked updates the live state with one record of loader index.
func (r *liveRun) applyLocked(index int, rec any) ingested {
	p := r.cur[index]
	if p == nil {
		p = &process{}
		r.cur[index] = p
	}
	switch v := rec.(type) {
	case *report.Start:
		if p.stats != nil || p.summary != nil {
			r.carryLocked(index, p) // the loader was restarted: keep what its last process did
			r.cur[index] = &process{}
		}
	case *report.Stats:
		p.stats, r.dirty = v, true
		r.sampleLocked(index, v.Time)
	case *report.Progress:
		p.progress = v
	case *report.Day:
		return ingested{day: r.sumDayLocked(index, v)}
	case *report.Summary:
		p.summary, r.dirty = v, true
		r.sampleLocked(index, v.Time)
		return ingested{summary: r.summaryLocked()}
	case *report.Error:
		r.errs.add(*v)
	}
	return ingested{}
}

// carryLocked folds an ended process's counters into the loader's carried sum.
func (r *liveRun) carryLocked(index int, p *process) {
	c := r.carried[index]
	if c == nil {
		c = newStatsSum()
		r.carried[index] = c
	}
	switch {
	case p.summary != nil:
		c.add(p.summary.Targets, p.summary.Total, false)
	case p.stats != nil:
		c.add(p.stats.Targets, p.stats.Total, false)
	}
}

// statsLocked sums the loaders' latest figures into one stats record (nil before any).
func (r *liveRun) statsLocked() *report.Stats {
	sum := newStatsSum()
	for _, i := range sortedKeys(r.carried) {
		c := r.carried[i]
		if c.any {
			sum.add(c.targetList(), c.total, false)
		}
	}
	for _, i := range sortedKeys(r.cur) {
		p := r.cur[i]
		l := r.byIndex[i]
		running := l != nil && !l.exited
		switch {
		case p.summary != nil:
			sum.add(p.summary.Targets, p.summary.Total, false)
			sum.stamp(p.summary.Time, p.summary.Seconds)
		case p.stats != nil:
			sum.add(p.stats.Targets, p.stats.Total, running)
			sum.stamp(p.stats.Time, p.stats.Elapsed)
		}
	}
	return sum.stats()
}

// summaryLocked sums the summaries received so far (nil before any).
func (r *liveRun) summaryLocked() *report.Summary {
	var sums []*report.Summary
	carried := newStatsSum()
	for _, i := range sortedKeys(r.cur) {
		if s := r.cur[i].summary; s != nil {
			sums = append(sums, s)
		}
	}
	for _, i := range sortedKeys(r.carried) {
		if c := r.carried[i]; c.any {
			carried.add(c.targetList(), c.total, false)
		}
	}
	return sumSummaries(r.mode, sums, carried)
}

// progressLocked sums the loaders' latest backfill progress (nil before any).
func (r *liveRun) progressLocked() *report.Progress {
	var ps []*report.Progress
	for _, i := range sortedKeys(r.cur) {
		if p := r.cur[i].progress; p != nil {
			ps = append(ps, p)
		}
	}
	return sumProgress(ps)
}

// lastErrorLocked is the message of the last fatal error record, else of the last error record.
func (r *liveRun) lastErrorLocked() string {
	errs := r.errs.last(0)
	for i := len(errs) - 1; i >= 0; i-- {
		if errs[i].Fatal {
			return errs[i].Message
		}
	}
	if len(errs) > 0 {
		return errs[len(errs)-1].Message
	}
	return ""
}

// runStatsLocked is the summed stats with each target's recent health, as saved (nil before any).
func (r *liveRun) runStatsLocked() *runStats {
	st := r.statsLocked()
	if st == nil {
		return nil
	}
	return &runStats{Stats: *st, Health: r.healthLocked()}
}

// takeDirtyStats returns the summed stats when they changed since the last call.
func (r *liveRun) takeDirtyStats() *runStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.dirty {
		return nil
	}
	r.dirty = false
	return r.runStatsLocked()
}
