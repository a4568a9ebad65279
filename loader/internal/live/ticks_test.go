package live

import (
	"context"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/pace"
)

// TestTicksWaits starts 2,000 waits of random lengths at random moments on a 10 ms grid, in a
// synctest bubble (fake time). Every wait must end — none lost —, never before its time, exactly
// at the first grid instant at or after it, and the waits must end in the order of those instants.
func TestTicksWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const tick = 10 * time.Millisecond
		origin := time.Now().Add(-3 * time.Millisecond) // the grid need not start on a round instant
		g := newTicks(engines.SystemClock{}, origin, tick)
		g.start()
		type ended struct {
			due, at time.Time
		}
		var (
			mu    sync.Mutex
			order []ended
			wg    sync.WaitGroup
		)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range 2000 {
			begin := time.Duration(rng.Int64N(int64(2 * time.Second)))
			d := time.Duration(rng.Int64N(int64(3*time.Second))) + 1
			if i%50 == 0 {
				d = tick // exactly one tick, from a moment on or off the grid
			}
			wg.Go(func() {
				time.Sleep(begin)
				due := time.Now().Add(d)
				if !g.wait(context.Background(), d) {
					t.Errorf("wait %d reported cancelled", i)
				}
				mu.Lock()
				order = append(order, ended{due: due, at: time.Now()})
				mu.Unlock()
			})
		}
		wg.Wait()
		g.close()
		if len(order) != 2000 {
			t.Fatalf("%d waits ended, want 2000", len(order))
		}
		for i, e := range order {
			if e.at.Before(e.due) {
				t.Fatalf("wait ended %v early", e.due.Sub(e.at))
			}
			want := g.at(g.ceilIndex(e.due))
			if !e.at.Equal(want) {
				t.Fatalf("wait due at +%v ended at +%v, want the grid instant +%v",
					e.due.Sub(origin), e.at.Sub(origin), want.Sub(origin))
			}
			if i > 0 && e.at.Before(order[i-1].at) {
				t.Fatalf("waits ended out of order: +%v after +%v", e.at.Sub(origin), order[i-1].at.Sub(origin))
			}
		}
	})
}

// TestTicksCoalesce checks that waits ending within one tick end together, on one instant, and that
// a wait added for an earlier instant than the one the loop sleeps for is not held back by it.
func TestTicksCoalesce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const tick = 50 * time.Millisecond
		origin := time.Now()
		g := newTicks(engines.SystemClock{}, origin, tick)
		g.start()
		defer g.close()
		var mu sync.Mutex
		ends := map[time.Duration]int{}
		var wg sync.WaitGroup
		// first a long wait (the loop sleeps for it), then short ones that must end first
		for _, d := range []time.Duration{time.Second, 1, 20 * time.Millisecond, 49 * time.Millisecond, 50 * time.Millisecond, 51 * time.Millisecond} {
			wg.Go(func() {
				g.wait(context.Background(), d)
				mu.Lock()
				ends[time.Since(origin)]++
				mu.Unlock()
			})
			synctest.Wait() // the wait is registered before the next one starts
		}
		wg.Wait()
		want := map[time.Duration]int{50 * time.Millisecond: 4, 100 * time.Millisecond: 1, time.Second: 1}
		if len(ends) != len(want) {
			t.Fatalf("waits ended at %v, want %v", ends, want)
		}
		for at, n := range want {
			if ends[at] != n {
				t.Fatalf("waits ended at %v, want %v", ends, want)
			}
		}
	})
}

