package engines

import (
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// Routes say which targets each visit goes to: every target, in mirror mode (or when there is only
// one), or else one target drawn by weight from the visit's own random stream, so that a seed
// routes the same visits to the same targets in live and in backfill mode. It is the one place
// that decides between the two.
type Routes struct {
	all     bool
	weights []float64
	total   float64
}

// NewRoutes returns the routes of cfg's enabled targets.
func NewRoutes(cfg config.Config) Routes {
	enabled := cfg.EnabledTargets()
	r := Routes{all: cfg.TargetMode == config.ModeMirror || len(enabled) == 1}
	for _, t := range enabled {
		r.weights = append(r.weights, float64(t.Weight))
		r.total += float64(t.Weight)
	}
	return r
}

// All reports whether every visit goes to every target.
func (r Routes) All() bool { return r.all }

// PerVisit is how many targets receive each visit.
func (r Routes) PerVisit() int {
	if r.all {
		return len(r.weights)
	}
	return 1
}

// Share is target i's expected share of the visits: 1 when every visit goes to every target, the
// fraction of the weights that is its own otherwise.
func (r Routes) Share(i int) float64 {
	if r.all || r.total <= 0 {
		return 1
	}
	return r.weights[i] / r.total
}

// Of returns the targets visit seq of model m goes to, as the index range [lo, hi).
func (r Routes) Of(m *visit.Model, seq uint64) (lo, hi int) {
	if r.all {
		return 0, len(r.weights)
	}
	i := m.Target(seq, r.weights)
	return i, i + 1
}
