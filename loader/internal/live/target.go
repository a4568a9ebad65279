package live

import (
	"context"

	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// Sender is the part of a Matomo client a live visit needs; *matomo.Client implements it.
type Sender interface {
	Track(ctx context.Context, r *matomo.Request) (matomo.Result, error)
	TrackBulk(ctx context.Context, rs []matomo.Request) (matomo.BulkResult, error)
}

var _ Sender = (*matomo.Client)(nil)

// target is one Matomo target; its counters and latency are in m, shared with /metrics.
type target struct {
	cfg        config.Target
	send       Sender
	sendsToken bool // false without a token, and over GET: then no hit may carry cip
	bulk       bool
	m          *meter.Target
}
