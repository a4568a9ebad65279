// Command matomo is the benchmark behind `make bench-matomo`: it measures the loader's backfill
// against a real Matomo, next to the ceiling that Matomo reaches for the very same traffic, and
// checks with Matomo's own reports that the loader's visits landed exactly once.
//
// It runs the loader binary once against a loopback stand-in (matomotest) to capture the exact
// bulk bodies of a backfill, posts those bodies into fresh sites at several parallelisms without
// retries (the ingest ceiling for this workload), runs the loader with the same settings into
// another fresh site (wall-clock hits/s), then reads VisitsSummary.get for the days of both kinds
// of site and compares them with the plan.
//
// Inputs (environment):
//
//	MATOMO_BENCH_URL           Matomo's root, e.g. http://127.0.0.1:8081/ (required; loopback
//	                           only unless MATOMO_BENCH_ALLOW_REMOTE=1)
//	MATOMO_BENCH_TOKEN         a super user's token_auth (required; sent only in POST bodies)
//	MATOMO_BENCH_DAYS          days in the window, which ends 3 days ago (default 4)
//	MATOMO_BENCH_VISITS        visits per day (default 1250)
//	MATOMO_BENCH_PARALLEL      replay parallelisms (default 4,8,16)
//	MATOMO_BENCH_LOADER        loader binary (default ../bin/loader, or bin/loader)
//	MATOMO_BENCH_SEED          SEED for both loader runs (default 42)
//	MATOMO_BENCH_TIMEOUT       bound on the whole benchmark (default 2h)
//
// Usage, from loader/:
//
//	go run ./bench/matomo          plain-text report on stdout
//	go run ./bench/matomo -json    the report on stderr, a JSON summary on stdout
//
// Exit codes: 0 measured (whatever the verdict), 1 a step failed, 2 bad input.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

// run is main without the process, so a test can drive the whole benchmark.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench-matomo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout (the plain-text report goes to stderr)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(stderr, "bench-matomo:", err)
		return 1
	}
	s, err := parseSettings(lookup, wd)
	if err != nil {
		fmt.Fprintf(stderr, "bench-matomo: bad input:\n%v\n", err)
		return 2
	}
	out := stdout
	if *asJSON {
		out = stderr
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	sum, err := bench(ctx, s, out, time.Now())
	if err != nil {
		fmt.Fprintln(stderr, "bench-matomo:", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			fmt.Fprintln(stderr, "bench-matomo:", err)
			return 1
		}
	}
	return 0
}
