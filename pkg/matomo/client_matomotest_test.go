package matomo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

const superToken = "feedface0123456789abcdef01234567"

// noWait skips backoff waits so fault tests run at once.
func noWait(ctx context.Context, _ time.Duration) error { return ctx.Err() }

func newPair(t *testing.T, srvOpts matomotest.Options, change func(*matomo.Options)) (*matomotest.Server, *matomo.Client) {
	t.Helper()
	if srvOpts.Token == "" {
		srvOpts.Token = superToken
	}
	srv := matomotest.NewServer(srvOpts)
	t.Cleanup(srv.Close)
	opts := matomo.Options{Wait: noWait, Timeout: 5 * time.Second}
	if change != nil {
		change(&opts)
	}
	c, err := matomo.NewClient(matomo.Target{Name: "fake", URL: srv.URL, SiteID: 1, Token: superToken}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return srv, c
}

// visit builds n page views of one visitor, a minute apart, ending with a ping.
func visit(cid string, start time.Time, n int) []matomo.Request {
	hits := make([]matomo.Request, 0, n+1)
	for i := range n {
		hits = append(hits, matomo.Request{VisitorID: cid, URL: fmt.Sprintf("https://site1.example/p%d", i),
			ActionName: fmt.Sprintf("Page %d", i), Time: start.Add(time.Duration(i) * time.Minute),
			UserAgent: "Mozilla/5.0 (X11; Linux x86_64)", Lang: "sv-SE", Resolution: "1920x1080"})
	}
	return append(hits, matomo.Request{VisitorID: cid, Ping: true, Time: start.Add(time.Duration(n) * time.Minute)})
}

func TestMatomotestTrack(t *testing.T) {
	recent := time.Now().Add(-time.Hour)
	old := time.Now().Add(-72 * time.Hour)
	tests := []struct {
		name    string
		method  matomo.Transport
		req     matomo.Request
		wantErr error
	}{
		// A page view by POST is accepted.
		{"post pageview", matomo.TransportPOST, matomo.Request{VisitorID: "00000000000000a1", URL: "https://site1.example/", Time: recent}, nil},
		// The same by GET.
		{"get pageview", matomo.TransportGET, matomo.Request{VisitorID: "00000000000000a2", URL: "https://site1.example/"}, nil},
		// cip with the token in the POST body is authorised.
		{"post cip", matomo.TransportPOST, matomo.Request{VisitorID: "00000000000000a3", URL: "https://site1.example/", IP: "10.1.2.3"}, nil},
		// An old cdt with the token in the POST body is authorised.
		{"post old cdt", matomo.TransportPOST, matomo.Request{VisitorID: "00000000000000a4", URL: "https://site1.example/", Time: old}, nil},
		// GET carries no token, so an old cdt is rejected.
		{"get old cdt", matomo.TransportGET, matomo.Request{VisitorID: "00000000000000a5", URL: "https://site1.example/", Time: old}, matomo.ErrInvalid},
		// An unknown site is invalid.
		{"unknown site", matomo.TransportPOST, matomo.Request{SiteID: 42, VisitorID: "00000000000000a6", URL: "https://x/"}, matomo.ErrInvalid},
		// A malformed cid is invalid.
		{"bad cid", matomo.TransportPOST, matomo.Request{VisitorID: "abc", URL: "https://x/"}, matomo.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newPair(t, matomotest.Options{}, func(o *matomo.Options) { o.Method = tt.method })
			res, err := c.Track(t.Context(), &tt.req)
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Track: %+v, %v; want %v", res, err, tt.wantErr)
			}
			if res.Attempts != 1 {
				t.Errorf("%d attempts", res.Attempts)
			}
			sum := srv.Summary()
			wantTracked := 1
			if tt.wantErr != nil {
				wantTracked = 0
			}
			if sum.Requests != 1 || sum.Tracked != wantTracked || sum.Invalid != 1-wantTracked {
				t.Errorf("server: %d requests, %d tracked, %d invalid", sum.Requests, sum.Tracked, sum.Invalid)
			}
		})
	}
}