// TestTicksCancel ends a wait when its context is cancelled (reporting false), lets the others go
// on, and closing the grid ends the waits still pending; after that, waits use a timer of their own.
func TestTicksCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		origin := time.Now()
		g := newTicks(engines.SystemClock{}, origin, time.Second)
		g.start()
		ctx, cancel := context.WithCancel(context.Background())
		results := make(chan bool, 3)
		go func() { results <- g.wait(ctx, 5*time.Second) }()
		go func() { results <- g.wait(context.Background(), 2*time.Second) }()
		synctest.Wait()
		cancel()
		if ok := <-results; ok {
			t.Fatal("a cancelled wait reported that its time passed")
		}
		if ok := <-results; !ok || time.Since(origin) != 2*time.Second {
			t.Fatalf("the other wait ended at +%v reporting %v, want +2s and true", time.Since(origin), ok)
		}
		go func() { results <- g.wait(context.Background(), time.Hour) }()
		synctest.Wait()
		g.close()
		if ok := <-results; !ok || time.Since(origin) != 2*time.Second {
			t.Fatalf("closing ended a pending wait at +%v reporting %v, want at once and true", time.Since(origin), ok)
		}
		if !g.wait(context.Background(), 1500*time.Millisecond) || time.Since(origin) != 3500*time.Millisecond {
			t.Fatalf("a wait after close ended at +%v, want +3.5s (its own timer, off the grid)", time.Since(origin))
		}
	})
}

// TestTickedStarts runs 1,000 visits/s on a 10 ms grid: every visit starts on a grid instant, never
// before it is due, at most one tick late, ten to an instant — and the count is exact.
func TestTickedStarts(t *testing.T) {
	for _, p := range []struct {
		name  string
		pacer pace.Pacer
	}{
		{"fixed", pace.Constant{PerDay: 1000 * perSecond}},
		{"poisson", pace.NewPoisson(pace.Constant{PerDay: 1000 * perSecond}, 7)},
	} {
		t.Run(p.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const tick = 10 * time.Millisecond
				start := time.Now()
				rec := &recorder{}
				res, err := Run(t.Context(), Config{
					Pacer: p.pacer, Concurrency: 100, Duration: 10 * time.Second, Tick: tick, Start: start,
				}, rec.visit(0))
				if err != nil {
					t.Fatal(err)
				}
				if res.Dropped != 0 || !within(res.Started, 10000, 50) {
					t.Fatalf("started %d dropped %d, want 10,000 and 0", res.Started, res.Dropped)
				}
				if p.name == "fixed" && res.Started != 10000 {
					t.Fatalf("started %d, want exactly 10,000", res.Started)
				}
				perInstant := map[time.Duration]int{}
				for i, at := range rec.starts {
					off := at.Sub(start)
					if off%tick != 0 {
						t.Fatalf("visit %d started at +%v, off the grid", i, off)
					}
					wait, _ := p.pacer.Pace(off, uint64(i))
					if wait != 0 {
						t.Fatalf("visit %d started at +%v, %v before it was due", i, off, wait)
					}
					if i > 0 {
						if w, _ := p.pacer.Pace(off-tick, uint64(i)); w == 0 && off > 0 {
							t.Fatalf("visit %d started at +%v, more than a tick after it was due", i, off)
						}
					}
					perInstant[off]++
				}
				if p.name == "fixed" {
					for off, n := range perInstant {
						if n > 11 {
							t.Fatalf("%d visits started at +%v, want about 10 per tick", n, off)
						}
					}
				}
				sort.Slice(rec.seqs, func(i, j int) bool { return rec.seqs[i] < rec.seqs[j] })
				for i, seq := range rec.seqs {
					if seq != uint64(i) {
						t.Fatalf("visit %d has seq %d", i, seq)
					}
				}
			})
		})
	}
}

// BenchmarkTicksWait runs many short waits at once (what thousands of visits between their hits
// are) on the grid, and on timers of their own: ns/op is wall time per wait over all of them, so
// it mostly shows the batching; the allocations are per wait.
func BenchmarkTicksWait(b *testing.B) {
	ctx := context.Background()
	b.Run("grid", func(b *testing.B) {
		g := newTicks(engines.SystemClock{}, time.Now(), time.Millisecond)
		g.start()
		defer g.close()
		b.ReportAllocs()
		b.SetParallelism(500)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				g.wait(ctx, time.Microsecond)
			}
		})
	})
	b.Run("timer", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(500)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = engines.Wait(ctx, engines.SystemClock{}, time.Microsecond)
			}
		})
	})
}
