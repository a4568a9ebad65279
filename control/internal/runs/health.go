package runs

import (
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// HealthWindow is how far back a target's health looks: it is judged by the hits answered in the
// last minute of a loader's reports, so a target that recovers from an outage shows healthy again
// a minute later, and one that starts failing after hours of success shows it as soon.
const HealthWindow = time.Minute

// Health thresholds: the share of answered hits Matomo tracked.
const (
	healthyShare  = 0.95
	degradedShare = 0.70
)

// answers are a target's hits that got an answer: tracked, rejected as invalid, or failed after
// retries.
type answers struct{ tracked, invalid, failed int64 }

func answersOf(c report.Counters) answers {
	return answers{tracked: c.HitsTracked, invalid: c.HitsInvalid, failed: c.HitsFailed}
}

func (a answers) add(b answers) answers {
	return answers{a.tracked + b.tracked, a.invalid + b.invalid, a.failed + b.failed}
}

// since is what was answered after base (never negative: counters are cumulative).
func (a answers) since(base answers) answers {
	return answers{max(a.tracked-base.tracked, 0), max(a.invalid-base.invalid, 0), max(a.failed-base.failed, 0)}
}

// health classifies a target by tracked / (tracked + invalid + failed).
func (a answers) health() string {
	answered := a.tracked + a.invalid + a.failed
	switch share := float64(a.tracked) / float64(answered); {
	case answered == 0:
		return "unknown"
	case share >= healthyShare:
		return "healthy"
	case share >= degradedShare:
		return "degraded"
	default:
		return "failing"
	}
}

// answerSample is one loader's cumulative answers per target as of one of its report records.
type answerSample struct {
	at      time.Time
	targets map[string]answers
}

// answerHistory is one loader's samples over the last HealthWindow, plus the newest sample older
// than that: the baseline the window's answers are counted from. It starts with an empty baseline
// (before a loader reports, nothing was answered), so a run younger than the window is judged
// over all of it. A restarted control reads the loaders' logs again from the start, with the
// records' own times, so the history is rebuilt as it was.
type answerHistory struct{ samples []answerSample }

func newAnswerHistory() *answerHistory {
	return &answerHistory{samples: []answerSample{{targets: map[string]answers{}}}}
}

// add records a sample. A time before the last sample's counts as the last's: records of one
// loader come in order, so this only guards against a clock that stepped back.
func (h *answerHistory) add(at time.Time, targets map[string]answers) {
	if last := h.samples[len(h.samples)-1].at; at.Before(last) {
		at = last
	}
	h.samples = append(h.samples, answerSample{at: at, targets: targets})
	start := at.Add(-HealthWindow)
	for len(h.samples) > 1 && !h.samples[1].at.After(start) {
		h.samples = h.samples[1:] // the next sample is old enough to be the baseline
	}
}

// recent returns, per target, what was answered in the window that ends at the newest sample.
func (h *answerHistory) recent() map[string]answers {
	base, last := h.samples[0], h.samples[len(h.samples)-1]
	out := make(map[string]answers, len(last.targets))
	for name, a := range last.targets {
		out[name] = a.since(base.targets[name])
	}
	return out
}

// sampleLocked records loader index's cumulative answers (earlier processes included) as of at.
func (r *liveRun) sampleLocked(index int, at time.Time) {
	targets := map[string]answers{}
	if c := r.carried[index]; c != nil {
		for name, t := range c.targets {
			targets[name] = answersOf(t.Counters)
		}
	}
	var cur []report.TargetStats
	switch p := r.cur[index]; {
	case p.summary != nil:
		cur = p.summary.Targets
	case p.stats != nil:
		cur = p.stats.Targets
	}
	for _, t := range cur {
		targets[t.Target] = targets[t.Target].add(answersOf(t.Counters))
	}
	h := r.history[index]
	if h == nil {
		h = newAnswerHistory()
		r.history[index] = h
	}
	h.add(at, targets)
}

// healthLocked judges each target by what its loaders had answered in their last HealthWindow.
func (r *liveRun) healthLocked() map[string]string {
	sum := map[string]answers{}
	for _, i := range sortedKeys(r.history) {
		for name, a := range r.history[i].recent() {
			sum[name] = sum[name].add(a)
		}
	}
	out := make(map[string]string, len(sum))
	for name, a := range sum {
		out[name] = a.health()
	}
	return out
}

// runStats is what the service saves as a run's last stats: the summed stats record and each
// target's health over the last HealthWindow, which cannot be worked out again once the loaders
// are gone.
type runStats struct {
	report.Stats
	Health map[string]string `json:"health,omitempty"`
}

// targetStates adds health to per-target figures: from health when it has the target, else over
// the whole run (a run saved before health was windowed, or a target with no report yet).
func targetStates(ts []report.TargetStats, health map[string]string) []TargetState {
	out := make([]TargetState, 0, len(ts))
	for _, t := range ts {
		h, ok := health[t.Target]
		if !ok {
			h = answersOf(t.Counters).health()
		}
		out = append(out, TargetState{TargetStats: t, Health: h})
	}
	return out
}
