// Package report is the wire format of what a loader prints: one JSON object per line on stdout, each
// with a "type" and a "time". The loader writes records with a Writer; the control reads them back
// with Parse to build a run's live state. Logs are not reports: they go to stderr.
package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Record types.
const (
	TypeStart    = "start"
	TypeStats    = "stats"
	TypeDay      = "day"
	TypeProgress = "progress"
	TypeSummary  = "summary"
	TypeError    = "error"
)

// Header is the part every record has.
type Header struct {
	Type string    `json:"type"`
	Time time.Time `json:"time"`
}

// Start is printed once, when generation begins.
type Start struct {
	Header
	Mode          string   `json:"mode"` // live or backfill
	Version       string   `json:"version"`
	Targets       []string `json:"targets"`
	TargetMode    string   `json:"target_mode"`
	VisitsPerDay  float64  `json:"visits_per_day,omitempty"`
	Seed          int64    `json:"seed"`
	ShardIndex    int      `json:"shard_index"`
	ShardCount    int      `json:"shard_count"`
	Days          []string `json:"days,omitempty"`           // backfill: the window, oldest first
	PlannedVisits int64    `json:"planned_visits,omitempty"` // backfill: visits per target still to send
	// Search is the kind of capacity search a live run makes (step, stages, binary); empty when
	// the run holds a rate rather than searching for the highest one that holds.
	Search string `json:"search,omitempty"`
	// Probe is whether the report-timing probe times Reporting API calls during the run.
	Probe bool `json:"probe,omitempty"`
}

// Counters are the cumulative counts of one target (or of all, in Stats.Total).
type Counters struct {
	VisitsStarted  int64 `json:"visits_started"`
	VisitsFinished int64 `json:"visits_finished"`
	VisitsDropped  int64 `json:"visits_dropped"` // due while CONCURRENCY visits were in flight: never sent
	VisitsCapped   int64 `json:"visits_capped"`  // held back by MAX_VISITS_PER_DAY
	HitsSent       int64 `json:"hits_sent"`
	HitsTracked    int64 `json:"hits_tracked"`
	HitsInvalid    int64 `json:"hits_invalid"` // rejected by Matomo (400, bulk invalid)
	HitsFailed     int64 `json:"hits_failed"`  // no answer after retries (network, 5xx, 429)
	HitsDropped    int64 `json:"hits_dropped"` // bulk: sent − tracked − invalid
	Retries        int64 `json:"retries"`
	Orders         int64 `json:"orders"`
	// BotVisits and BotHits are the crawlers' visits and hits among those sent (BOT_PROBABILITY):
	// Matomo accepts and excludes them, so they are in the counts above but in no Matomo report.
	BotVisits int64 `json:"bot_visits"`
	BotHits   int64 `json:"bot_hits"`
}

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	c.VisitsStarted += o.VisitsStarted
	c.VisitsFinished += o.VisitsFinished
	c.VisitsDropped += o.VisitsDropped
	c.VisitsCapped += o.VisitsCapped
	c.HitsSent += o.HitsSent
	c.HitsTracked += o.HitsTracked
	c.HitsInvalid += o.HitsInvalid
	c.HitsFailed += o.HitsFailed
	c.HitsDropped += o.HitsDropped
	c.Retries += o.Retries
	c.Orders += o.Orders
	c.BotVisits += o.BotVisits
	c.BotHits += o.BotHits
}

// TargetStats is one target's line in a Stats record.
type TargetStats struct {
	Target string `json:"target"`
	Counters
	InFlight     int64   `json:"in_flight"`
	TargetPerMin float64 `json:"target_visits_per_min"` // intended rate now
	// AchievedPerMin is the visits started per minute over the last AchievedWindowS seconds: in a
	// stats record the last minute (the time since the start while the run is younger), in a
	// live summary the run's whole scheduling time, in a backfill summary the whole run (visits
	// delivered). Until achieved_window_s existed it covered the last STATS_INTERVAL only, which
	// is too short a span for a steady figure.
	AchievedPerMin  float64 `json:"achieved_visits_per_min"`
	AchievedWindowS float64 `json:"achieved_window_s"`
	// AchievedSinceStartPerMin is the visits started per minute since the run started.
	AchievedSinceStartPerMin float64 `json:"achieved_visits_per_min_since_start"`
	LatencyP50ms             float64 `json:"latency_p50_ms"`
	LatencyP95ms             float64 `json:"latency_p95_ms"`
}

// TotalName is the Target of the line that sums every target (Stats.Total, Summary.Total).
const TotalName = "total"

// Total sums per-target lines into the TotalName line: counters, in-flight visits and rates
// added, the longest span a rate covers, the worst latency (percentiles cannot be combined).
func Total(targets []TargetStats) TargetStats {
	total := TargetStats{Target: TotalName}
	for _, t := range targets {
		total.Add(t.Counters)
		total.InFlight += t.InFlight
		total.TargetPerMin += t.TargetPerMin
		total.AchievedPerMin += t.AchievedPerMin
		total.AchievedWindowS = max(total.AchievedWindowS, t.AchievedWindowS)
		total.AchievedSinceStartPerMin += t.AchievedSinceStartPerMin
		total.LatencyP50ms = max(total.LatencyP50ms, t.LatencyP50ms)
		total.LatencyP95ms = max(total.LatencyP95ms, t.LatencyP95ms)
	}
	return total
}

