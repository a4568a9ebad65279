package report

// Capacity search and report timing records: what a live run with CAPACITY_SEARCH set prints on
// top of its stats, and what the report-timing probe prints whenever it timed a call.
//
// A capacity search raises the visit rate step by step. Every target gets the same visits (in
// mirror mode) for the whole search, so each step yields one Step record per target; a target
// that broke a threshold keeps being measured, and its Step records say held=false. The search
// ends with one Verdict record that names, per target, the highest rate that held and why the
// next one did not.

// Record types of capacity searches and report timing.
const (
	TypeStep      = "step"
	TypeThreshold = "threshold"
	TypeProbe     = "probe"
	TypeVerdict   = "verdict"
)

// Threshold names: the measure a Breach is about. They match the CAPACITY_MAX_* settings.
const (
	ThresholdP95       = "latency_p95_ms"
	ThresholdP99       = "latency_p99_ms"
	ThresholdErrors    = "error_share"
	ThresholdDropped   = "dropped_share"
	Threshold5xx       = "status_5xx_share"
	ThresholdNoSamples = "no_answers" // hits were sent during the step but none was answered
)

// Search kinds (Start.Search, Verdict.Search).
const (
	SearchStep   = "step"
	SearchStages = "stages"
	SearchBinary = "binary"
)

// Step is one target's measurement over one step of a capacity search: the rate that was
// intended, what was achieved, and the tracking latency and errors of the requests answered
// during the step's measuring window (the step minus its warm-up).
type Step struct {
	Header
	Target string `json:"target"`
	// Index counts the steps of the search from 0; every target has a record per index.
	Index int `json:"index"`
	// Phase is how the rate was chosen: "step" (the ramp), "stage" (a CAPACITY_STAGES entry) or
	// "binary" (a bisection between the last rate that held and the first that broke).
	Phase string `json:"phase"`
	// VisitsPerDay is the intended rate of the step; Seconds how long it was measured.
	VisitsPerDay float64 `json:"visits_per_day"`
	Seconds      float64 `json:"seconds"`
	// AchievedVisitsPerDay and HitsPerSec are the visits started and hits answered per time
	// during the measuring window.
	AchievedVisitsPerDay float64 `json:"achieved_visits_per_day"`
	HitsPerSec           float64 `json:"hits_per_s"`
	// IntendedHitsPerSec is HitsPerSec the intended rate would have given at the hits per visit
	// the step actually had.
	IntendedHitsPerSec float64 `json:"intended_hits_per_s"`
	// Hits are the tracking requests answered (or failed) in the window; the percentiles are theirs.
	Hits         int64   `json:"hits"`
	LatencyP50ms float64 `json:"latency_p50_ms"`
	LatencyP95ms float64 `json:"latency_p95_ms"`
	LatencyP99ms float64 `json:"latency_p99_ms"`
	// ErrorShare is (failed + invalid) ÷ sent hits; DroppedShare dropped ÷ due visits.
	ErrorShare    float64 `json:"error_share"`
	VisitsDropped int64   `json:"visits_dropped"`
	DroppedShare  float64 `json:"dropped_share"`
	// Status5xx counts requests answered 5xx; Status5xxShare is their share of the answers.
	Status5xx      int64   `json:"status_5xx"`
	Status5xxShare float64 `json:"status_5xx_share"`
	// Held is whether every threshold held; Broken lists the ones that did not.
	Held   bool     `json:"held"`
	Broken []Breach `json:"broken,omitempty"`
}

// Breach is one threshold broken during a step: the measure, what was observed and the limit.
type Breach struct {
	Threshold string  `json:"threshold"`
	Observed  float64 `json:"observed"`
	Limit     float64 `json:"limit"`
}

// Threshold is printed when a target first breaks a threshold at a step, once per threshold:
// the moment "where it broke and why" is decided.
type Threshold struct {
	Header
	Target       string  `json:"target"`
	Index        int     `json:"index"` // the Step's index
	VisitsPerDay float64 `json:"visits_per_day"`
	Breach
}

// Probe is one timing of one Reporting API call on one target, by the report-timing probe.
type Probe struct {
	Header
	Target string `json:"target"`
	// Call is the API method ("VisitsSummary.get"); Label names the call with its parameters
	// ("VisitsSummary.get day today"), the key timings are grouped by.
	Call  string `json:"call"`
	Label string `json:"label"`
	// Period and Date are the call's period and date parameters.
	Period string `json:"period"`
	Date   string `json:"date"`
	// Invalidated is whether today's archives of the target were invalidated before this round
	// of calls (PROBE_INVALIDATE), so that the call had to archive afresh.
	Invalidated bool `json:"invalidated,omitempty"`
	// Round counts the probe's rounds from 0; Phase is "load" while visits are sent, "after"
	// once the load has ended.
	Round int    `json:"round"`
	Phase string `json:"phase"`
	// Ms is the call's latency, from sending to reading the whole answer.
	Ms float64 `json:"ms"`
	// Status is the HTTP status (0: no answer); OK whether Matomo answered with data, not an
	// error; Error says why not (never containing a token).
	Status int    `json:"status"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	// VisitsPerDay is the intended visit rate when the call was made (0 after the load).
	VisitsPerDay float64 `json:"visits_per_day"`
	// ElapsedS is the time since the run started.
	ElapsedS float64 `json:"elapsed_s"`
}

// ProbeStat sums one call's timings on one target over a run.
type ProbeStat struct {
	Label  string  `json:"label"`
	Count  int     `json:"count"`
	Failed int     `json:"failed"`
	P50ms  float64 `json:"p50_ms"`
	P95ms  float64 `json:"p95_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
}

// TargetVerdict is one target's result of a capacity search.
type TargetVerdict struct {
	Target string `json:"target"`
	// Held is whether any step held; the Sustained fields are those of the highest rate that
	// held (zero when none did).
	Held                  bool    `json:"held"`
	SustainedVisitsPerDay float64 `json:"sustained_visits_per_day"`
	SustainedHitsPerSec   float64 `json:"sustained_hits_per_s"`
	SustainedStep         int     `json:"sustained_step"` // -1 when no step held
	SustainedP95ms        float64 `json:"sustained_latency_p95_ms"`
	// Broke is whether a threshold broke; BrokeAt the lowest rate (visits/day) that broke, at
	// step BrokeStep, because of Broken.
	Broke     bool        `json:"broke"`
	BrokeAt   float64     `json:"broke_at_visits_per_day,omitempty"`
	BrokeStep int         `json:"broke_step"` // -1 when nothing broke
	Broken    []Breach    `json:"broken,omitempty"`
	Why       string      `json:"why"` // a sentence: "p95 412 ms > 300 ms at 2,000,000 visits/day"
	Probes    []ProbeStat `json:"probes,omitempty"`
}

// Verdict is the last capacity-search record before the Summary: per target the rate sustained
// and where it broke, and the target that sustained the most.
type Verdict struct {
	Header
	Search string `json:"search"` // step, stages or binary
	// Reason is why the search ended: all_broken, max_rate (the highest rate held everywhere),
	// stages_done, steps (CAPACITY_MAX_STEPS), stopped (a signal or the run's duration).
	Reason  string          `json:"reason"`
	Steps   int             `json:"steps"`
	Targets []TargetVerdict `json:"targets"`
	// Best is the target with the highest sustained rate (empty with one target or a tie).
	Best string `json:"best,omitempty"`
}
