package backfill

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit/visittest"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
	"github.com/trafficinator/trafficinator/pkg/report"
)

const (
	testToken = "0123456789abcdef0123456789abcdef"
	testZone  = "Europe/Stockholm"
)

// newSink starts a matomotest server with sites 1 and 2 in testZone and the test token.
func newSink(t *testing.T, mutate func(*matomotest.Options)) *matomotest.Server {
	t.Helper()
	opts := matomotest.Options{
		Sites: []int{1, 2}, Token: testToken, RecordLimit: 200_000,
		SiteInfo: map[int]matomotest.Site{1: {Timezone: testZone}, 2: {Timezone: testZone}},
	}
	if mutate != nil {
		mutate(&opts)
	}
	srv := matomotest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

// daysAgo is the date n days before today in testZone.
func daysAgo(n int) string {
	loc, _ := time.LoadLocation(testZone)
	return time.Now().In(loc).AddDate(0, 0, -n).Format(config.DateLayout)
}

// testConfig is a small backfill of two past days into site 1 of url.
func testConfig(t *testing.T, url string) config.Config {
	t.Helper()
	c := config.Default()
	c.BackfillEnabled = true
	c.MatomoURL, c.SiteID, c.TokenAuth = url+"/matomo.php", 1, testToken
	c.Timezone = testZone
	c.BackfillStartDate, c.BackfillEndDate = daysAgo(12), daysAgo(11)
	c.BackfillPerDay, c.BackfillTotal = 60, 0
	seed := int64(11)
	c.BackfillSeed = &seed
	c.BulkSize, c.Concurrency = 25, 4
	c.EcommerceProb = 0.3 // orders make duplicates visible: a repeated ec_id is invalid
	c.BotProb = 0         // crawlers are excluded at the server, as by Matomo: the day counts would fall short
	// Visits counted at the server are the plan's: no earlier visit (before the window) of a
	// visitor who came before it; TestEarlierVisitsBeforeWindow checks those.
	c.ReturningProb = 0
	c.StatsInterval = time.Hour
	c.BackfillStateFile = filepath.Join(t.TempDir(), "state", "backfill.json")
	if probs := c.ValidateAt(time.Now()); probs.Err() != nil {
		t.Fatalf("test config invalid: %v", probs.Err())
	}
	// Only the waits before settling use these (the clients have their own timeouts); shorter
	// than the schema allows, so that tests of lost replies take milliseconds.
	c.BackfillBulkTimeout, c.BackfillSettleAfter = 20*time.Millisecond, 25*time.Millisecond
	return c
}

// twoTargets points cfg at sites 1 and 2 of url.
func twoTargets(cfg *config.Config, url, mode string, w1, w2 int) {
	cfg.TargetMode = mode
	cfg.Targets = []config.Target{
		{Name: "one", URL: url + "/matomo.php", SiteID: 1, Token: testToken, Weight: w1, Enabled: true},
		{Name: "two", URL: url + "/matomo.php", SiteID: 2, Token: testToken, Weight: w2, Enabled: true},
	}
}

// clientsFor builds one client per enabled target, with fast retries and no uncertain retries.
func clientsFor(t *testing.T, cfg config.Config) []engines.Client {
	return clientsTimeout(t, cfg, 5*time.Second)
}

// clientsTimeout is clientsFor with a time limit per request.
func clientsTimeout(t *testing.T, cfg config.Config, timeout time.Duration) []engines.Client {
	t.Helper()
	var out []engines.Client
	for _, tg := range cfg.EnabledTargets() {
		c, err := matomo.NewClient(matomo.Target{Name: tg.Name, URL: tg.URL, SiteID: tg.SiteID, Token: tg.Token},
			matomo.Options{Retries: 3, BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond,
				Timeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// output collects report records. watch, when set, sees each record's line as it is printed.
type output struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	watch func(line []byte)
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.watch != nil {
		o.watch(p)
	}
	return o.buf.Write(p)
}

// String returns everything printed so far.
func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// records parses every record printed so far.
func (o *output) records(t *testing.T) []any {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []any
	sc := bufio.NewScanner(bytes.NewReader(o.buf.Bytes()))
	for sc.Scan() {
		rec, err := report.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("bad record %q: %v", sc.Text(), err)
		}
		out = append(out, rec)
	}
	return out
}

// days returns the Day records.
func (o *output) days(t *testing.T) []*report.Day {
	var out []*report.Day
	for _, r := range o.records(t) {
		if d, ok := r.(*report.Day); ok {
			out = append(out, d)
		}
	}
	return out
}

// testDeps are the dependencies of a test run: the test catalog, a client per target of cfg (fast
// retries) and out.
func testDeps(t *testing.T, cfg config.Config, out io.Writer) Deps {
	t.Helper()
	return Deps{Deps: engines.Deps{Clients: clientsFor(t, cfg), Out: report.NewWriter(out)},
		Catalog: visittest.NewCatalog()}
}

// runWith runs a backfill with testDeps and a fresh output. tune, when not nil, changes the
// dependencies first: a clock, other clients, journals that fail, an output that watches.
func runWith(t *testing.T, ctx context.Context, cfg config.Config, tune func(*Deps, *output)) (report.Summary, *output, error) {
	t.Helper()
	out := &output{}
	deps := testDeps(t, cfg, out)
	if tune != nil {
		tune(&deps, out)
	}
	sum, err := Run(ctx, cfg, deps)
	return sum, out, err
}

// withClients is a tune for runWith: these clients instead.
func withClients(clients []engines.Client) func(*Deps, *output) {
	return func(d *Deps, _ *output) { d.Clients = clients }
}

// mustRun runs a backfill to the end and fails the test on error.
func mustRun(t *testing.T, cfg config.Config) (report.Summary, *output) {
	t.Helper()
	sum, out, err := runWith(t, t.Context(), cfg, nil)
	if err != nil {
		t.Fatalf("backfill: %v", err)
	}
	return sum, out
}

// faultyJournals opens real journals whose writes pass through fault first: it sees each record's
// line and may fail it, and then nothing is written, as if the process had died just before.
type faultyJournals struct{ fault func(line []byte) error }

func (j faultyJournals) Open(path string) (Journal, error) {
	f, err := OSJournals{}.Open(path)
	if err != nil {
		return nil, err
	}
	return faultyJournal{Journal: f, fault: j.fault}, nil
}

type faultyJournal struct {
	Journal
	fault func(line []byte) error
}

func (j faultyJournal) Write(p []byte) (int, error) {
	if err := j.fault(p); err != nil {
		return 0, err
	}
	return j.Journal.Write(p)
}

// planOf computes the plan cfg makes now, as the engine does.
func planOf(t *testing.T, cfg config.Config, now time.Time) *plan {
	t.Helper()
	p, err := newPlan(&cfg, now, *cfg.BackfillSeed)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// visitsByDay reads a site's visits per day from the server.
func visitsByDay(srv *matomotest.Server, site int) map[string]int {
	return srv.Summary().PerSite[site].VisitsByDay
}
