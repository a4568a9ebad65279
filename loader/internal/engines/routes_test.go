package engines_test

import (
	"testing"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// routesConfig is a config of the given mode with one target per weight.
func routesConfig(mode string, weights ...int) config.Config {
	c := config.Default()
	c.TargetMode = mode
	for i, w := range weights {
		c.Targets = append(c.Targets, config.Target{Name: string(rune('a' + i)), URL: "http://127.0.0.1:9/matomo.php",
			SiteID: 1, Weight: w, Enabled: true})
	}
	return c
}

// Mirror mode and a single target send every visit everywhere; weighted mode sends each visit to
// one target, in proportion to the weights, the same one for the same seed.
func TestRoutes(t *testing.T) {
	tests := []struct {
		name     string
		cfg      config.Config
		all      bool
		perVisit int
		shares   []float64
	}{
		// Mirror: every visit to both targets, whatever the weights.
		{"mirror", routesConfig(config.ModeMirror, 1, 3), true, 2, []float64{1, 1}},
		// Weighted: one target per visit, a quarter and three quarters.
		{"weighted", routesConfig(config.ModeWeighted, 1, 3), false, 1, []float64{0.25, 0.75}},
		// A single target in weighted mode gets every visit.
		{"single", routesConfig(config.ModeWeighted, 5), true, 1, []float64{1}},
		// A disabled target takes no share.
		{"one disabled", func() config.Config {
			c := routesConfig(config.ModeWeighted, 1, 3)
			c.Targets[1].Enabled = false
			return c
		}(), true, 1, []float64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := engines.NewRoutes(tt.cfg)
			if r.All() != tt.all || r.PerVisit() != tt.perVisit {
				t.Fatalf("all %v, per visit %d; want %v, %d", r.All(), r.PerVisit(), tt.all, tt.perVisit)
			}
			for i, want := range tt.shares {
				if got := r.Share(i); got != want {
					t.Errorf("share of target %d = %v, want %v", i, got, want)
				}
			}
			m := visit.New(tt.cfg, visittest.NewCatalog(), nil, 7, nil, nil)
			counts := make([]int, len(tt.shares))
			const n = 4000
			for seq := range uint64(n) {
				lo, hi := r.Of(m, seq)
				if hi-lo != tt.perVisit {
					t.Fatalf("visit %d goes to targets [%d, %d), want %d of them", seq, lo, hi, tt.perVisit)
				}
				if lo2, hi2 := r.Of(m, seq); lo2 != lo || hi2 != hi {
					t.Fatalf("visit %d routed twice differently", seq)
				}
				for i := lo; i < hi; i++ {
					counts[i]++
				}
			}
			for i, want := range tt.shares {
				if got := float64(counts[i]) / n; got < want-0.03 || got > want+0.03 {
					t.Errorf("target %d got %.3f of the visits, want about %.2f", i, got, want)
				}
			}
		})
	}
}
