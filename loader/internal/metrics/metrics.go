// Package metrics serves a loader's meter.Set as Prometheus metrics on METRICS_ADDR, in live and
// backfill runs alike.
//
// What is served, with its help texts, is defined by the meter package, which owns the counters
// and the latency histograms; this package only puts them on HTTP.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
)

// Handler returns the /metrics handler for set.
func Handler(set *meter.Set) (http.Handler, error) {
	reg := prometheus.NewRegistry()
	if err := set.Register(reg); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), nil
}

// Serve serves /metrics for set on addr until ctx is cancelled.
func Serve(ctx context.Context, addr string, set *meter.Set, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listen on %s: %w", addr, err)
	}
	return ServeListener(ctx, ln, set, log)
}

// ServeListener is Serve on a listener the caller opened; the listener is closed when ctx ends.
func ServeListener(ctx context.Context, ln net.Listener, set *meter.Set, log *slog.Logger) error {
	h, err := Handler(set)
	if err != nil {
		_ = ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving metrics", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics server: %w", err)
	}
	return nil
}
