package metrics

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
)

// Serve answers a scrape over real HTTP with the Set's current values, and stops with its context.
func TestServe(t *testing.T) {
	set := meter.NewSet([]string{"a"})
	set.Target(0).HitsSent.Add(7)
	set.Target(0).VisitsLanded.Add(3)
	set.Target(0).Observe(20 * time.Millisecond)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, ln, set, slog.New(slog.DiscardHandler)) }()

	body := scrape(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		`trafficinator_hits_sent_total{target="a"} 7`,
		`trafficinator_visits_landed_total{target="a"} 3`,
		`trafficinator_request_duration_seconds_count{target="a"} 1`,
		`# HELP trafficinator_request_duration_seconds `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if strings.Contains(body, "latency_p95") {
		t.Error("the p95 gauge is gone: its window was not what its help said")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop with its context")
	}
}

// An address already in use is an error, not a silent nothing.
func TestServeAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := Serve(t.Context(), ln.Addr().String(), meter.NewSet([]string{"a"}), slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("Serve on a taken address returned nil")
	}
}

// scrape GETs url until the server answers (it starts in the background).
func scrape(t *testing.T, url string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer from %s: %v", url, err)
		}
		time.Sleep(10 * time.Millisecond) // test-side polling only
	}
}
