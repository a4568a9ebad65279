package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/healthcheck"
)

// runHealthcheck is `control healthcheck`: it asks the control of this container (CONTROL_ADDR) for
// GET /health and exits 0 when it answers 200, 1 otherwise. The image's HEALTHCHECK runs it,
// because a FROM-scratch image has no curl or wget to do it.
func runHealthcheck(ctx context.Context, lookup func(string) (string, bool), out io.Writer) int {
	addr, _ := lookup("CONTROL_ADDR")
	if strings.TrimSpace(addr) == "" {
		addr = ":8080"
	}
	body, err := healthcheck.Probe(ctx, addr)
	if err != nil {
		fmt.Fprintln(out, "healthcheck: CONTROL_ADDR", err)
		return 1
	}
	fmt.Fprintln(out, body)
	return 0
}
