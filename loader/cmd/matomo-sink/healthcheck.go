package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/trafficinator/trafficinator/pkg/healthcheck"
)

// runHealthcheck is `matomo-sink -healthcheck [-addr host:port]`: it asks a running sink for GET
// /health and returns 0 when it answers 200, 1 otherwise. The image's HEALTHCHECK runs it, since a
// FROM-scratch image has no curl or wget.
func runHealthcheck(ctx context.Context, args []string, out io.Writer) int {
	fs := flag.NewFlagSet("matomo-sink -healthcheck", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Bool("healthcheck", true, "probe a running sink's /health and exit")
	addr := fs.String("addr", "127.0.0.1:8089", "address of the sink to probe")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	body, err := healthcheck.Probe(ctx, *addr)
	if err != nil {
		fmt.Fprintln(out, "healthcheck: -addr", err)
		return 1
	}
	fmt.Fprintln(out, body)
	return 0
}

// isHealthcheck reports whether the command line asks for a health probe instead of a server.
func isHealthcheck(args []string) bool {
	for _, a := range args {
		if a == "-healthcheck" || a == "--healthcheck" || a == "-healthcheck=true" || a == "--healthcheck=true" {
			return true
		}
	}
	return false
}
