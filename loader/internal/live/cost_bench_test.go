package live

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// nullClient accepts every hit at once: what is left is the engine's own cost.
type nullClient struct{ hits atomic.Int64 }

func (c *nullClient) Track(context.Context, *matomo.Request) (matomo.Result, error) {
	c.hits.Add(1)
	return matomo.Result{Status: 204, Attempts: 1}, nil
}

func (c *nullClient) TrackBulk(_ context.Context, rs []matomo.Request) (matomo.BulkResult, error) {
	c.hits.Add(int64(len(rs)))
	return matomo.BulkResult{Tracked: len(rs)}, nil
}

func (c *nullClient) LastVisits(context.Context, int, string, []string) ([]matomo.Visit, error) {
	return nil, nil
}

func (c *nullClient) Site(context.Context, int) (matomo.Site, error) { return matomo.Site{}, nil }

func (c *nullClient) InvalidateArchivedReports(context.Context, []int, []string) ([]string, error) {
	return nil, nil
}

// BenchmarkVisitCost separates the engine's cost of a visit from its cost per hit, without the
// network (a hit's round trip is pkg/matomo's BenchmarkTrackGET): it runs b.N default visits and
// b.N one-page visits through the engine's visit function, and solves
// time = a·visits + b·hits over the two for a (ns/visit: building the visit, choosing its target,
// the counters) and b (ns/hit: stamping, the send loop, the counters of a hit).
func BenchmarkVisitCost(b *testing.B) {
	type shape struct {
		e    *Engine
		cl   *nullClient
		took time.Duration
	}
	newShape := func(pvs int) *shape {
		cfg := config.Default()
		cfg.MatomoURL = "http://127.0.0.1:1/matomo.php"
		cfg.Transport = config.TransportGET
		cfg.PauseMin, cfg.PauseMax = 0, 0
		cfg.RandomizeCountries = false
		if pvs > 0 {
			cfg.PageviewsMin, cfg.PageviewsMax = pvs, pvs
		}
		cl := &nullClient{}
		model := visit.New(cfg, visittest.NewCatalog(), nil, 1, nil, nil)
		e, err := NewEngine(cfg, Deps{Deps: engines.Deps{Clients: []engines.Client{cl}}, Model: model, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		return &shape{e: e, cl: cl}
	}
	long, short := newShape(0), newShape(1) // default shapes; one page view
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	// Alternate chunks of both shapes, so that whatever else the machine does weighs on both alike.
	const chunk = 256
	for lo := 0; lo < b.N; lo += chunk {
		hi := min(lo+chunk, b.N)
		for _, sh := range []*shape{long, short} {
			start := time.Now()
			for seq := lo; seq < hi; seq++ {
				sh.e.visit(ctx, uint64(seq))
			}
			sh.took += time.Since(start)
		}
	}
	n := float64(b.N)
	hA, hB := float64(long.cl.hits.Load()), float64(short.cl.hits.Load())
	perHit := float64(long.took-short.took) / (hA - hB)
	b.ReportMetric((float64(long.took)-perHit*hA)/n, "ns/visit")
	b.ReportMetric(perHit, "ns/hit")
	b.ReportMetric(hA/n, "hits/visit")
}
