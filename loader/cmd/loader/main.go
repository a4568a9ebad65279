// Command loader generates realistic Matomo traffic: live load at a visits-per-day rate, or backfill of
// past days. Its whole configuration comes from environment variables (see docs/configuration.md).
//
//	loader                         run (live, or backfill when BACKFILL_ENABLED=true)
//	loader validate [--env-file F] check the configuration, print every problem, exit 2 if invalid
//	loader version                 print the version
//
// Exit codes: 0 finished, 1 failure, 2 invalid configuration.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}
