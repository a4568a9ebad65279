package live_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/live"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

const token = "0123456789abcdef0123456789abcdef"

// fastConfig is a config that runs quickly: a very high rate, no pauses, a fixed number of visits.
func fastConfig(total int64, urls ...string) config.Config {
	c := config.Default()
	c.VisitsPerDay = 50_000_000
	c.PauseMin, c.PauseMax = 0, 0
	c.MaxTotalVisits = total
	c.Concurrency = 64
	c.StatsInterval = 50 * time.Millisecond
	c.HTTPRetries = 6
	// One visit at the server per visit started: no synthetic earlier visit of a visitor who came
	// before the run (the server would count it), no crawler (which Matomo would exclude).
	c.ReturningProb, c.BotProb = 0, 0
	if len(urls) == 1 {
		c.MatomoURL, c.TokenAuth = urls[0], token
	} else {
		for i, u := range urls {
			c.Targets = append(c.Targets, config.Target{Name: fmt.Sprintf("t%d", i), URL: u, SiteID: 1, Token: token, Weight: 1, Enabled: true})
		}
	}
	return c
}

type run struct {
	sum report.Summary
	out *bytes.Buffer
}

func runEngine(t *testing.T, ctx context.Context, c config.Config, seed int64) run {
	t.Helper()
	return runEngineWith(t, ctx, c, seed, nil)
}

// runEngineWith runs the engine counting into set (nil: its own).
func runEngineWith(t *testing.T, ctx context.Context, c config.Config, seed int64, set *meter.Set) run {
	t.Helper()
	var clients []engines.Client
	for _, tg := range c.EnabledTargets() {
		method, err := matomo.ParseTransport(c.Transport)
		if err != nil {
			t.Fatal(err)
		}
		cl, err := matomo.NewClient(matomo.Target{Name: tg.Name, URL: tg.URL, SiteID: tg.SiteID, Token: tg.Token},
			matomo.Options{Method: method, Retries: c.HTTPRetries, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxConns: c.Concurrency})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, cl)
	}
	out := &bytes.Buffer{}
	w := &lockedWriter{buf: out}
	model := visit.New(c, visittest.NewCatalog(), nil, seed, func(seq uint64) (uint64, uint64) {
		if seq < 50 {
			return 0, 0
		}
		return seq - 50, seq - 20
	}, nil)
	e, err := live.NewEngine(c, live.Deps{Deps: engines.Deps{Clients: clients, Out: report.NewWriter(w), Meter: set}, Model: model, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return run{sum: sum, out: out}
}

type lockedWriter struct {
	mu  sync.Mutex
	buf *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// Crawler visits are sent, excluded by the server as by Matomo, and counted apart: the server has
// the other visits, and excluded exactly the crawlers' hits.
func TestBotsCountedApart(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Token: token})
	defer srv.Close()
	c := fastConfig(300, srv.TrackingURL())
	c.BotProb = 0.2
	r := runEngine(t, context.Background(), c, 1)
	tot, s := r.sum.Total, srv.Summary()
	if tot.BotVisits < 40 || tot.BotVisits > 80 || tot.BotHits < tot.BotVisits {
		t.Fatalf("%d bot visits with %d hits of %d visits", tot.BotVisits, tot.BotHits, tot.VisitsStarted)
	}
	if int64(s.Visits) != tot.VisitsStarted-tot.BotVisits || int64(s.ExcludedByReason[matomotest.ExcludedBot]) != tot.BotHits || s.Invalid != 0 {
		t.Fatalf("server: %d visits, %v excluded, %d invalid; loader: %d visits, %d bot visits, %d bot hits",
			s.Visits, s.ExcludedByReason, s.Invalid, tot.VisitsStarted, tot.BotVisits, tot.BotHits)
	}
}

