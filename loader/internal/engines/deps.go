// Package engines is what the live and backfill engines share at their seams: the Client they
// send through, the Clock they read, the Deps both are given, and the Routes that say which
// targets a visit goes to. Both engines take the same shape, so a test injects time, a target or
// a fault the same way into either, and neither has hooks of its own for tests.
package engines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Client is what the engines need of one Matomo target; *matomo.Client implements it. Tests wrap
// a real client (talking to matomotest on loopback) to see or change what passes.
type Client interface {
	// Track sends one hit (live mode).
	Track(ctx context.Context, r *matomo.Request) (matomo.Result, error)
	// TrackBulk sends hits as one bulk request (backfill, and live with TRACKING_TRANSPORT=bulk).
	TrackBulk(ctx context.Context, rs []matomo.Request) (matomo.BulkResult, error)
	// LastVisits returns what the Live API shows of the visitors on date: a backfill settles a
	// bulk without a usable reply with it.
	LastVisits(ctx context.Context, siteID int, date string, visitorIDs []string) ([]matomo.Visit, error)
	// Site returns the site's settings (a backfill checks its time zone).
	Site(ctx context.Context, id int) (matomo.Site, error)
	// InvalidateArchivedReports asks Matomo to rebuild the reports of the dates (after a backfill).
	InvalidateArchivedReports(ctx context.Context, siteIDs []int, dates []string) ([]string, error)
}

var _ Client = (*matomo.Client)(nil)

// Deps are what both engines are given besides the configuration and the content of the visits.
type Deps struct {
	// Clients send to the enabled targets: one per cfg.EnabledTargets(), in that order.
	Clients []Client
	// Clock is the engine's time; nil means SystemClock.
	Clock Clock
	// Out receives the report records (start, stats or progress, summary, errors); nil discards them.
	Out *report.Writer
	// Log receives operational messages; nil discards them.
	Log *slog.Logger
	// Meter receives the counters and latencies, one target per enabled target in the same order
	// (what /metrics serves); nil means the engine's own.
	Meter *meter.Set
}

// ErrDeps means an engine was given dependencies that do not fit its configuration.
var ErrDeps = errors.New("bad engine dependencies")

// Resolve checks d against the enabled targets and returns it with every nil default filled in:
// the system clock, a discarding Out and Log, and a Meter of the enabled targets.
func (d Deps) Resolve(enabled []config.Target) (Deps, error) {
	switch {
	case len(enabled) == 0:
		return d, fmt.Errorf("%w: no enabled target", ErrDeps)
	case len(d.Clients) != len(enabled):
		return d, fmt.Errorf("%w: %d clients for %d enabled targets", ErrDeps, len(d.Clients), len(enabled))
	case slices.Contains(d.Clients, nil):
		return d, fmt.Errorf("%w: a nil client", ErrDeps)
	}
	names := make([]string, len(enabled))
	for i, t := range enabled {
		names[i] = t.Name
	}
	set, err := meter.For(d.Meter, names)
	if err != nil {
		return d, fmt.Errorf("%w: %w", ErrDeps, err)
	}
	d.Meter = set
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.Out == nil {
		d.Out = report.NewWriter(io.Discard)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return d, nil
}
