package backfill

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Benchmark sizes.
const (
	benchDays        = 10
	benchPerDay      = 10_000 // 100,000 visits
	benchConcurrency = 16
	benchBulk        = 100
	ceilingVisits    = 25_000 // visits whose pre-built bodies measure the sink's ceiling
)

// sinkCPUsEnv, when set (e.g. "1"), runs the sink under taskset on those CPUs. Together with
// running the benchmark itself under taskset on other CPUs it gives the loader and the sink cores of
// their own, which measures whether the loader keeps up with the sink at equal resources; by
// default both share the machine, as they do in a single-host dry run.
const sinkCPUsEnv = "BACKFILL_BENCH_SINK_CPUS"

// BenchmarkBackfill100k backfills 100,000 visits into the matomo-sink program on loopback and
// compares the rate with the sink's own ceiling, measured in the same run by posting pre-built bulk
// bodies of as many visits in a tight loop, once before and once after the backfill (the mean is
// the ceiling, which evens out other load on the machine). It reports visits/s, tracking requests
// (hits)/s, the loader's CPU seconds per million requests (getrusage of this process, which is the
// loader: the sink is a child process), the sink's own CPU per million requests (from /proc) and
// the share of the ceiling reached.
//
//	go test -run '^$' -bench Backfill ./internal/backfill/
//	BACKFILL_BENCH_SINK_CPUS=1 taskset -c 0 go test -run '^$' -bench Backfill ./internal/backfill/
func BenchmarkBackfill100k(b *testing.B) {
	if testing.Short() {
		b.Skip("a 100,000-visit load run")
	}
	if os.Getenv("GOGC") == "" { // as the loader runs a backfill
		defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	}
	sink := startSink(b)
	bodies, hits := ceilingBodies(b, sink)
	before := sink.postAll(b, bodies, hits)
	var res benchResult
	for i := 0; i < b.N; i++ {
		sink.reset(b)
		res = runBenchBackfill(b, sink)
	}
	sink.reset(b)
	after := sink.postAll(b, bodies, hits)
	ceiling := (before.perSec + after.perSec) / 2
	ratio := res.hitsPerSec / ceiling
	b.ReportMetric(res.visitsPerSec, "visits/s")
	b.ReportMetric(res.hitsPerSec, "requests/s")
	b.ReportMetric(res.cpuPerMillion, "cpu-s/Mreq")
	b.ReportMetric(res.sinkCPUPerMillion, "sink-cpu-s/Mreq")
	b.ReportMetric(ceiling, "ceiling-requests/s")
	b.ReportMetric(100*ratio, "%-of-ceiling")
	b.Logf("backfill of %d visits (%d requests) in %.1f s: %.0f visits/s, %.0f requests/s; loader %.2f CPU-s per "+
		"million requests, sink %.2f. Sink ceiling %.0f requests/s (%.0f before, %.0f after; sink %.2f CPU-s per "+
		"million requests, poster %.2f): %.0f%% of the ceiling (goal ≥ 70%%)",
		res.visits, res.hits, res.seconds, res.visitsPerSec, res.hitsPerSec, res.cpuPerMillion,
		res.sinkCPUPerMillion, ceiling, before.perSec, after.perSec, (before.sinkCPU+after.sinkCPU)/2,
		(before.ownCPU+after.ownCPU)/2, 100*ratio)
}

// sinkProc is the matomo-sink child process.
type sinkProc struct {
	url string
	pid int
	hc  *http.Client
}

// cpuSeconds is the sink's user plus system CPU time, from /proc (Linux; 0 elsewhere).
func (s *sinkProc) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start at state; utime and stime are
	// fields 14 and 15 of the whole line, in clock ticks (USER_HZ, 100 on Linux).
	_, rest, _ := bytes.Cut(b, []byte(") "))
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