func TestMatomotestBulkAndLive(t *testing.T) {
	srv, c := newPair(t, matomotest.Options{}, nil)
	day := time.Now().UTC().Add(-72 * time.Hour).Truncate(24 * time.Hour)
	start := day.Add(10 * time.Hour)
	hits := append(visit("00000000000000b1", start, 3), visit("00000000000000b2", start.Add(time.Hour), 2)...)
	hits = append(hits, matomo.Request{SiteID: 42, VisitorID: "00000000000000b3", URL: "https://x/"})

	res, err := c.TrackBulk(t.Context(), hits)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 8 || res.Tracked != 7 || res.Invalid != 1 || res.Dropped != 0 || res.Queued ||
		len(res.InvalidIndices) != 1 || res.InvalidIndices[0] != 7 {
		t.Errorf("bulk result %+v", res)
	}
	if sum := srv.Summary(); sum.Visits != 2 || sum.Actions != 5 {
		t.Errorf("server recorded %d visits with %d actions, want 2 and 5", sum.Visits, sum.Actions)
	}

	visits, err := c.LastVisits(t.Context(), 1, day.Format(time.DateOnly), []string{"00000000000000b1", "00000000000000b2", "00000000000000ff"})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]matomo.Visit{}
	for _, v := range visits {
		byID[v.VisitorID] = v
	}
	if len(visits) != 2 {
		t.Fatalf("LastVisits found %d visits: %+v", len(visits), visits)
	}
	// The visit's last hit, a ping at +3 min, is no action: the last action is at +2 min.
	if v := byID["00000000000000b1"]; v.SiteID != 1 || v.Actions != 3 || !v.First.Equal(start) || !v.Last.Equal(start.Add(2*time.Minute)) ||
		len(v.ActionTimes) != 3 {
		t.Errorf("visit b1 = %+v, want 3 actions from %v to %v", v, start, start.Add(2*time.Minute))
	}
}

// TestMatomotestLostReplyThenLiveCheck is the exactly-once backfill story: the reply to a batch
// is lost, TrackBulk says uncertain instead of re-sending, and the Live API shows it landed.
func TestMatomotestLostReplyThenLiveCheck(t *testing.T) {
	srv, c := newPair(t, matomotest.Options{Faults: matomotest.Faults{DropReplyRate: 1}}, nil)
	day := time.Now().UTC().Add(-48 * time.Hour).Truncate(24 * time.Hour)
	_, err := c.TrackBulk(t.Context(), visit("00000000000000c1", day.Add(9*time.Hour), 2))
	if !errors.Is(err, matomo.ErrUncertain) {
		t.Fatalf("err = %v, want ErrUncertain", err)
	}
	if n := srv.Summary().Requests; n != 1 {
		t.Errorf("batch sent %d times, want once", n)
	}
	srv.SetFaults(matomotest.Faults{})
	visits, err := c.LastVisits(t.Context(), 1, day.Format(time.DateOnly), []string{"00000000000000c1"})
	if err != nil || len(visits) != 1 || visits[0].Actions != 2 {
		t.Errorf("Live check: %+v, %v; want the landed visit with 2 actions", visits, err)
	}
}

// TestMatomotestFaultsRetried: 500s and 429s are retried until the server answers (a bulk 500
// only with RetryUncertain, as live mode sends: the fake's 500 fault processed nothing).
func TestMatomotestFaultsRetried(t *testing.T) {
	srv, c := newPair(t, matomotest.Options{Faults: matomotest.Faults{ErrorRate: 0.5, RateLimitRate: 0.2, Seed: 7}},
		func(o *matomo.Options) { o.Retries = 30; o.RetryUncertain = true })
	for i := range 20 {
		cid := fmt.Sprintf("%016x", 0xd00+i)
		if _, err := c.Track(t.Context(), &matomo.Request{VisitorID: cid, URL: "https://site1.example/"}); err != nil {
			t.Fatalf("hit %d: %v", i, err)
		}
	}
	if res, err := c.TrackBulk(t.Context(), visit("00000000000000d1", time.Now().Add(-time.Hour), 3)); err != nil || res.Tracked != 4 {
		t.Fatalf("bulk: %+v, %v", res, err)
	}
	sum := srv.Summary()
	if sum.Tracked != 24 || sum.Faults == 0 {
		t.Errorf("server tracked %d (want 24 exactly: no double-posting) with %d faults", sum.Tracked, sum.Faults)
	}
}

