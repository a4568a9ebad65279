package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheck is `matomo-sink -healthcheck [-addr host:port]`: it asks a running sink for GET
// /health and returns 0 when it answers 200, 1 otherwise. The image's HEALTHCHECK runs it, since a
// FROM-scratch image has no curl or wget.
func healthcheck(ctx context.Context, args []string, out io.Writer) int {
	fs := flag.NewFlagSet("matomo-sink -healthcheck", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Bool("healthcheck", true, "probe a running sink's /health and exit")
	addr := fs.String("addr", "127.0.0.1:8089", "address of the sink to probe")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		fmt.Fprintf(out, "healthcheck: -addr %q: %v\n", *addr, err)
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1" // a sink on every interface answers on loopback
	}
	ctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		fmt.Fprintln(out, "healthcheck:", err)
		return 1
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(out, "healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(out, "healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	fmt.Fprintln(out, strings.TrimSpace(string(body)))
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
