// Command matomo-sink is a standalone Matomo-compatible tracking target for dry runs, end-to-end
// tests and benchmarks. It serves the matomotest handler (tracking endpoints and the Reporting API
// subset) plus three endpoints of its own:
//
//	GET  /summary  the server's Summary as JSON
//	POST /reset    forget everything received so far
//	GET  /health   "ok"
//
// Usage:
//
//	matomo-sink -addr 127.0.0.1:8089 -sites 1,2 -token T [-timezone Europe/Stockholm]
//	            [-latency 0] [-latency-tail-alpha 0] [-latency-max 0] [-error-rate 0]
//	            [-deadlock-rate 0] [-late-rate 0] [-late-delay 0] [-seed 1] [-queued]
//	            [-goals 1,2] [-dimensions 1:visit,2:action]
//	            [-capacity 0] [-base-latency 5ms] [-latency-growth 100] [-overload-latency-max 30s]
//	            [-errors-above 0] [-api-latency Method=duration,...]
//	matomo-sink -healthcheck [-addr 127.0.0.1:8089]   probe a running sink (the image's HEALTHCHECK)
//
// The token may come from the SINK_TOKEN environment variable instead of the command line, where
// other users of the machine could read it.
//
// The fault flags reproduce what a real Matomo does under concurrent bulk load: -deadlock-rate
// loses the head of a bulk, records its tail and answers 500; -late-rate processes a request
// -late-delay later even when its client gave up; -latency-tail-alpha makes -latency heavy-tailed
// (Pareto), capped at -latency-max. Faults are drawn from -seed, so a run can be replayed.
//
// -goals and -dimensions give every site goals and custom dimensions, which the Reporting API lists
// (the loader reads them before a run) and which tracking requests may then use; the summary counts
// goal conversions, dimension values and the other report families (matomotest.Reports).
//
// The load flags make it a Matomo of limited capacity, for capacity searches: past -capacity
// tracking hits per second the latency grows, past -errors-above the excess is answered 503, and
// -api-latency slows Reporting API answers per method (more so past -capacity).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the sink runs FROM scratch, where there is no zoneinfo

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

func main() {
	if isHealthcheck(os.Args[1:]) { // the image's HEALTHCHECK (healthcheck.go)
		os.Exit(runHealthcheck(context.Background(), os.Args[1:], os.Stdout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stderr, nil)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "matomo-sink:", err)
		os.Exit(1)
	}
}

// config is what the command line says.
type config struct {
	addr     string
	sites    []int
	token    string
	timezone string
	faults   matomotest.Faults
	queued   bool
	goals    []int
	dims     []matomotest.Dimension
	load     matomotest.Load
	apiDelay map[string]time.Duration
}

// parseArgs reads flags, taking the token from SINK_TOKEN when -token is not given.
func parseArgs(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("matomo-sink", flag.ContinueOnError)
	fs.SetOutput(out)
	sites := fs.String("sites", "1", "comma-separated site ids that exist")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8089", "listen address")
	fs.StringVar(&c.token, "token", "", "the valid token_auth (default $SINK_TOKEN)")
	fs.StringVar(&c.timezone, "timezone", "UTC", "IANA timezone of every site")
	addFaultFlags(fs, &c.faults)
	addLoadFlags(fs, &c.load)
	apiLatency := fs.String("api-latency", "", "Reporting API answer delays: comma-separated Method=duration, e.g. "+
		"VisitsSummary.get=2s,*=100ms (* is every other method); multiplied by the tracking load past -capacity")
	fs.BoolVar(&c.queued, "queued", false, "behave like Matomo with QueuedTracking (bulk replies 204)")
	goals := fs.String("goals", "", "comma-separated goal ids every site has (conversions of others are rejected)")
	dims := fs.String("dimensions", "", "custom dimensions every site has, as comma-separated id:scope (scope visit or action), e.g. 1:visit,2:action")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.goals, err = parseGoalIDs(*goals); err != nil {
		return c, err
	}
	if c.dims, err = parseDimensions(*dims); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.token == "" {
		c.token = getenv("SINK_TOKEN")
	}
	for s := range strings.SplitSeq(*sites, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || id <= 0 {
			return c, fmt.Errorf("-sites: %q is not a positive site id", s)
		}
		c.sites = append(c.sites, id)
	}
	if _, err := time.LoadLocation(c.timezone); err != nil {
		return c, fmt.Errorf("-timezone: %w", err)
	}
	delays, err := parseAPILatency(*apiLatency)
	if err != nil {
		return c, err
	}
	c.apiDelay = delays
	if err := checkLoad(c.load); err != nil {
		return c, err
	}
	return c, checkFaults(c.faults)
}

