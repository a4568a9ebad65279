package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheckTimeout bounds one probe; Docker's own HEALTHCHECK timeout (5 s in the image) is the
// outer bound.
const healthcheckTimeout = 4 * time.Second

// healthcheck is `control healthcheck`: it asks the control of this container (CONTROL_ADDR) for
// GET /health and exits 0 when it answers 200, 1 otherwise. The image's HEALTHCHECK runs it,
// because a FROM-scratch image has no curl or wget to do it.
func healthcheck(ctx context.Context, lookup func(string) (string, bool), out io.Writer) int {
	addr, _ := lookup("CONTROL_ADDR")
	url, err := healthURL(addr)
	if err != nil {
		fmt.Fprintln(out, "healthcheck:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
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
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(out, "healthcheck: %s answered %s\n", url, resp.Status)
		return 1
	}
	fmt.Fprintln(out, strings.TrimSpace(string(body)))
	return 0
}

// healthURL turns a listen address into the URL of its /health on this machine: a listener on
// every interface (":8080", "0.0.0.0:8080", "[::]:8080") is reached on loopback.
func healthURL(addr string) (string, error) {
	if strings.TrimSpace(addr) == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(strings.TrimSpace(addr))
	if err != nil {
		return "", fmt.Errorf("CONTROL_ADDR %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/health", nil
}