// Stats is printed every STATS_INTERVAL.
type Stats struct {
	Header
	Elapsed float64       `json:"elapsed_s"`
	Targets []TargetStats `json:"targets"`
	Total   TargetStats   `json:"total"`
}

// Day is a backfill day's progress on one target; Done marks its last record.
type Day struct {
	Header
	Date    string  `json:"date"`
	Target  string  `json:"target"`
	Planned int64   `json:"planned"`
	Sent    int64   `json:"sent"` // visits
	Tracked int64   `json:"tracked"`
	Invalid int64   `json:"invalid"`
	Dropped int64   `json:"dropped"`
	Seconds float64 `json:"seconds"`
	Done    bool    `json:"done"`
	Skipped string  `json:"skipped,omitempty"` // why a day was not sent (already complete, cap reached)
	// Landed are visits of bulks without a usable reply that the Live API found recorded.
	Landed int64 `json:"landed,omitempty"`
	// MaybeDuplicated are visits sent again although the Live API could not tell whether they
	// had landed; MaybeMissing are such visits not sent again (BACKFILL_UNSETTLED=skip).
	MaybeDuplicated int64 `json:"maybe_duplicated,omitempty"`
	MaybeMissing    int64 `json:"maybe_missing,omitempty"`
}

// Progress is a backfill's overall progress.
type Progress struct {
	Header
	Percent       float64 `json:"percent"`
	VisitsDone    int64   `json:"visits_done"`
	VisitsPlanned int64   `json:"visits_planned"`
	VisitsPerSec  float64 `json:"visits_per_s"`
	HitsPerSec    float64 `json:"hits_per_s"` // since the run started
	// RecentHitsPerSec is the rate over the last stats interval; the ETA is based on it.
	RecentHitsPerSec float64 `json:"recent_hits_per_s,omitempty"`
	ETASeconds       float64 `json:"eta_s"`
	// Concurrency is the bulk requests allowed in flight now, summed over the targets.
	Concurrency int `json:"concurrency,omitempty"`
	// Uncertain counts bulks without a usable reply so far; Settled the Live API checks made.
	Uncertain int64 `json:"uncertain,omitempty"`
	Settled   int64 `json:"settled,omitempty"`
}

// Invalidation is the result of CoreAdminHome.invalidateArchivedReports on one target.
type Invalidation struct {
	Target  string   `json:"target"`
	Dates   []string `json:"dates"`
	OK      bool     `json:"ok"`
	Message string   `json:"message"`
}

// Summary is the last record of a run.
type Summary struct {
	Header
	Mode            string         `json:"mode"`
	Reason          string         `json:"reason"` // finished, duration, max_total, signal, error, already_complete
	Seconds         float64        `json:"seconds"`
	Targets         []TargetStats  `json:"targets"`
	Total           TargetStats    `json:"total"`
	Days            int            `json:"days,omitempty"`
	MaybeDuplicated int64          `json:"maybe_duplicated,omitempty"` // backfill: visits re-sent without confirmation
	MaybeMissing    int64          `json:"maybe_missing,omitempty"`    // backfill: visits not re-sent without confirmation
	Invalidations   []Invalidation `json:"invalidations,omitempty"`
	Hint            string         `json:"hint,omitempty"`
}

// Error is a problem worth a user's attention (a target failing, a file unreadable). Never contains a token.
type Error struct {
	Header
	Target  string `json:"target,omitempty"`
	Message string `json:"message"`
	Fatal   bool   `json:"fatal,omitempty"`
}

// Writer prints records as JSON lines; safe for concurrent use.
type Writer struct {
	mu  sync.Mutex
	enc *json.Encoder
	now func() time.Time
}

// NewWriter returns a Writer printing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{enc: json.NewEncoder(w), now: time.Now}
}

// Write stamps the record's header with typ and the current time, and prints it.
func (w *Writer) Write(typ string, rec interface{ header() *Header }) error {
	h := rec.header()
	h.Type = typ
	if h.Time.IsZero() {
		h.Time = w.now().UTC()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.enc.Encode(rec); err != nil {
		return fmt.Errorf("write %s record: %w", typ, err)
	}
	return nil
}

func (h *Header) header() *Header { return h }

// ErrNotRecord is returned by Parse for a line that is not a report record (a log line, say).
var ErrNotRecord = errors.New("not a report record")

// Parse decodes one line into its typed record (*Start, *Stats, *Day, *Progress, *Summary, *Error,
// *Step, *Threshold, *Probe or *Verdict).
func Parse(line []byte) (any, error) {
	var h Header
	if err := json.Unmarshal(line, &h); err != nil || h.Type == "" {
		return nil, ErrNotRecord
	}
	var rec any
	switch h.Type {
	case TypeStart:
		rec = &Start{}
	case TypeStats:
		rec = &Stats{}
	case TypeDay:
		rec = &Day{}
	case TypeProgress:
		rec = &Progress{}
	case TypeSummary:
		rec = &Summary{}
	case TypeError:
		rec = &Error{}
	case TypeStep:
		rec = &Step{}
	case TypeThreshold:
		rec = &Threshold{}
	case TypeProbe:
		rec = &Probe{}
	case TypeVerdict:
		rec = &Verdict{}
	default:
		return nil, fmt.Errorf("%w: unknown type %q", ErrNotRecord, h.Type)
	}
	if err := json.Unmarshal(line, rec); err != nil {
		return nil, fmt.Errorf("parse %s record: %w", h.Type, err)
	}
	return rec, nil
}
