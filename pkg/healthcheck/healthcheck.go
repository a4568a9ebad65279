// Package healthcheck probes a server's GET /health on this machine. The control and matomo-sink
// images are FROM scratch, with no curl or wget, so their HEALTHCHECK runs the binary itself in a
// probe mode that calls Probe.
package healthcheck

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Timeout bounds one probe; Docker's own HEALTHCHECK timeout (5 s in the images) is the outer bound.
const Timeout = 4 * time.Second

// URL turns a listen address into the URL of its /health on this machine: a listener on every
// interface (":8080", "0.0.0.0:8080", "[::]:8080") is reached on loopback.
func URL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(strings.TrimSpace(addr))
	if err != nil {
		return "", fmt.Errorf("address %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/health", nil
}

// Probe asks the server listening on addr for GET /health within Timeout and returns its body when
// it answers 200.
func Probe(ctx context.Context, addr string) (string, error) {
	url, err := URL(addr)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return strings.TrimSpace(string(body)), nil
}
