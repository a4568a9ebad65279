package adapt

import (
	"context"
	"math"
	"testing"
	"time"
)

// server is a processor-sharing model of Matomo: cores requests progress at full speed, more
// share them, so past cores in flight latency grows and throughput does not. A request in flight
// while more than failAbove are answers with an overload (a deadlock 500) when failAbove > 0.
type server struct {
	cores     float64
	perHit    float64 // seconds of work per hit
	failAbove int
}

// request is one bulk in the simulation.
type request struct {
	ticket  Ticket
	start   float64
	work    float64 // seconds of work left
	hits    int
	overrun bool
}

// simulate drives lim against srv with always-ready senders for n completions in virtual time
// (no clock is read) and returns the mean limit and the hits per second over the second half.
func simulate(t *testing.T, lim *Limiter, srv func(now float64) server, n int) (meanLimit, hitsPerSec float64) {
	t.Helper()
	ctx := context.Background()
	var now float64
	var flight []*request
	var limits, halfStart float64
	hits := 0
	for done := 0; done < n; {
		s := srv(now)
		for {
			ctx, cancel := context.WithCancel(ctx)
			cancel() // Acquire must not wait: a free slot is taken, none means stop starting
			tk, err := lim.Acquire(ctx)
			if err != nil {
				break
			}
			flight = append(flight, &request{ticket: tk, start: now, work: 100 * s.perHit, hits: 100})
			if s.failAbove > 0 && len(flight) > s.failAbove {
				flight[len(flight)-1].overrun = true
			}
		}
		rate := math.Min(1, s.cores/float64(len(flight)))
		next := 0
		for i, r := range flight {
			if r.work < flight[next].work {
				next = i
			}
		}
		dt := flight[next].work / rate
		now += dt
		for _, r := range flight {
			r.work -= dt * rate
		}
		r := flight[next]
		flight = append(flight[:next], flight[next+1:]...)
		lim.Release(r.ticket, Sample{Latency: time.Duration((now - r.start) * float64(time.Second)), Hits: r.hits, Overload: r.overrun})
		done++
		if done == n/2 {
			halfStart, hits = now, 0
		}
		if done > n/2 {
			hits += r.hits
			limits += float64(lim.Limit())
		}
	}
	return limits / float64(n-n/2), float64(hits) / (now - halfStart)
}

// The limit settles just past the parallelism the target serves, where throughput is at its
// ceiling and requests do not pile up; it follows a target that slows down or fails.
func TestLimiterFindsCapacity(t *testing.T) {
	tests := []struct {
		name         string
		srv          func(now float64) server
		lo, hi       float64 // expected mean limit
		minShare     float64 // of the ceiling's hits/s reached
		ceilingCores float64
	}{
		// Two cores (a 2-vCPU Matomo): the limit stays a little above 2.
		{"two cores", func(float64) server { return server{cores: 2, perHit: 0.002} }, 3, 7, 0.97, 2},
		// Eight cores: the limit climbs to about eight.
		{"eight cores", func(float64) server { return server{cores: 8, perHit: 0.002} }, 8, 13, 0.95, 8},
		// The target loses half its capacity mid-run: the limit comes down with it.
		{"capacity halves", func(now float64) server {
			if now > 60 {
				return server{cores: 2, perHit: 0.004}
			}
			return server{cores: 4, perHit: 0.002}
		}, 3, 7, 0.95, 2},
		// Requests past four in flight fail (deadlocks): the limit stays at or below four.
		{"fails past four", func(float64) server { return server{cores: 8, perHit: 0.002, failAbove: 4} }, 2, 4.6, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := New(Config{Max: 16})
			mean, rate := simulate(t, lim, tt.srv, 6000)
			t.Logf("mean limit %.2f, %.0f hits/s", mean, rate)
			if mean < tt.lo || mean > tt.hi {
				t.Errorf("mean limit %.2f, want within [%.0f, %.1f]", mean, tt.lo, tt.hi)
			}
			ceiling := tt.ceilingCores / tt.srv(1e9).perHit
			if tt.minShare > 0 && rate < tt.minShare*ceiling {
				t.Errorf("%.0f hits/s, want at least %.0f%% of the ceiling %.0f", rate, 100*tt.minShare, ceiling)
			}
		})
	}
}

// Acquire blocks at the limit and returns when a slot frees or the context ends.
func TestLimiterBlocksAtLimit(t *testing.T) {
	lim := New(Config{Initial: 1, Max: 1})
	tk, err := lim.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	got := make(chan error, 1)
	go func() { _, err := lim.Acquire(ctx); got <- err }()
	cancel()
	if err := <-got; err == nil {
		t.Fatal("Acquire past the limit returned without a slot")
	}
	go func() { _, err := lim.Acquire(t.Context()); got <- err }()
	lim.Release(tk, Sample{Ignore: true})
	if err := <-got; err != nil {
		t.Fatalf("Acquire after a release: %v", err)
	}
}

// Defaults fill zero fields and keep the bounds consistent.
func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		in   Config
		want Config
	}{
		// Zero: the defaults.
		{Config{}, Defaults},
		// A cap below the initial limit pulls it down.
		{Config{Max: 1}, Config{Min: 1, Max: 1, Initial: 1, Alpha: 2, Beta: 4, Backoff: 0.7, ProbeEvery: 40}},
	}
	for _, tt := range tests {
		if got := tt.in.withDefaults(); got != tt.want {
			t.Errorf("%+v.withDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}
