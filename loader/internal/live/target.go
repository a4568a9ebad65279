package live

import (
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// target is one Matomo target; its counters and latency are in m, shared with /metrics.
type target struct {
	cfg        config.Target
	send       engines.Client
	sendsToken bool // false without a token, and over GET: then no hit may carry cip
	bulk       bool
	m          *meter.Target
}