// parseGoalIDs reads -goals.
func parseGoalIDs(s string) ([]int, error) {
	var ids []int
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		id, err := strconv.Atoi(part)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("-goals: %q is not a positive goal id", part)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseDimensions reads -dimensions.
func parseDimensions(s string) ([]matomotest.Dimension, error) {
	var dims []matomotest.Dimension
	seen := map[int]bool{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		idText, scope, _ := strings.Cut(part, ":")
		id, err := strconv.Atoi(idText)
		if err != nil || id <= 0 || seen[id] || (scope != matomotest.ScopeVisit && scope != matomotest.ScopeAction) {
			return nil, fmt.Errorf("-dimensions: %q must be id:visit or id:action with a positive id, each id once", part)
		}
		seen[id] = true
		dims = append(dims, matomotest.Dimension{ID: id, Scope: scope})
	}
	return dims, nil
}

// addLoadFlags declares the flags of the load model: a capacity past which tracking slows down,
// and a rate past which it fails.
func addLoadFlags(fs *flag.FlagSet, l *matomotest.Load) {
	fs.Float64Var(&l.Capacity, "capacity", 0, "tracking hits per second handled at -base-latency; past it the latency grows (0: no limit)")
	fs.DurationVar(&l.BaseLatency, "base-latency", 5*time.Millisecond, "latency of a tracking request up to -capacity")
	fs.Float64Var(&l.Growth, "latency-growth", 100, "past -capacity, a request takes base-latency x (1 + growth x overload share)")
	fs.DurationVar(&l.MaxLatency, "overload-latency-max", 30*time.Second, "cap of the latency past -capacity")
	fs.Float64Var(&l.ErrorsAbove, "errors-above", 0, "tracking hits per second past which the excess is answered 503 (0: never)")
}

// checkLoad refuses negative load settings, and an error rate below the capacity.
func checkLoad(l matomotest.Load) error {
	switch {
	case l.Capacity < 0 || l.ErrorsAbove < 0 || l.Growth < 0:
		return fmt.Errorf("-capacity, -errors-above and -latency-growth must not be negative")
	case l.BaseLatency < 0 || l.MaxLatency < 0:
		return fmt.Errorf("-base-latency and -overload-latency-max must not be negative")
	case l.ErrorsAbove > 0 && l.Capacity == 0:
		return fmt.Errorf("-errors-above needs -capacity")
	case l.ErrorsAbove > 0 && l.ErrorsAbove < l.Capacity:
		return fmt.Errorf("-errors-above (%v) is below -capacity (%v)", l.ErrorsAbove, l.Capacity)
	}
	return nil
}

// parseAPILatency reads -api-latency.
func parseAPILatency(s string) (map[string]time.Duration, error) {
	out := map[string]time.Duration{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		method, dur, ok := strings.Cut(part, "=")
		d, err := time.ParseDuration(strings.TrimSpace(dur))
		if !ok || err != nil || d < 0 || strings.TrimSpace(method) == "" {
			return nil, fmt.Errorf("-api-latency: %q is not Method=duration", part)
		}
		out[strings.TrimSpace(method)] = d
	}
	return out, nil
}

// addFaultFlags declares the flags of the injected faults.
func addFaultFlags(fs *flag.FlagSet, f *matomotest.Faults) {
	fs.DurationVar(&f.Latency, "latency", 0, "delay added to every tracking request")
	fs.Float64Var(&f.LatencyTailAlpha, "latency-tail-alpha", 0,
		"Pareto shape of a heavy-tailed latency, e.g. 1.5 (0: constant -latency)")
	fs.DurationVar(&f.LatencyMax, "latency-max", 0, "cap of the heavy-tailed latency (0: 10 x -latency)")
	fs.Float64Var(&f.ErrorRate, "error-rate", 0, "share of tracking requests answered 500")
	fs.Float64Var(&f.DeadlockRate, "deadlock-rate", 0,
		"share of tracking requests that deadlock: a bulk loses its head, records its tail, answers 500")
	fs.Float64Var(&f.LateRate, "late-rate", 0,
		"share of tracking requests processed -late-delay later, even when the client gave up")
	fs.DurationVar(&f.LateDelay, "late-delay", 0, "how late a -late-rate request is processed")
	fs.Int64Var(&f.Seed, "seed", 1, "seed of the fault draws")
}

// checkFaults refuses rates outside [0,1], rates adding up to more than 1, and negative durations.
func checkFaults(f matomotest.Faults) error {
	rates := []struct {
		flag string
		v    float64
	}{{"-error-rate", f.ErrorRate}, {"-deadlock-rate", f.DeadlockRate}, {"-late-rate", f.LateRate}}
	var sum float64
	for _, r := range rates {
		if r.v < 0 || r.v > 1 {
			return fmt.Errorf("%s: %v is not between 0 and 1", r.flag, r.v)
		}
		sum += r.v
	}
	if sum > 1 {
		return fmt.Errorf("-error-rate, -deadlock-rate and -late-rate add up to %v, more than 1", sum)
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"-latency", f.Latency}, {"-latency-max", f.LatencyMax}, {"-late-delay", f.LateDelay}} {
		if d.v < 0 {
			return fmt.Errorf("%s: %v is negative", d.flag, d.v)
		}
	}
	if f.LatencyTailAlpha < 0 {
		return fmt.Errorf("-latency-tail-alpha: %v is negative", f.LatencyTailAlpha)
	}
	return nil
}