func TestMatomotestQueuedTracking(t *testing.T) {
	tests := []struct {
		name       string
		bypass     bool
		wantQueued bool
	}{
		// With QueuedTracking the bulk reply carries no counts.
		{"queued", false, true},
		// ?queuedtracking=0 gets the real counts back.
		{"bypass", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newPair(t, matomotest.Options{QueuedTracking: true}, func(o *matomo.Options) { o.QueuedTrackingBypass = tt.bypass })
			probe, err := c.ProbeBulk(t.Context())
			if err != nil || probe.Queued != tt.wantQueued {
				t.Fatalf("probe %+v, %v; want queued=%v", probe, err, tt.wantQueued)
			}
			hits := visit("00000000000000e1", time.Now().Add(-time.Hour), 1)
			hits = append(hits, matomo.Request{SiteID: 42, URL: "https://x/"})
			res, err := c.TrackBulk(t.Context(), hits)
			if err != nil || res.Queued != tt.wantQueued {
				t.Fatalf("bulk %+v, %v", res, err)
			}
			if wantInvalid := map[bool]int{true: 0, false: 1}[tt.wantQueued]; res.Invalid != wantInvalid || res.Tracked+res.Invalid != 3 {
				t.Errorf("bulk %+v", res)
			}
		})
	}
}

func TestMatomotestProbeWritesNothing(t *testing.T) {
	srv, c := newPair(t, matomotest.Options{}, nil)
	res, err := c.ProbeBulk(t.Context())
	if err != nil || res.Queued || res.Tracked != 0 {
		t.Fatalf("probe %+v, %v", res, err)
	}
	if sum := srv.Summary(); sum.Hits != 0 || sum.Visits != 0 {
		t.Errorf("probe recorded %d hits", sum.Hits)
	}
}

func TestMatomotestReportingAPI(t *testing.T) {
	srv, c := newPair(t, matomotest.Options{SiteInfo: map[int]matomotest.Site{1: {Name: "Shop", Timezone: "Europe/Stockholm", Currency: "SEK"}}}, nil)
	if v, err := c.Version(t.Context()); err != nil || v == "" {
		t.Errorf("Version: %q, %v", v, err)
	}
	site, err := c.Site(t.Context(), 1)
	if err != nil || site.ID != 1 || site.Name != "Shop" || site.Timezone != "Europe/Stockholm" || site.Currency != "SEK" || !site.Ecommerce {
		t.Errorf("Site(1) = %+v, %v", site, err)
	}
	if _, err := c.Site(t.Context(), 42); !errors.Is(err, matomo.ErrNotFound) {
		t.Errorf("Site(42): %v, want ErrNotFound", err)
	}
	lines, err := c.InvalidateArchivedReports(t.Context(), []int{1}, []string{"2026-01-01", "2026-01-02"})
	if err != nil || len(lines) == 0 || !strings.HasPrefix(lines[0], "Success") {
		t.Errorf("invalidate: %q, %v", lines, err)
	}
	calls := srv.APICalls()
	if len(calls) == 0 || calls[len(calls)-1].Params.Get("dates") != "2026-01-01,2026-01-02" {
		t.Errorf("API calls %+v", calls)
	}
	for _, call := range calls {
		if call.Params.Has("token_auth") {
			t.Errorf("token recorded in %s", call.Method)
		}
	}

	// A wrong token is refused.
	bad, err := matomo.NewClient(matomo.Target{Name: "bad", URL: srv.URL, SiteID: 1, Token: "0000"}, matomo.Options{Wait: noWait})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.CloseIdleConnections()
	if _, err := bad.Version(t.Context()); !errors.Is(err, matomo.ErrAuth) {
		t.Errorf("Version with a wrong token: %v, want ErrAuth", err)
	}
}

// The goal and dimension reads against matomotest give back what the server was configured with.
func TestMatomotestGoalsAndDimensions(t *testing.T) {
	_, c := newPair(t, matomotest.Options{
		GoalDefs:   map[int][]matomotest.Goal{1: {{ID: 4, Name: "Demo", Revenue: 20}, {ID: 2, Name: "Signup", AllowMultiple: true}}},
		Dimensions: map[int][]matomotest.Dimension{1: {{ID: 3, Scope: matomotest.ScopeAction, Name: "Author", Inactive: true}}},
	}, nil)
	goals, err := c.Goals(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(goals) != 2 || goals[0] != (matomo.SiteGoal{ID: 2, Name: "Signup", AllowMultiple: true, MatchAttribute: "manually"}) ||
		goals[1] != (matomo.SiteGoal{ID: 4, Name: "Demo", Revenue: 20, MatchAttribute: "manually"}) {
		t.Errorf("Goals = %+v", goals)
	}
	dims, err := c.CustomDimensions(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(dims) != 1 || dims[0] != (matomo.SiteDimension{ID: 3, Name: "Author", Scope: matomo.ScopeAction}) {
		t.Errorf("CustomDimensions = %+v", dims)
	}
	if _, err := c.Goals(t.Context(), 9); !errors.Is(err, matomo.ErrNotFound) {
		t.Errorf("unknown site: %v", err)
	}
}
