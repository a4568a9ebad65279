package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/compare"
)

// RunService is what the API needs from the run orchestrator (control/internal/runs.Service
// satisfies it). Errors wrap the runs sentinels (ErrNotFound, ErrConflict, ErrLimit, ErrUnavailable,
// ErrInvalid), which the error handler maps to status codes.
type RunService interface {
	Start(ctx context.Context, req runs.StartRequest) (runs.View, error)
	List(ctx context.Context, f runs.ListFilter) ([]runs.View, error)
	Get(ctx context.Context, id string) (runs.View, error)
	Stop(ctx context.Context, id string) (runs.View, error)
	Restart(ctx context.Context, id string) (runs.View, error)
	Delete(ctx context.Context, id string) error
	Logs(ctx context.Context, id string, tail int, follow bool) (<-chan runs.LogLine, error)
	Events(ctx context.Context, id string) (<-chan runs.Event, error)
	// Report compares a run's targets from its stored report records; a baseline that is no
	// target of the run wraps compare.ErrUnknownBaseline.
	Report(ctx context.Context, id, baseline string) (*compare.Report, error)
	Ping(ctx context.Context) error
	// Runtime says how loaders run: "containers" or "swarm".
	Runtime() string
}

// Defaults of Deps fields left zero.
const (
	// DefaultRateLimit is the number of requests per minute one client may make.
	DefaultRateLimit = 600
	// DefaultRequestTimeout bounds a request that is not a stream or a connection test.
	DefaultRequestTimeout = 30 * time.Second
	// LongRequestTimeout bounds the requests that wait for Docker to start or stop loaders (a stop
	// lets a loader drain for its SHUTDOWN_GRACE); a stop cut short goes on in the background.
	LongRequestTimeout = 3 * time.Minute
	// DefaultHeartbeat is the interval of the comment lines that keep SSE connections open
	// through proxies.
	DefaultHeartbeat = 15 * time.Second
	// MaxBodyBytes bounds a JSON request body.
	MaxBodyBytes = 2 << 20
	// MaxUploadBytes bounds the body of URL-set requests (a URL list can be large).
	MaxUploadBytes = 10 << 20
)

// Deps is what the API is built from.
type Deps struct {
	// Store holds configs, presets, funnels and content sets. Required.
	Store *store.Store
	// Runs starts and watches runs. Nil makes every run endpoint answer 503, as when Docker is down,
	// until Server.SetRuns provides one.
	Runs RunService
	// Tester checks Matomo targets for POST /api/test-connection; nil means MatomoTester{}.
	Tester ConnectionTester
	// APIKey is the key every /api request must present. Required: there is no open mode.
	APIKey string
	// Log receives request errors (with a request id) and security events; nil discards.
	Log *slog.Logger
	// CORSOrigins enables CORS for these origins; empty means no CORS headers at all.
	CORSOrigins []string
	// RateLimit is requests per minute per client (API key and IP); 0 means DefaultRateLimit and a
	// negative value disables rate limiting.
	RateLimit int
	// RequestTimeout bounds non-streaming requests; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Heartbeat is the SSE keep-alive interval; 0 means DefaultHeartbeat.
	Heartbeat time.Duration
	// UI, when set, is served at /ui/ and / redirects to it.
	UI fs.FS
}

// Server is the HTTP API. Create it with New; serve Handler; call CloseStreams when shutting down so
// that open event streams end and http.Server.Shutdown can finish.
type Server struct {
	store     *store.Store
	runs      *runSlot
	tester    ConnectionTester
	log       *slog.Logger
	keyHash   [sha256.Size]byte
	echo      *echo.Echo
	valid     *validator.Validate
	limiter   *clientLimiter
	timeout   time.Duration
	heartbeat time.Duration
	cors      []string
	ui        fs.FS
	routes    []route
	flags     map[string]routeFlags
	doc       openAPIDoc

	streamsDone chan struct{}
	closeOnce   sync.Once
}

// New builds the API from deps. It fails only on a programming mistake (no store, no API key).
func New(deps Deps) (*Server, error) {
	if deps.Store == nil {
		return nil, errors.New("api: Deps.Store is required")
	}
	if deps.APIKey == "" {
		return nil, errors.New("api: Deps.APIKey is required; the API has no unauthenticated mode")
	}
	s := &Server{
		store:     deps.Store,
		runs:      &runSlot{},
		tester:    deps.Tester,
		log:       deps.Log,
		keyHash:   sha256.Sum256([]byte(deps.APIKey)),
		valid:     newValidator(),
		timeout:   deps.RequestTimeout,
		heartbeat: deps.Heartbeat,
		cors:      deps.CORSOrigins,
		ui:        deps.UI,
	}
	if deps.Runs != nil {
		s.SetRuns(deps.Runs)
	}
	if s.tester == nil {
		s.tester = MatomoTester{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	if s.heartbeat <= 0 {
		s.heartbeat = DefaultHeartbeat
	}
	switch {
	case deps.RateLimit == 0:
		s.limiter = newClientLimiter(DefaultRateLimit)
	case deps.RateLimit > 0:
		s.limiter = newClientLimiter(deps.RateLimit)
	}
	s.streamsDone = make(chan struct{})
	s.echo = s.newEcho()
	return s, nil
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router, for listing routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

// CloseStreams ends every open SSE stream (log follows, run events) with an "end" event. Register
// it with http.Server.RegisterOnShutdown: Shutdown waits for handlers, and a stream never ends by
// itself while its run is active.
func (s *Server) CloseStreams() { s.closeOnce.Do(func() { close(s.streamsDone) }) }

// newEcho creates the router with its error handler, middleware and routes.
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	// Client IPs come from the connection, never from X-Forwarded-For, which anyone can set.
	e.IPExtractor = echo.ExtractIPDirect()
	s.routes = s.routeTable()
	s.flags = make(map[string]routeFlags, len(s.routes))
	s.useMiddleware(e)
	for _, r := range s.routes {
		s.flags[r.method+" "+r.path] = r.flags
		var mw []echo.MiddlewareFunc
		if r.flags.upload {
			mw = append(mw, uploadLimit())
		}
		e.Add(r.method, r.path, r.handler, mw...)
	}
	s.addUI(e)
	return e
}
