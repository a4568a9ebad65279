package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

const token = "0123456789abcdef0123456789abcdef"

// fixture is two fake Matomos, one with slow reports, reached in process (virtual time).
type fixture struct {
	servers []*matomotest.Server
	targets []Target
	out     bytes.Buffer
	logs    bytes.Buffer
	set     *meter.Set
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{set: meter.NewSet([]string{"fast", "slow"})}
	delays := []map[string]time.Duration{
		{"*": 50 * time.Millisecond},
		{"VisitsSummary.get": 4 * time.Second, "*": 200 * time.Millisecond},
	}
	for i, name := range []string{"fast", "slow"} {
		s := matomotest.NewUnstartedServer(matomotest.Options{Token: token, APILatency: delays[i]})
		t.Cleanup(s.Close)
		c, err := matomo.NewClient(matomo.Target{Name: name, URL: "http://" + name + ".invalid/matomo.php", SiteID: 1, Token: token},
			matomo.Options{HTTPClient: s.InProcessClient(), Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		f.servers = append(f.servers, s)
		f.targets = append(f.targets, Target{Name: name, SiteID: 1, Client: c})
	}
	return f
}

func (f *fixture) probe(t *testing.T, cfg config.Probe) *Probe {
	t.Helper()
	p, err := New(cfg, f.targets, Deps{Start: time.Now(), Out: report.NewWriter(&f.out),
		Log: slog.New(slog.NewTextHandler(&f.logs, nil)), Meter: f.set})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) records(t *testing.T) []*report.Probe {
	t.Helper()
	var out []*report.Probe
	sc := bufio.NewScanner(bytes.NewReader(f.out.Bytes()))
	for sc.Scan() {
		rec, err := report.Parse(sc.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec.(*report.Probe))
	}
	return out
}

func probeConfig() config.Probe {
	c := config.Default().Probe
	c.Enabled = true
	return c
}

// The probe times every call for every period on every target, round after round during the
// load and then after it; the fake's report latencies come back as the timings (virtual time,
// so exactly), and the probe reads only.
func TestProbeTimesReadsOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		p := f.probe(t, probeConfig())
		ctx, stop := context.WithTimeout(t.Context(), 150*time.Second) // rounds at 0, 60 s, 120 s
		p.Run(ctx, func() float64 { return 250000 })
		stop()
		p.After(t.Context()) // one round after the load
		recs := f.records(t)
		perRound := 5 * 2 // calls × periods
		if len(recs) != 4*perRound*2 {
			t.Fatalf("%d records, want %d", len(recs), 4*perRound*2)
		}
		for _, r := range recs {
			want := 50.0
			if r.Target == "slow" {
				want = 200
				if r.Call == "VisitsSummary.get" {
					want = 4000
				}
			}
			if !r.OK || r.Status != 200 || r.Ms != want {
				t.Fatalf("record %+v, want ok in %v ms", r, want)
			}
			if (r.Round < 3) != (r.Phase == PhaseLoad) || (r.Phase == PhaseLoad) != (r.VisitsPerDay == 250000) {
				t.Fatalf("round %d phase %s at %v visits/day", r.Round, r.Phase, r.VisitsPerDay)
			}
		}
		for _, s := range f.servers {
			for _, c := range s.APICalls() {
				if !config.IsReadMethod(c.Method) {
					t.Fatalf("the probe called %s, a write", c.Method)
				}
			}
			if n := len(s.APICalls()); n != 4*perRound {
				t.Fatalf("%d API calls, want %d", n, 4*perRound)
			}
		}
		st := p.Stats("slow")
		if len(st) != perRound || st[0].Label != "VisitsSummary.get day today" || st[0].Count != 4 || st[0].P95ms != 4000 {
			t.Fatalf("stats %+v", st)
		}
		if bytes.Contains(f.out.Bytes(), []byte(token)) || bytes.Contains(f.logs.Bytes(), []byte(token)) {
			t.Fatal("the token is in the records or the logs")
		}
	})
}

