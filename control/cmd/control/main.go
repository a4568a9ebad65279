// Command control is Trafficinator's control service: an HTTP API (and, when built in, a web UI)
// that validates and stores configurations and starts, watches and stops loader containers through
// the Docker Engine API.
//
// Settings come from the environment: CONTROL_ADDR (default :8080), CONTROL_DATA_DIR (default
// ./data), CONTROL_API_KEY (generated on first start and kept in the data directory when unset),
// CONTROL_CORS_ORIGINS, CONTROL_RATE_LIMIT, CONTROL_MAX_RUNS, CONTROL_SCOPE, CONTROL_LOG_LEVEL,
// CONTROL_RUNTIME, CONTROL_SWARM_STATE_DRIVER, CONTROL_SWARM_STATE_OPTS, LOADER_IMAGE,
// LOADER_NETWORK, and the Docker SDK's DOCKER_HOST. See docs/api.md and docs/scaling.md.
//
//	control              serve
//	control healthcheck  ask the running control's /health (the image's HEALTHCHECK); exit 0 when healthy
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/api"
	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/control/internal/web"
	"github.com/trafficinator/trafficinator/pkg/version"
)

// Timing of start-up and shutdown.
const (
	dockerRetry     = 10 * time.Second // between attempts to reach a Docker Engine that was down
	shutdownTimeout = 20 * time.Second // for in-flight requests to finish
)

var _ api.RunService = (*runs.Service)(nil)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" { // the image's HEALTHCHECK (healthcheck.go)
		os.Exit(runHealthcheck(context.Background(), os.LookupEnv, os.Stdout))
	}
	os.Exit(run())
}

// run is main with an exit code: 0 after a clean shutdown, 1 when serving failed, 2 for bad settings.
func run() int {
	set, err := loadSettings(os.LookupEnv)
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: set.LogLevel}))
	if err != nil {
		fmt.Fprintf(os.Stderr, "control: invalid settings:\n%v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, set, log, os.Stdout); err != nil {
		log.Error("control stopped", "err", err)
		return 1
	}
	return 0
}

// serve runs the control until ctx ends, then shuts down gracefully. A generated API key is
// printed to out, once.
func serve(ctx context.Context, set settings, log *slog.Logger, out io.Writer) error {
	if err := privateDir(set.DataDir, log); err != nil {
		return err
	}
	st, err := store.Open(ctx, filepath.Join(set.DataDir, "control.db"), store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	key, keyPath, generated, err := loadAPIKey(set.APIKey, set.DataDir)
	if err != nil {
		return err
	}
	if generated {
		fmt.Fprintf(out, "API key: %s  (stored in %s)\n", key, keyPath)
	}
	noteKeyChange(ctx, st, key, log)

	srv, err := api.New(api.Deps{Store: st, APIKey: key, Log: log,
		CORSOrigins: set.CORSOrigins, RateLimit: set.RateLimit, UI: web.FS()})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	conn := connectRuns(ctx, srv.SetRuns, dialRuns(set, st, log), dockerRetry, log)
	defer func() {
		cancel() // ends the background connection attempts before the service is closed
		if err := conn.Close(); err != nil {
			log.Warn("closing the run service", "err", err)
		}
	}()
	return listen(ctx, set.Addr, srv, log)
}

// privateDir creates the data directory for its owner only: it holds the database, the token key,
// the API key and the runs' checkpoints. One left open to others (by an earlier version, an image,
// or a volume) is restricted; when that is not allowed (a directory of another owner), a warning
// says so, and the files in it are still created for their owner only.
func privateDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&0o700); err != nil {
			log.Warn("the data directory is open to other users and cannot be restricted", "dir", dir, "mode", fmt.Sprintf("%#o", perm), "err", err)
		}
	}
	return nil
}

// dialRuns connects to the Docker Engine named by the SDK's environment and starts the run
// service on it (which reconciles the store with the engine's containers).
func dialRuns(set settings, st *store.Store, log *slog.Logger) dialFunc {
	return func(ctx context.Context) (api.RunService, func() error, error) {
		rt, err := docker.New(ctx, docker.Options{Scope: set.Scope, Runtime: set.Runtime, StateVolumes: set.StateVolumes})
		if err != nil {
			return nil, nil, err
		}
		log.Info("docker engine reached", "loaders", rt.Mode())
		svc, err := runs.New(ctx, st, rt, runs.Options{LoaderImage: set.LoaderImage, Network: set.Network,
			MaxActive: set.MaxRuns, Scope: rt.Scope(), Log: log, DataDir: set.DataDir})
		if err != nil {
			return nil, nil, errors.Join(err, rt.Close())
		}
		return svc, func() error { return errors.Join(svc.Close(), rt.Close()) }, nil
	}
}

// listen serves the API until ctx ends, then lets in-flight requests finish. Streams are ended
// first (they never end by themselves while a run is active).
func listen(ctx context.Context, addr string, srv *api.Server, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // URL uploads of up to 10 MB on slow links
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// No WriteTimeout: event streams are long; other requests are bounded by the API's timeout.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(srv.CloseStreams)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("control listening", "addr", ln.Addr().String(), "version", version.Version)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
