package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// newLogger logs JSON lines to w at LOG_LEVEL (the original ignored LOG_LEVEL; here it works).
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// runSeed is SEED when set, else a fresh random seed (printed in the start record, so a run can be
// repeated exactly).
func runSeed(cfg config.Config) int64 {
	if cfg.Seed != nil {
		return *cfg.Seed
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return int64(binary.LittleEndian.Uint64(b[:]) >> 1)
}

// newClients makes one Matomo client per enabled target, in cfg.EnabledTargets() order. Backfill
// clients wait BACKFILL_BULK_TIMEOUT for a reply, leave a lost or 5xx bulk reply to the engine
// (no blind re-send) and post bulks to
// matomo.php?queuedtracking=0, as Matomo's own log importer does: with the QueuedTracking plugin,
// Matomo then processes the bulk at once and says what it tracked, which exactly-once needs.
func newClients(cfg config.Config, backfill bool) ([]*matomo.Client, error) {
	method, err := matomo.ParseTransport(cfg.Transport)
	if err != nil {
		return nil, err
	}
	retries := cfg.HTTPRetries
	if retries == 0 {
		retries = -1 // matomo.Options reads 0 as "default"; the setting 0 means none
	}
	timeout := cfg.HTTPTimeout
	if backfill {
		timeout = cfg.BackfillBulkTimeout
	}
	var out []*matomo.Client
	for _, t := range cfg.EnabledTargets() {
		c, err := matomo.NewClient(matomo.Target{Name: t.Name, URL: t.URL, SiteID: t.SiteID, Token: t.Token}, matomo.Options{
			Method: method, Timeout: timeout, Retries: retries, MaxConns: cfg.Concurrency,
			RetryUncertain: !backfill, QueuedTrackingBypass: backfill, InsecureSkipVerify: cfg.TLSSkipVerify,
		})
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// engineClients returns the clients as the engines take them; the loader keeps the concrete ones
// for what it does before a run (checkRedirects).
func engineClients(cs []*matomo.Client) []engines.Client {
	out := make([]engines.Client, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}

// waitForStart blocks until START_SIGNAL_FILE appears when AUTO_START is false, then deletes it (the
// original's handshake, kept for its control scripts).
func waitForStart(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.AutoStart {
		return nil
	}
	every := time.Duration(cfg.StartCheckInterval * float64(time.Second))
	log.Info("waiting for the start signal", "file", cfg.StartSignalFile)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		if _, err := os.Stat(cfg.StartSignalFile); err == nil {
			if err := os.Remove(cfg.StartSignalFile); err != nil && !errors.Is(err, os.ErrNotExist) {
				log.Warn("cannot delete the start signal file", "error", err.Error())
			}
			log.Info("start signal received")
			return nil
		}
		t.Reset(every)
	}
}