// A run of N visits reaches the target as exactly N visits, every hit accepted by a strict server.
func TestRunSendsExactVisitsAllValid(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Token: token})
	defer srv.Close()
	r := runEngine(t, context.Background(), fastConfig(300, srv.TrackingURL()), 1)
	s := srv.Summary()
	if s.Visits != 300 || s.Invalid != 0 {
		t.Fatalf("server saw %d visits, %d invalid (%v); want 300, 0", s.Visits, s.Invalid, s.InvalidByReason)
	}
	tot := r.sum.Total
	if tot.VisitsStarted != 300 || tot.VisitsFinished != 300 || tot.HitsTracked != int64(s.Hits) || tot.HitsInvalid != 0 {
		t.Fatalf("summary disagrees with the server: %+v vs %d hits", tot.Counters, s.Hits)
	}
	if r.sum.Reason != live.ReasonMaxTotal {
		t.Fatalf("reason %q", r.sum.Reason)
	}
	if !strings.Contains(r.out.String(), `"type":"stats"`) || !strings.Contains(r.out.String(), `"type":"summary"`) {
		t.Fatalf("no stats or summary records printed:\n%s", r.out.String())
	}
	if strings.Contains(r.out.String(), token) {
		t.Fatal("token printed")
	}
}

// Weighted mode spreads whole visits by weight; mirror mode sends the identical visits to every target.
func TestMultiTarget(t *testing.T) {
	a := matomotest.NewServer(matomotest.Options{Token: token})
	b := matomotest.NewServer(matomotest.Options{Token: token})
	defer a.Close()
	defer b.Close()
	c := fastConfig(2000, a.TrackingURL(), b.TrackingURL())
	c.Targets[0].Weight = 3
	runEngine(t, context.Background(), c, 2)
	sa, sb := a.Summary(), b.Summary()
	if sa.Visits+sb.Visits != 2000 || sa.Invalid+sb.Invalid != 0 {
		t.Fatalf("weighted: %d + %d visits, %d invalid", sa.Visits, sb.Visits, sa.Invalid+sb.Invalid)
	}
	if share := float64(sa.Visits) / 2000; math.Abs(share-0.75) > 0.04 {
		t.Fatalf("weighted share of target a = %.3f, want 0.75", share)
	}

	a.Reset()
	b.Reset()
	c = fastConfig(200, a.TrackingURL(), b.TrackingURL())
	c.TargetMode = config.ModeMirror
	runEngine(t, context.Background(), c, 3)
	sa, sb = a.Summary(), b.Summary()
	// Revenue is compared in cents: the servers add the same amounts in different orders.
	if sa.Visits != 200 || sb.Visits != 200 || sa.Hits != sb.Hits || sa.Orders != sb.Orders || math.Round(sa.Revenue*100) != math.Round(sb.Revenue*100) {
		t.Fatalf("mirror targets differ: a %+v\nb %+v", sa.Counts, sb.Counts)
	}
	if got, want := streams(a), streams(b); got != want {
		t.Fatal("mirror targets received different request streams")
	}
}

// With every family of the visit model on (earlier visits of visitors who came before the run,
// crawlers, campaigns, content, members), mirror targets still get identical request streams.
func TestMirrorEveryFamily(t *testing.T) {
	a := matomotest.NewServer(matomotest.Options{Token: token})
	b := matomotest.NewServer(matomotest.Options{Token: token})
	defer a.Close()
	defer b.Close()
	c := fastConfig(300, a.TrackingURL(), b.TrackingURL())
	c.TargetMode = config.ModeMirror
	c.ReturningProb, c.BotProb, c.UserIDProb = 0.3, 0.05, 0.5
	r := runEngine(t, context.Background(), c, 4)
	sa, sb := a.Summary(), b.Summary()
	if sa.Invalid+sb.Invalid != 0 || sa.Visits != sb.Visits || sa.Visits < 300-int(r.sum.Total.BotVisits/2) ||
		sa.Excluded == 0 || sa.ReturningVisitors == 0 {
		t.Fatalf("mirror targets: a %+v\nb %+v", sa.Counts, sb.Counts)
	}
	if got, want := streams(a), streams(b); got != want || !strings.Contains(got, "uid=") || !strings.Contains(got, "mtm_campaign") {
		t.Fatal("mirror targets received different request streams, or streams without every family")
	}
}

