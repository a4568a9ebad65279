package backfill

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/shutdown"
)

// A hard stop (a second signal) ends SHUTDOWN_GRACE at once: with an hour of grace and a bulk
// that is never answered, the run ends as soon as it comes, with its summary, and a
// re-run completes the backfill exactly (the abandoned bulk is settled, not sent blindly). The
// hard stop used to change nothing: the run waited out the grace.
func TestHardStopEndsGrace(t *testing.T) {
	srv := newSink(t, nil)
	var hold atomic.Bool // while set, tracking requests are never answered
	hold.Store(true)
	held := make(chan struct{}, 1)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hold.Load() || !strings.HasSuffix(r.URL.Path, "matomo.php") {
			srv.Handler().ServeHTTP(w, r)
			return
		}
		select {
		case held <- struct{}{}:
		default:
		}
		_, _ = io.Copy(io.Discard, r.Body) // read whole, so the server notices the client going away
		<-r.Context().Done()
	}))
	defer front.Close()
	cfg := testConfig(t, front.URL)
	cfg.ShutdownGrace = time.Hour
	ctx, stop, hardStop := shutdown.WithHardStop(t.Context())
	defer stop()
	type result struct {
		reason string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		sum, _, err := runWith(t, ctx, cfg, withClients(clientsTimeout(t, cfg, time.Hour)))
		done <- result{sum.Reason, err}
	}()
	<-held // a bulk is in flight, and will not be answered
	stop()
	hardStop()
	select {
	case r := <-done:
		if r.reason != ReasonSignal {
			t.Fatalf("reason %q (%v), want %q", r.reason, r.err, ReasonSignal)
		}
	case <-time.After(time.Minute): // the grace is an hour: only the hard stop ends it sooner
		t.Fatal("the run still waits out SHUTDOWN_GRACE after a hard stop")
	}
	hold.Store(false)
	if _, _, err := runWith(t, t.Context(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, srv, cfg)
}