// With PROBE_INVALIDATE the one write is CoreAdminHome.invalidateArchivedReports of today, once
// per round and target, before the calls; the records say so.
func TestProbeInvalidatesOnlyWhenAsked(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		cfg := probeConfig()
		cfg.Invalidate, cfg.Calls, cfg.Periods = true, "VisitsSummary.get", "day:today"
		p := f.probe(t, cfg)
		p.Round(t.Context(), PhaseAfter, 0)
		p.Round(t.Context(), PhaseAfter, 0)
		today := time.Now().UTC().Format(time.DateOnly)
		for _, s := range f.servers {
			calls := s.APICalls()
			if len(calls) != 4 {
				t.Fatalf("%d calls: %+v", len(calls), calls)
			}
			for i, c := range calls {
				write := !config.IsReadMethod(c.Method)
				if write != (i%2 == 0) || (write && (c.Method != "CoreAdminHome.invalidateArchivedReports" || c.Params.Get("dates") != today)) {
					t.Fatalf("call %d: %s %v", i, c.Method, c.Params)
				}
			}
		}
		for _, r := range f.records(t) {
			if !r.Invalidated {
				t.Fatalf("record %+v does not say it followed an invalidation", r)
			}
		}
	})
}

// A method that is not a read is refused before anything is sent.
func TestProbeRefusesWrites(t *testing.T) {
	f := newFixture(t)
	for _, m := range []string{"SitesManager.addSite", "CoreAdminHome.invalidateArchivedReports", "UsersManager.setUserAccess", "Foo.getaway"} {
		cfg := probeConfig()
		cfg.Calls = "VisitsSummary.get," + m
		if _, err := New(cfg, f.targets, Deps{}); !errors.Is(err, ErrWrite) || !strings.Contains(err.Error(), m) {
			t.Errorf("%s: err %v, want ErrWrite", m, err)
		}
	}
	for _, s := range f.servers {
		if n := len(s.APICalls()); n != 0 {
			t.Fatalf("%d calls made", n)
		}
	}
}

// A failing call is recorded with its status and counted as failed, and the timeout bounds a
// report that takes too long.
func TestProbeFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		cfg := probeConfig()
		cfg.Calls, cfg.Periods, cfg.Timeout = "VisitsSummary.get,Goals.get", "day:today", 3*time.Second
		// A target without the token: Matomo answers 401.
		f.targets[0].Client, _ = matomo.NewClient(matomo.Target{Name: "fast", URL: "http://fast.invalid/matomo.php", SiteID: 1},
			matomo.Options{HTTPClient: f.servers[0].InProcessClient(), Retries: -1})
		p := f.probe(t, cfg)
		p.Round(t.Context(), PhaseLoad, 1000)
		for _, r := range f.records(t) {
			switch {
			case r.Target == "fast" && (r.OK || r.Status != 401 || r.Error == ""):
				t.Errorf("no token: %+v", r)
			case r.Target == "slow" && r.Call == "VisitsSummary.get" && (r.OK || r.Ms != 3000):
				t.Errorf("timed out: %+v, want failed at 3000 ms", r)
			case r.Target == "slow" && r.Call == "Goals.get" && !r.OK:
				t.Errorf("after a timeout the next call still runs: %+v", r)
			}
		}
		if st := p.Stats("fast"); st[0].Failed != 1 || st[0].P50ms != 0 {
			t.Errorf("stats %+v", st)
		}
	})
}

// A round cut short by the end of its phase records nothing for the call it interrupted: that
// is not a timing, nor a failure of Matomo.
func TestProbeCutShort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t)
		cfg := probeConfig()
		cfg.Calls, cfg.Periods = "VisitsSummary.get,Goals.get", "day:today"
		p := f.probe(t, cfg)
		ctx, stop := context.WithTimeout(t.Context(), time.Second) // the slow target's first call takes 4 s
		defer stop()
		p.Round(ctx, PhaseLoad, 1)
		for _, r := range f.records(t) {
			if r.Target == "slow" || !r.OK {
				t.Fatalf("record %+v of an interrupted call", r)
			}
		}
		if st := p.Stats("slow"); len(st) != 0 {
			t.Fatalf("stats of an interrupted round: %+v", st)
		}
	})
}