// streams is every recorded request's parameters except the wall-clock anchor (cdt), sorted.
func streams(s *matomotest.Server) string {
	var lines []string
	for _, r := range s.Requests() {
		p := r.Params
		for _, k := range []string{"cdt", "_idts", "_viewts", "_refts"} {
			p.Del(k)
		}
		lines = append(lines, p.Encode())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// With a seed, two runs produce the same visits: the same request streams but for cdt.
func TestSeededRunsMatch(t *testing.T) {
	var got []string
	for i := 0; i < 2; i++ {
		srv := matomotest.NewServer(matomotest.Options{Token: token})
		c := fastConfig(150, srv.TrackingURL())
		c.VisitsPerDay = 86400 * 200 // slow enough that no visit is dropped, even under -race
		c.Concurrency = 2000         // and room for every visit of the run, however slow a busy machine makes them
		r := runEngine(t, context.Background(), c, 99)
		if r.sum.Total.VisitsDropped != 0 {
			t.Fatalf("%d visits dropped: the comparison needs every visit started", r.sum.Total.VisitsDropped)
		}
		got = append(got, streams(srv))
		srv.Close()
	}
	if got[0] != got[1] || got[0] == "" {
		t.Fatal("two runs with the same seed sent different requests")
	}
}

// A storm of 5xx and 429 replies is retried and counted; no order is sent twice.
func TestErrorStormRetried(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Token: token, Faults: matomotest.Faults{ErrorRate: 0.2, RateLimitRate: 0.03, Seed: 7}})
	defer srv.Close()
	c := fastConfig(200, srv.TrackingURL())
	c.EcommerceProb = 0.5
	c.HTTPRetries = 10
	r := runEngine(t, context.Background(), c, 4)
	s := srv.Summary()
	if s.Visits != 200 || s.Invalid != 0 || s.InvalidByReason["duplicate_order"] != 0 {
		t.Fatalf("storm: %d visits, invalid %v", s.Visits, s.InvalidByReason)
	}
	if r.sum.Total.Retries == 0 || r.sum.Total.HitsFailed != 0 {
		t.Fatalf("want retries counted and nothing failed: %+v", r.sum.Total.Counters)
	}
	if int64(s.Orders) != r.sum.Total.Orders {
		t.Fatalf("server has %d orders, loader sent %d", s.Orders, r.sum.Total.Orders)
	}
}

// cip needs a token, so a target gets visitor IPs only when its token is sent: never without one,
// and never over GET, which cannot carry one (tokens stay out of URLs). Geography then rides on
// lang, and no hit is rejected.
func TestCIPOnlyWithTokenSent(t *testing.T) {
	tests := []struct {
		name, token, transport string
		wantCIP                bool
	}{
		// No token: no cip, whatever the transport.
		{"no token, post", "", config.TransportPOST, false},
		// A token over POST: in the body, so cip is sent.
		{"token, post", token, config.TransportPOST, true},
		// A token over bulk: in the JSON body, so cip is sent.
		{"token, bulk", token, config.TransportBulk, true},
		// A token over GET is not sent, so neither is cip (it was, and every hit was rejected).
		{"token, get", token, config.TransportGET, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := matomotest.NewServer(matomotest.Options{Token: token})
			defer srv.Close()
			c := fastConfig(50, srv.TrackingURL())
			c.TokenAuth, c.Transport, c.RandomizeCountries = tt.token, tt.transport, true
			r := runEngine(t, context.Background(), c, 5)
			s := srv.Summary()
			if s.Visits != 50 || s.Invalid != 0 || r.sum.Total.HitsInvalid != 0 {
				t.Fatalf("%d visits, invalid %v, loader counted %d invalid", s.Visits, s.InvalidByReason, r.sum.Total.HitsInvalid)
			}
			for _, r := range srv.Requests() {
				if (r.Params.Get("cip") != "") != tt.wantCIP || r.Params.Get("lang") == "" {
					t.Fatalf("cip %q (want one: %v), lang %q", r.Params.Get("cip"), tt.wantCIP, r.Params.Get("lang"))
				}
			}
		})
	}
}

