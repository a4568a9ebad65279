// Package runs orchestrates loader runs: it starts loader containers for a configuration, follows
// their report lines into live state, persists what matters, stops and removes them, and reconciles
// its records with what the Docker Engine reports when the control starts.
package runs

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Modes of a run.
const (
	ModeLive     = "live"
	ModeBackfill = "backfill"
)

// Sentinel errors of the service; the API maps them to HTTP status codes in one place.
var (
	// ErrNotFound: no run with that id (404).
	ErrNotFound = store.ErrNotFound
	// ErrConflict: the run is in a state that does not allow the operation, e.g. deleting an
	// active run or stopping a finished one (409).
	ErrConflict = errors.New("run state does not allow this")
	// ErrLimit: starting would exceed the configured number of concurrent runs (409).
	ErrLimit = errors.New("too many active runs")
	// ErrUnavailable: the Docker Engine does not answer (503).
	ErrUnavailable = errors.New("docker engine unavailable")
	// ErrImage: the loader image is not in the Docker Engine (503: build it with make images).
	ErrImage = errors.New("loader image not found")
	// ErrInvalid wraps config.Problems when a run's configuration does not validate (400).
	ErrInvalid = errors.New("invalid run configuration")
)

// StartRequest asks for a new run: from a stored config (ConfigID) or an inline Config (exactly one).
// Mode "backfill" forces BACKFILL_ENABLED=true, "live" forces it false; "" follows the config.
type StartRequest struct {
	Name     string
	Mode     string
	ConfigID *int64
	Config   *config.Config
	// Overrides are settings (env names, typed JSON values or strings) applied over the stored
	// config for this run only — a backfill window, a rate — without changing the saved config.
	// Only with ConfigID; targets and tokens cannot be overridden.
	Overrides map[string]any
	// Loaders splits a live run over this many containers (SHARD_COUNT); 0 or 1 = one.
	Loaders int
	// URLSetID, EventSetID, ScenarioID, CampaignSetID and DimensionSetID choose content sets; nil
	// means the default set of that kind, if any.
	URLSetID, EventSetID, ScenarioID, CampaignSetID, DimensionSetID *int64
	// ResumeOf continues a stopped or failed backfill run with its checkpoint (same config).
	ResumeOf string
	// Limits bound each loader container; zero fields take DefaultLimits (a resumed run: the
	// limits it ran with).
	Limits Limits
	// Placement constrains which nodes of a Docker Swarm run the loaders, in Swarm's syntax
	// ("node.role==worker"); only on a swarm. nil for a resumed run: the placement it ran with.
	Placement []string
}

// ListFilter selects runs for List.
type ListFilter struct {
	// ActiveOnly keeps the runs that are pending, starting, running or stopping.
	ActiveOnly bool
	// Limit keeps the newest Limit runs; 0 means all.
	Limit int
}

// TargetState is a target's live counters in a run.
type TargetState struct {
	report.TargetStats
	// Health judges the hits answered (tracked, invalid or failed) in the last minute
	// (HealthWindow) of the loaders' reports, not over the whole run, so a target that recovered
	// shows it: "healthy" (≥ 95% of them tracked), "degraded" (≥ 70%), "failing", or "unknown" when
	// none was answered in that minute. A finished run keeps the health of its last minute.
	Health string `json:"health" doc:"The share of hits Matomo tracked among those answered in the last 60 s of the loaders' reports (a finished run: its last 60 s): healthy ≥ 95%, degraded ≥ 70%, failing below, unknown when none was answered in that time."`
}

// View is a run as the API shows it: the stored record plus live state. Tokens are never in it.
type View struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Mode       string             `json:"mode"`
	State      string             `json:"state"`
	ConfigID   *int64             `json:"config_id,omitempty"`
	Config     map[string]any     `json:"config"` // redacted: tokens removed
	TokenSet   bool               `json:"token_set"`
	CreatedAt  time.Time          `json:"created_at"`
	StartedAt  *time.Time         `json:"started_at,omitempty"`
	FinishedAt *time.Time         `json:"finished_at,omitempty"`
	Uptime     float64            `json:"uptime_s"`
	ExitCode   *int               `json:"exit_code,omitempty"`
	Error      string             `json:"error,omitempty"`
	Loaders    int                `json:"loaders"`
	Limits     Limits             `json:"limits"` // of each loader container; {} for runs older than limits
	Placement  []string           `json:"placement,omitempty" doc:"The Swarm placement constraints of the run's loaders."`
	Runtime    string             `json:"runtime,omitempty" doc:"How the run's loaders run, once started: containers (of the control's Docker host) or swarm (the replicas of one Swarm service)."`
	Targets    []TargetState      `json:"targets"`
	Total      report.TargetStats `json:"total"`
	Days       []store.RunDay     `json:"days,omitempty"`     // backfill progress per day and target
	Progress   *report.Progress   `json:"progress,omitempty"` // backfill overall progress
	Summary    json.RawMessage    `json:"summary,omitempty"`
}

// LogLine is one line a loader printed.
type LogLine struct {
	Loader int       `json:"loader"`
	Stream string    `json:"stream"` // stdout (report records) or stderr (logs)
	Time   time.Time `json:"time"`
	Text   string    `json:"text"`
}

// Event is one report record of a run, as it arrives (for the SSE stream of GET /api/runs/{id}/events).
type Event struct {
	Loader int             `json:"loader"`
	Type   string          `json:"type"`
	Record json.RawMessage `json:"record"`
}
