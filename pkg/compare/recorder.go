package compare

import (
	"bytes"
	"sync"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// StatsPoints is about how many stats records of one loader a comparison keeps per run, however
// long it ran: KeepStats thins them out as a run grows old.
const StatsPoints = 720

// KeepStats decides whether a loader's stats record at elapsed seconds is kept, given the elapsed
// seconds of the last one kept (negative: none yet). It keeps every record of the first two hours
// at the default 10 s interval, then one per elapsed/StatsPoints: a week-long run keeps about
// 4,500 records instead of 60,000. A smaller elapsed than the last is a restarted loader, kept.
// The decision depends on the records alone, so reading a log again keeps the same ones.
func KeepStats(lastKept, elapsed float64) bool {
	return lastKept < 0 || elapsed < lastKept || elapsed-lastKept >= elapsed/StatsPoints
}

// Kept reports whether a record type is one a comparison uses.
func Kept(typ string) bool {
	switch typ {
	case report.TypeStart, report.TypeStats, report.TypeSummary, report.TypeStep, report.TypeThreshold,
		report.TypeProbe, report.TypeVerdict:
		return true
	}
	return false
}

// Recorder keeps the records a comparison needs from the JSON lines written to it: a loader
// writes its report to stdout and to a Recorder (io.MultiWriter), and compares its targets at
// the end. Stats records are thinned out with KeepStats. It is safe for concurrent use.
type Recorder struct {
	mu       sync.Mutex
	partial  []byte
	recs     []Record
	lastKept float64
	started  bool
}

// Write takes whole or partial lines; lines that are not report records are ignored.
func (r *Recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		r.take(r.partial[:i])
		r.partial = r.partial[i+1:]
	}
	return len(p), nil
}

func (r *Recorder) take(line []byte) {
	rec, err := report.Parse(line)
	if err != nil {
		return
	}
	if !r.started {
		r.started, r.lastKept = true, -1
	}
	switch v := rec.(type) {
	case *report.Stats:
		if !KeepStats(r.lastKept, v.Elapsed) {
			return
		}
		r.lastKept = v.Elapsed
	case *report.Day, *report.Progress, *report.Error:
		return
	}
	r.recs = append(r.recs, Record{Value: rec})
}

// Records returns the records kept so far, in the order written.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Record(nil), r.recs...)
}