// options turns the command line into server options.
func (c config) options() matomotest.Options {
	info := make(map[int]matomotest.Site, len(c.sites))
	goals := make(map[int][]int, len(c.sites))
	dims := make(map[int][]matomotest.Dimension, len(c.sites))
	for _, id := range c.sites {
		s := matomotest.DefaultSite(id)
		s.Timezone = c.timezone
		info[id] = s
		goals[id], dims[id] = c.goals, c.dims
	}
	return matomotest.Options{
		Sites: c.sites, Token: c.token, SiteInfo: info, QueuedTracking: c.queued,
		Faults: c.faults, Load: c.load, APILatency: c.apiDelay, Goals: goals, Dimensions: dims,
	}
}

// run serves until ctx is cancelled, then shuts down gracefully. When ready is not nil it
// receives the listening address once the sink accepts connections.
func run(ctx context.Context, args []string, getenv func(string) string, logw io.Writer, ready chan<- string) error {
	cfg, err := parseArgs(args, getenv, logw)
	if err != nil {
		return err
	}
	sink := matomotest.NewUnstartedServer(cfg.options())
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(logw, "matomo-sink listening on http://%s (sites %v, timezone %s, token set: %t)\n",
		ln.Addr(), cfg.sites, cfg.timezone, cfg.token != "")
	hs := &http.Server{Handler: routes(sink), ReadHeaderTimeout: 10 * time.Second}
	hs.RegisterOnShutdown(sink.Close) // ends late and latency waits, so shutdown never waits on them
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// routes adds the sink's own endpoints in front of the Matomo handler.
func routes(sink *matomotest.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /summary", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sink.Summary())
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, _ *http.Request) {
		sink.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.Handle("/", sink.Handler())
	return mux
}
