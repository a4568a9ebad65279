package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// A backfill serves /metrics on METRICS_ADDR too, counting what it delivers (BACKFILL_RUN_ONCE
// keeps it up after the last day, so the final counts can be scraped).
func TestBackfillServesMetrics(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token})
	defer srv.Close()
	addr := freeAddr(t)
	env := map[string]string{"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "BACKFILL_ENABLED": "true",
		"BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "2", "BACKFILL_MAX_VISITS_PER_DAY": "40", "TIMEZONE": "UTC",
		"BACKFILL_STATE_FILE": filepath.Join(t.TempDir(), "state.json"), "BACKFILL_RUN_ONCE": "true", "METRICS_ADDR": addr}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	code := make(chan int, 1)
	var out, errs bytes.Buffer
	go func() { code <- run(ctx, nil, lookupMap(env), &out, &errs) }()

	finished := regexp.MustCompile(`(?m)^trafficinator_visits_finished_total\{target="[^"]+"\} 80$`)
	latency := regexp.MustCompile(`(?m)^trafficinator_request_duration_seconds_count\{target="[^"]+"\} [1-9]`)
	deadline := time.Now().Add(20 * time.Second)
	for {
		body := scrape(ctx, "http://"+addr+"/metrics")
		if finished.MatchString(body) && latency.MatchString(body) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed the 80 visits delivered:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond) // test-side polling only
	}
	cancel()
	if c := <-code; c != exitOK {
		t.Fatalf("exit %d:\n%s", c, errs.String())
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// scrape returns the body of a GET of url, or "" when nothing answers yet.
func scrape(ctx context.Context, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return ""
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