// startSink builds cmd/matomo-sink and starts it on a free loopback port.
func startSink(b *testing.B) *sinkProc {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "matomo-sink")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/matomo-sink")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build matomo-sink: %v\n%s", err, out)
	}
	args := []string{bin, "-addr", "127.0.0.1:0", "-sites", "1,2", "-timezone", testZone}
	if cpus := os.Getenv(sinkCPUsEnv); cpus != "" {
		args = append([]string{"taskset", "-c", cpus}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "SINK_TOKEN="+testToken)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stderr).ReadString('\n')
	_, rest, ok := strings.Cut(line, "listening on ")
	if err != nil || !ok {
		b.Fatalf("matomo-sink did not start: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	url, _, _ := strings.Cut(rest, " ")
	return &sinkProc{url: url, pid: cmd.Process.Pid, hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

func (s *sinkProc) reset(b *testing.B) {
	resp, err := s.hc.Post(s.url+"/reset", "text/plain", nil)
	if err != nil {
		b.Fatal(err)
	}
	_ = resp.Body.Close()
}

// benchConfig is the 100,000-visit backfill.
func benchConfig(b *testing.B, url string) config.Config {
	c := config.Default()
	c.BackfillEnabled = true
	c.MatomoURL, c.SiteID, c.TokenAuth = url+"/matomo.php", 1, testToken
	c.Timezone = testZone
	c.BackfillStartDate, c.BackfillEndDate = daysAgo(30), daysAgo(30-benchDays+1)
	c.BackfillPerDay, c.BackfillTotal = benchPerDay, 0
	seed := int64(1)
	c.BackfillSeed = &seed
	c.BulkSize, c.Concurrency = benchBulk, benchConcurrency
	c.StatsInterval = time.Hour
	c.BackfillStateFile = filepath.Join(b.TempDir(), "state.json")
	return c
}

// ceilingBodies pre-builds the bulk bodies of as many realistic visits as the backfill sends, for
// site 2 (so that the backfill's site stays clean), and returns them with their request count.
func ceilingBodies(b *testing.B, s *sinkProc) ([][]byte, int) {
	b.Helper()
	cfg := benchConfig(b, s.url)
	m := visit.New(cfg, realCatalog(b), nil, 99, nil, nil)
	start := time.Now().Add(-40 * 24 * time.Hour).Truncate(24 * time.Hour)
	var bodies [][]byte
	var body []byte
	hits, inBody := 0, 0
	flush := func() {
		if inBody > 0 {
			bodies = append(bodies, append(body, `],"token_auth":"`+testToken+`"}`...))
			body, inBody = nil, 0
		}
	}
	for i := range benchDays * benchPerDay {
		v := m.Build(uint64(i))
		at := start.Add(time.Duration(i) * 80 * time.Second / 100)
		for _, r := range v.Stamp(at) {
			if inBody == benchBulk {
				flush()
			}
			if inBody == 0 {
				body = append(body, `{"requests":[`...)
			} else {
				body = append(body, ',')
			}
			r.SiteID = 2
			body = append(append(append(body, `"?`...), r.AppendQuery(nil)...), '"')
			inBody++
			hits++
		}
	}
	flush()
	return bodies, hits
}

// ceilingRun is one measurement of the sink's ceiling.
type ceilingRun struct {
	perSec          float64
	sinkCPU, ownCPU float64 // CPU seconds per million requests
}

// postAll posts the bodies with benchConcurrency posters and measures the sink's rate.
func (s *sinkProc) postAll(b *testing.B, bodies [][]byte, hits int) ceilingRun {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	own0, sink0 := cpuSeconds(), s.cpuSeconds()
	t0 := time.Now()
	for range benchConcurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				resp, err := s.hc.Post(s.url+"/matomo.php", "application/json", bytes.NewReader(bodies[i]))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
	secs := time.Since(t0).Seconds()
	m := float64(hits) / 1e6
	return ceilingRun{perSec: float64(hits) / secs, sinkCPU: (s.cpuSeconds() - sink0) / m, ownCPU: (cpuSeconds() - own0) / m}
}

type benchResult struct {
	visits, hits                                     int64
	seconds, visitsPerSec, hitsPerSec, cpuPerMillion float64
	sinkCPUPerMillion                                float64
}

// runBenchBackfill runs the backfill in this process and measures it.
func runBenchBackfill(b *testing.B, s *sinkProc) benchResult {
	b.Helper()
	cfg := benchConfig(b, s.url)
	c, err := matomo.NewClient(matomo.Target{Name: "sink", URL: cfg.MatomoURL, SiteID: 1, Token: testToken},
		matomo.Options{MaxConns: 64})
	if err != nil {
		b.Fatal(err)
	}
	cpu0, sink0 := cpuSeconds(), s.cpuSeconds()
	t0 := time.Now()
	sum, err := Run(context.Background(), cfg, Deps{Deps: engines.Deps{Clients: []engines.Client{c},
		Out: report.NewWriter(io.Discard)}, Catalog: realCatalog(b)})
	secs := time.Since(t0).Seconds()
	cpu, sinkCPU := cpuSeconds()-cpu0, s.cpuSeconds()-sink0
	if err != nil || sum.Reason != ReasonFinished {
		b.Fatalf("backfill: %v (%s)", err, sum.Reason)
	}
	if sum.Total.VisitsFinished != benchDays*benchPerDay || sum.Total.HitsInvalid != 0 {
		b.Fatalf("summary %+v", sum.Total.Counters)
	}
	hits := sum.Total.HitsSent
	return benchResult{visits: sum.Total.VisitsFinished, hits: hits, seconds: secs,
		visitsPerSec: float64(sum.Total.VisitsFinished) / secs, hitsPerSec: float64(hits) / secs,
		cpuPerMillion: cpu / float64(hits) * 1e6, sinkCPUPerMillion: sinkCPU / float64(hits) * 1e6}
}

// realCatalog is the loader's own catalog with its embedded defaults, as a run without content
// files uses it.
func realCatalog(b *testing.B) *catalog.Catalog {
	b.Helper()
	c, ps := catalog.Load(catalog.LoadOptions{})
	if err := ps.Err(); err != nil {
		b.Fatal(err)
	}
	return c
}

// cpuSeconds is this process's user plus system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
