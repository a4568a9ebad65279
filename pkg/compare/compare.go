// Package compare turns the report records of one run into a side-by-side comparison of its
// targets: throughput, tracking latency over time, errors, the rate each sustained in a capacity
// search, Reporting API timings, and verdicts with their size ("candidate: tracking p95 −38% at
// 1M visits/day; sustained rate ×2.1"). The loader prints the verdicts at the end of a run, and
// the control serves the comparison as JSON and as a self-contained HTML page.
//
// A comparison is a pure function of the records and the options: the same records give the same
// report, byte for byte, which is what lets a ticket quote it.
package compare

import (
	"errors"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// Significance. A difference smaller than these is reported as "no significant difference":
// one run's p95 moves by a few percent from noise alone, so a smaller change is no verdict.
const (
	// DefaultMinChange is the smallest relative difference (5%) that counts, for every measure.
	DefaultMinChange = 0.05
	// MinLatencyDeltaMs is the smallest latency difference that counts, however large relative to
	// the baseline: below a millisecond, the loader's own scheduling is the difference.
	MinLatencyDeltaMs = 1.0
	// MinErrorShareDelta is the smallest difference of error shares that counts (0.1 percentage
	// points): a few failed requests out of thousands are no verdict.
	MinErrorShareDelta = 0.001
)

// Kinds of comparison (Report.Kind).
const (
	KindCapacity = "capacity" // a capacity search: steps, sustained rates
	KindMirror   = "mirror"   // every target got the same visits
	KindWeighted = "weighted" // each visit went to one target: counts do not compare
	KindSingle   = "single"   // one target: figures, no verdicts
)

// Metrics a verdict is about (Verdict.Metric).
const (
	MetricSustained  = "sustained_rate" // visits/day a capacity search found held; higher is better
	MetricP95        = "tracking_p95"   // tracking latency p95, ms; lower is better
	MetricErrors     = "error_share"    // (invalid + failed) ÷ sent hits; lower is better
	MetricThroughput = "throughput"     // hits tracked per second over the run; higher is better
	MetricReportP95  = "report_p95"     // a Reporting API call's p95, ms; lower is better
)

// Outcomes of a verdict (Verdict.Outcome).
const (
	OutcomeBetter = "better" // the candidate is better than the baseline
	OutcomeWorse  = "worse"  // the candidate is worse
	OutcomeSame   = "same"   // no significant difference
)

// noDifference is what a verdict of OutcomeSame says.
const noDifference = "no significant difference"

// ErrUnknownBaseline is returned by Build when Options.Baseline names no target of the run.
var ErrUnknownBaseline = errors.New("unknown baseline")

// Record is one report record of a run and the loader that printed it (its shard index; 0 for a
// run of one loader). Value is what report.Parse returns: *report.Start, *report.Stats,
// *report.Summary, *report.Step, *report.Threshold, *report.Probe or *report.Verdict; other
// records are ignored.
type Record struct {
	Loader int
	Value  any
}

// Options tune a comparison.
type Options struct {
	// Baseline names the target the others are compared with; "" is the first target.
	Baseline string
	// MinChange is the smallest relative difference that counts; 0 means DefaultMinChange.
	MinChange float64
	// RunID and Title name the run in the report (the HTML page's heading).
	RunID string
	Title string
}

// Report is the comparison of one run's targets.
type Report struct {
	RunID string `json:"run_id,omitempty"`
	Title string `json:"title,omitempty"`
	// Kind is KindCapacity, KindMirror, KindWeighted or KindSingle.
	Kind       string `json:"kind"`
	Mode       string `json:"mode,omitempty"` // live or backfill
	TargetMode string `json:"target_mode,omitempty"`
	// Search is the capacity search's kind (step, stages, binary), SearchEnd why it ended.
	Search    string `json:"search,omitempty"`
	SearchEnd string `json:"search_end,omitempty"`
	// VisitsPerDay is the run's intended rate (for a capacity search: where it started).
	VisitsPerDay float64    `json:"visits_per_day,omitempty"`
	Started      *time.Time `json:"started,omitempty"`
	Seconds      float64    `json:"seconds"`
	Loaders      int        `json:"loaders"`
	// Baseline is the target every other is compared with.
	Baseline string `json:"baseline"`
	// MinChange is the relative difference below which verdicts say "same".
	MinChange float64  `json:"min_change"`
	Targets   []Target `json:"targets"`
	// Verdicts compare each other target with the baseline.
	Verdicts []Verdict `json:"verdicts"`
	// Faster is the target significantly better than every other on the main measure (the
	// sustained rate of a capacity search, else the tracking p95); "" when none is.
	Faster string `json:"faster,omitempty"`
	// Headline is the one-sentence answer: who is faster, and by how much.
	Headline string `json:"headline"`
	// Notes say what limits the comparison (weighted traffic, missing records).
	Notes []string `json:"notes,omitempty"`
}

// Target is one target's figures.
type Target struct {
	Name     string `json:"name"`
	Baseline bool   `json:"baseline"`
	Totals   Totals `json:"totals"`
	// Series is the target's figures per stats interval, oldest first.
	Series []Point `json:"series"`
	// Steps are the capacity search's steps, by index (nil without a search).
	Steps []report.Step `json:"steps,omitempty"`
	// Capacity is the search's result for the target (nil without a search).
	Capacity *Capacity `json:"capacity,omitempty"`
	// Probes are the Reporting API calls timed on the target, in the order first timed.
	Probes []ProbeSeries `json:"probes,omitempty"`
}

// Totals are a target's figures over the whole run.
type Totals struct {
	Seconds       float64 `json:"seconds"`
	VisitsStarted int64   `json:"visits_started"`
	VisitsDropped int64   `json:"visits_dropped"`
	HitsSent      int64   `json:"hits_sent"`
	HitsTracked   int64   `json:"hits_tracked"`
	HitsInvalid   int64   `json:"hits_invalid"`
	HitsFailed    int64   `json:"hits_failed"`
	HitsDropped   int64   `json:"hits_dropped"`
	HitsPerSec    float64 `json:"hits_per_s"`     // tracked per second
	VisitsPerDay  float64 `json:"visits_per_day"` // started, per day
	ErrorShare    float64 `json:"error_share"`    // (invalid + failed) ÷ sent
	LatencyP50ms  float64 `json:"latency_p50_ms"`
	LatencyP95ms  float64 `json:"latency_p95_ms"`
	ReportsTimed  int     `json:"reports_timed"`
	ReportsFailed int     `json:"reports_failed"`
	// ThresholdsBroken counts the threshold records of a capacity search: breaches first seen.
	ThresholdsBroken int `json:"thresholds_broken"`
}

// Point is a target's figures over one stats interval.
type Point struct {
	ElapsedS     float64 `json:"elapsed_s"`
	HitsPerSec   float64 `json:"hits_per_s"`     // tracked per second in the interval
	VisitsPerMin float64 `json:"visits_per_min"` // achieved (the loader's last minute)
	TargetPerMin float64 `json:"target_visits_per_min"`
	LatencyP50ms float64 `json:"latency_p50_ms"`
	LatencyP95ms float64 `json:"latency_p95_ms"`
	Errors       int64   `json:"errors"` // hits invalid or failed in the interval
	ErrorShare   float64 `json:"error_share"`
	sent         int64
}

// Capacity is what a capacity search found for one target.
type Capacity struct {
	// Held is whether any step held; the Sustained figures are those of the highest rate that held.
	Held                  bool    `json:"held"`
	SustainedVisitsPerDay float64 `json:"sustained_visits_per_day"`
	SustainedHitsPerSec   float64 `json:"sustained_hits_per_s"`
	SustainedP95ms        float64 `json:"sustained_latency_p95_ms"`
	// Broke is whether a threshold broke; BrokeAt is the lowest rate that broke, Broken why.
	Broke   bool            `json:"broke"`
	BrokeAt float64         `json:"broke_at_visits_per_day,omitempty"`
	Broken  []report.Breach `json:"broken,omitempty"`
	Why     string          `json:"why"`
}

// ProbeSeries is one Reporting API call's timings on one target.
type ProbeSeries struct {
	Label  string       `json:"label"`
	Call   string       `json:"call"`
	Count  int          `json:"count"`
	Failed int          `json:"failed"`
	P50ms  float64      `json:"p50_ms"` // of the calls that answered with data
	P95ms  float64      `json:"p95_ms"`
	MaxMs  float64      `json:"max_ms"`
	Points []ProbePoint `json:"points"`
}

// ProbePoint is one timing.
type ProbePoint struct {
	ElapsedS     float64 `json:"elapsed_s"`
	Ms           float64 `json:"ms"`
	OK           bool    `json:"ok"`
	VisitsPerDay float64 `json:"visits_per_day"` // the intended rate when the call was made
	Phase        string  `json:"phase"`          // load or after
}

// Verdict compares one measure of a candidate target with the baseline's.
type Verdict struct {
	Metric   string `json:"metric"`
	Label    string `json:"label,omitempty"` // the Reporting API call, for MetricReportP95
	Target   string `json:"target"`
	Baseline string `json:"baseline"`
	// BaselineValue and Value are the two figures, in Unit.
	BaselineValue float64 `json:"baseline_value"`
	Value         float64 `json:"value"`
	Unit          string  `json:"unit"`
	// Change is Value ÷ BaselineValue − 1 (0 when the baseline's value is 0).
	Change  float64 `json:"change"`
	Outcome string  `json:"outcome"` // better, worse or same
	// AtVisitsPerDay is the load the figures were measured at (0: the whole run).
	AtVisitsPerDay float64 `json:"at_visits_per_day,omitempty"`
	// Text says it in words: "candidate: tracking p95 −38% (120 → 74 ms) at 1M visits/day".
	Text string `json:"text"`
}