// On a stop signal, scheduling stops and visits in flight finish within the grace period.
func TestStopDrainsInFlight(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Token: token})
	defer srv.Close()
	c := fastConfig(0, srv.TrackingURL())
	c.VisitsPerDay = 86400 * 200 // 200 visits/s
	c.PauseMin, c.PauseMax = 0.02, 0.05
	c.ShutdownGrace = 30 * time.Second
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Summary().Hits < 100 {
			time.Sleep(5 * time.Millisecond) // test-side polling only
		}
		cancel()
	}()
	r := runEngine(t, ctx, c, 6)
	tot := r.sum.Total
	if r.sum.Reason != "signal" || tot.VisitsStarted == 0 || tot.VisitsFinished != tot.VisitsStarted {
		t.Fatalf("drain: reason %q, started %d, finished %d", r.sum.Reason, tot.VisitsStarted, tot.VisitsFinished)
	}
	if s := srv.Summary(); int64(s.Visits) != tot.VisitsStarted || s.Invalid != 0 {
		t.Fatalf("server saw %d visits (%d invalid), loader started %d", s.Visits, s.Invalid, tot.VisitsStarted)
	}
}

// Visits held back by MAX_VISITS_PER_DAY are reported as capped, per target, not as dropped.
func TestDailyCapReported(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Token: token})
	defer srv.Close()
	c := fastConfig(0, srv.TrackingURL())
	c.VisitsPerDay = 86400 * 200 // 200 visits/s
	c.MaxVisitsPerDay = 20
	c.AutoStopHours = 0.5 / 3600 // half a second: about 100 visits due
	r := runEngine(t, context.Background(), c, 8)
	tot := r.sum.Total
	if tot.VisitsStarted != 20 || tot.VisitsCapped < 50 || tot.VisitsDropped != 0 {
		t.Fatalf("started %d, capped %d, dropped %d; want 20 started and the rest capped", tot.VisitsStarted, tot.VisitsCapped, tot.VisitsDropped)
	}
	if r.sum.Targets[0].VisitsCapped != tot.VisitsCapped {
		t.Fatalf("per-target capped %d, total %d", r.sum.Targets[0].VisitsCapped, tot.VisitsCapped)
	}
}

// The engine counts into the meter.Set it is given (the one /metrics serves): the same counters as
// its summary, and every request's latency.
func TestCountsIntoGivenMeter(t *testing.T) {
	a := matomotest.NewServer(matomotest.Options{Token: token})
	b := matomotest.NewServer(matomotest.Options{Token: token})
	defer a.Close()
	defer b.Close()
	c := fastConfig(100, a.TrackingURL(), b.TrackingURL())
	c.TargetMode = config.ModeMirror
	set := meter.NewSet([]string{"t0", "t1"})
	r := runEngineWith(t, context.Background(), c, 9, set)
	for i, tg := range set.Targets() {
		if got := tg.Counters(); got != r.sum.Targets[i].Counters || got.VisitsStarted != 100 {
			t.Errorf("%s: meter %+v, summary %+v", tg.Name, got, r.sum.Targets[i].Counters)
		}
		if tg.Quantile(0.5) <= 0 {
			t.Errorf("%s: no latency observed", tg.Name)
		}
	}
}

// A meter.Set must have the enabled targets, in order: counts must not land on the wrong name.
func TestMeterMustMatchTargets(t *testing.T) {
	c := fastConfig(10, "http://127.0.0.1:1/matomo.php", "http://127.0.0.1:2/matomo.php")
	cases := []struct {
		name  string
		names []string
		ok    bool
	}{
		{"the enabled targets, in order", []string{"t0", "t1"}, true},
		{"in another order", []string{"t1", "t0"}, false},
		{"one missing", []string{"t0"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clients := []engines.Client{unused{}, unused{}}
			model := visit.New(c, visittest.NewCatalog(), nil, 1, nil, nil)
			_, err := live.NewEngine(c, live.Deps{Deps: engines.Deps{Clients: clients, Out: report.NewWriter(io.Discard),
				Meter: meter.NewSet(tc.names)}, Model: model})
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

// unused is a client for engines that are built but never run.
type unused struct{ engines.Client }
