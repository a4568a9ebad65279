package live_test

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/live"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// instant is a client whose every hit and batch is tracked at once: the test is about the rates
// the engine reports, not about delivery. Live mode only tracks, so the rest of engines.Client
// (the nil embedded interface) is never called.
type instant struct{ engines.Client }

func (instant) Track(context.Context, *matomo.Request) (matomo.Result, error) {
	return matomo.Result{Status: 204, Attempts: 1}, nil
}

func (instant) TrackBulk(_ context.Context, rs []matomo.Request) (matomo.BulkResult, error) {
	return matomo.BulkResult{Sent: len(rs), Tracked: len(rs), Attempts: 1}, nil
}

// At 6.9 visits a minute the stats records report the last minute's rate and the since-start
// rate, each within one visit of the target, and say which span the first covers; the summary
// reports the whole run. Over the last 10 s interval only, the rate read 6 and 12 by turns.
func TestAchievedRateIsSteady(t *testing.T) {
	const perMin = 6.9
	synctest.Test(t, func(t *testing.T) {
		c := config.Default()
		c.MatomoURL, c.VisitsPerDay, c.InterArrival = "http://127.0.0.1:9/matomo.php", perMin*1440, config.ArrivalFixed
		c.PauseMin, c.PauseMax, c.StatsInterval, c.AutoStopHours = 0, 0, 10*time.Second, 0.1 // 6 minutes
		out := &bytes.Buffer{}
		model := visit.New(c, visittest.NewCatalog(), nil, 1, func(uint64) (uint64, uint64) { return 0, 0 }, nil)
		e, err := live.NewEngine(c, live.Deps{Deps: engines.Deps{Clients: []engines.Client{instant{}}, Out: report.NewWriter(out)},
			Model: model, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := e.Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		records := 0
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			rec, err := report.Parse(sc.Bytes())
			st, ok := rec.(*report.Stats)
			if err != nil || !ok {
				continue
			}
			records++
			for _, ts := range []report.TargetStats{st.Targets[0], st.Total} {
				wantSpan := min(st.Elapsed, 60)
				if ts.AchievedWindowS != wantSpan {
					t.Fatalf("at %.0f s (%s): achieved over %.0f s, want %.0f", st.Elapsed, ts.Target, ts.AchievedWindowS, wantSpan)
				}
				oneVisit := 1 / (wantSpan / 60)
				if st.Elapsed >= 60 && math.Abs(ts.AchievedPerMin-perMin) > oneVisit+1e-9 {
					t.Fatalf("at %.0f s (%s): %.2f visits/min over the last minute, want %.1f ±1", st.Elapsed, ts.Target, ts.AchievedPerMin, perMin)
				}
				if since := ts.AchievedSinceStartPerMin; math.Abs(since-perMin) > 1/(st.Elapsed/60)+1e-9 {
					t.Fatalf("at %.0f s (%s): %.2f visits/min since the start, want %.1f within one visit", st.Elapsed, ts.Target, since, perMin)
				}
			}
		}
		if records < 30 {
			t.Fatalf("%d stats records, want one every 10 s for 6 minutes", records)
		}
		tot := sum.Total
		if tot.Target != "total" || tot.AchievedWindowS != 360 || math.Abs(tot.AchievedPerMin-perMin) > 1.0/6 ||
			tot.AchievedSinceStartPerMin != tot.AchievedPerMin || sum.Targets[0].AchievedPerMin != tot.AchievedPerMin {
			t.Fatalf("summary rates: total %+v, target %+v", tot, sum.Targets[0])
		}
	})
}
