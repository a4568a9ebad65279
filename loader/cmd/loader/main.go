// Command loader generates realistic Matomo traffic: live load at a visits-per-day rate, or backfill of
// past days. Its whole configuration comes from environment variables (see docs/configuration.md).
//
//	loader                         run (live, or backfill when BACKFILL_ENABLED=true)
//	loader validate [--env-file F] check the configuration, print every problem, exit 2 if invalid
//	loader version                 print the version
//
// Exit codes: 0 finished, 1 failure, 2 invalid configuration.
//
// SIGTERM or SIGINT stops a run: nothing new starts and the work under way gets SHUTDOWN_GRACE to
// finish. A second one ends it at once (docker stop, Ctrl-C twice); either way the summary is
// printed.
package main

import (
	"context"
	"os"
	"syscall"

	"github.com/trafficinator/trafficinator/loader/internal/shutdown"
)

func main() {
	ctx, release := shutdown.Notify(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	release()
	os.Exit(code)
}
