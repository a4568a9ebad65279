package matomotest

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
)

// Server is a Matomo-compatible HTTP server for tests.
type Server struct {
	// URL is the base URL of a started server, "http://127.0.0.1:port", without a trailing slash.
	URL string

	opts     Options
	sites    []*siteConf
	siteByID map[int]*siteConf
	st       atomic.Pointer[state]
	faults   faultBox
	load     *loadMeter
	closed   chan struct{} // closed by Close: ends the waits of requests in flight

	listener  net.Listener
	srv       *http.Server
	closeOnce sync.Once
}

// NewServer starts a Server on a loopback port. Like httptest.NewServer it panics when it cannot
// listen, or when the options are invalid (an unknown timezone, a non-positive site id).
func NewServer(opts Options) *Server {
	s := NewUnstartedServer(opts)
	s.Start()
	return s
}

// NewUnstartedServer returns a Server that is not listening yet: call Start, or mount Handler in
// a server of your own (as matomo-sink does). It panics on invalid options.
func NewUnstartedServer(opts Options) *Server {
	opts = withDefaults(opts)
	sites, err := resolveSites(opts)
	if err != nil {
		panic(err)
	}
	s := &Server{
		opts: opts, sites: sites, siteByID: make(map[int]*siteConf, len(sites)),
		closed: make(chan struct{}),
	}
	for _, sc := range sites {
		s.siteByID[sc.id] = sc
	}
	s.st.Store(newState(len(sites), opts.RecordLimit))
	s.faults.set(opts.Faults)
	s.load = newLoadMeter(opts.Load, opts.Now, opts.Faults.Seed)
	return s
}

// Start listens on 127.0.0.1 and serves in the background.
func (s *Server) Start() {
	if s.listener != nil {
		panic("matomotest: Server already started")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("matomotest: failed to listen on a loopback port: %v", err))
	}
	s.listener = l
	s.URL = "http://" + l.Addr().String()
	s.srv = &http.Server{Handler: s.Handler()}
	go func() { _ = s.srv.Serve(l) }()
}

// Close stops a started server and closes its connections. Requests still waiting out a latency
// or a late delay stop waiting and go on at once, so that nothing keeps a shutdown waiting; a
// Server whose Handler is mounted in another http.Server should be closed when that one shuts
// down (http.Server.RegisterOnShutdown). It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.srv != nil {
			_ = s.srv.Close()
		}
	})
}

// TrackingURL is the tracking endpoint, URL + "/matomo.php".
func (s *Server) TrackingURL() string { return s.URL + "/matomo.php" }

// APIURL is the Reporting API endpoint, URL + "/index.php".
func (s *Server) APIURL() string { return s.URL + "/index.php" }

// Handler serves the tracking endpoints (any path ending in /matomo.php or /piwik.php) and the
// Reporting API (any path ending in /index.php with module=API); every other path is 404.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// Reset forgets every hit, visit, order, recorded request and API call. Options and the current
// faults stay as they are.
func (s *Server) Reset() {
	s.st.Store(newState(len(s.sites), s.opts.RecordLimit))
}

// SetFaults replaces the injected faults; the fault sequence restarts from f.Seed.
func (s *Server) SetFaults(f Faults) { s.faults.set(f) }

// state returns the current state (replaced by Reset).
func (s *Server) state() *state { return s.st.Load() }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/matomo.php") || strings.HasSuffix(p, "/piwik.php"):
		s.serveTracking(w, r)
	case strings.HasSuffix(p, "/index.php") || p == "/":
		s.serveIndex(w, r)
	default:
		http.NotFound(w, r)
	}
}
