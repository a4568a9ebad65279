package live

import (
	"context"
	"errors"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/pace"
)

const perSecond = pace.SecondsPerDay // visits per day for one a second

// shiftedClock is the bubble's fake clock moved to a chosen wall time, and able to jump ahead
// the way a paused process sees time when it resumes. Its timers are the bubble's own.
type shiftedClock struct{ offset atomic.Int64 }

func startingAt(wall time.Time) *shiftedClock {
	c := &shiftedClock{}
	c.offset.Store(int64(time.Until(wall)))
	return c
}

func (c *shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *shiftedClock) NewTimer(d time.Duration) engines.Timer {
	return engines.SystemClock{}.NewTimer(d)
}
func (c *shiftedClock) jump(d time.Duration) { c.offset.Add(int64(d)) }

// recorder keeps what visits saw, safely across workers.
type recorder struct {
	mu       sync.Mutex
	clock    engines.Clock
	starts   []time.Time
	seqs     []uint64
	inFlight int
	peak     int
}

func (r *recorder) now() time.Time {
	if r.clock != nil {
		return r.clock.Now()
	}
	return time.Now()
}

// visit records the start and then lasts d (or until ctx is cancelled).
func (r *recorder) visit(d time.Duration) Visit {
	return func(ctx context.Context, seq uint64) {
		r.mu.Lock()
		r.starts = append(r.starts, r.now())
		r.seqs = append(r.seqs, seq)
		r.inFlight++
		r.peak = max(r.peak, r.inFlight)
		r.mu.Unlock()
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}
}

func within(got, want, tolerance uint64) bool {
	return got+tolerance >= want && got <= want+tolerance
}

// TestRateAccuracy runs ten minutes of fake time at 86,400 visits a day: 600 visits, 60 in every
// minute, numbered 0…599 in order, and the run ends exactly when its Duration does.
func TestRateAccuracy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		start := time.Now()
		res, err := Run(t.Context(), Config{
			Pacer: pace.Constant{PerDay: perSecond}, Concurrency: 10, Duration: 10 * time.Minute,
		}, rec.visit(0))
		if err != nil {
			t.Fatal(err)
		}
		if res.Reason != ReasonDuration || res.Elapsed != 10*time.Minute {
			t.Errorf("stopped for %q after %v, want %q after 10m", res.Reason, res.Elapsed, ReasonDuration)
		}
		if !within(res.Started, 600, 1) || res.Dropped != 0 || res.Capped != 0 {
			t.Errorf("started %d dropped %d capped %d, want 600±1, 0, 0", res.Started, res.Dropped, res.Capped)
		}
		var perMinute [10]uint64
		for _, at := range rec.starts {
			perMinute[min(int(at.Sub(start)/time.Minute), 9)]++
		}
		for m, n := range perMinute {
			if !within(n, 60, 1) {
				t.Errorf("minute %d: %d visits, want 60±1", m, n)
			}
		}
		for i, seq := range rec.seqs {
			if seq != uint64(i) {
				t.Fatalf("visit %d has seq %d", i, seq)
			}
		}
	})
}

// TestDropsWhenBusy runs 1/s with two slots and visits that last 10.5 s. The expected starts come
// from an independent model of two slots; every other due visit must be dropped (reported to
// OnDrop, never started later), and no more than two may ever run at once.
func TestDropsWhenBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const slots, length, due = 2, 10500 * time.Millisecond, 60
		var wantStarted []uint64
		var busyUntil []time.Duration
		for n := uint64(0); n < due; n++ {
			at := time.Duration(n+1) * time.Second
			free := busyUntil[:0]
			for _, end := range busyUntil {
				if end > at {
					free = append(free, end)
				}
			}
			busyUntil = free
			if len(busyUntil) < slots {
				busyUntil = append(busyUntil, at+length)
				wantStarted = append(wantStarted, n)
			}
		}
		rec := &recorder{}
		var dropped []uint64
		var sched *Scheduler
		sched, err := New(Config{
			Pacer: pace.Constant{PerDay: perSecond}, Concurrency: slots, Duration: due * time.Second,
			OnDrop: func(seq uint64) {
				if st := sched.Stats(); st.InFlight < slots {
					t.Errorf("visit %d dropped with only %d in flight", seq, st.InFlight)
				}
				dropped = append(dropped, seq)
			},
		}, rec.visit(length))
		if err != nil {
			t.Fatal(err)
		}
		res, _ := sched.Run(t.Context())
		if len(rec.seqs) != len(wantStarted) {
			t.Fatalf("started %v, want %v", rec.seqs, wantStarted)
		}
		for i := range wantStarted {
			if rec.seqs[i] != wantStarted[i] {
				t.Fatalf("started %v, want %v", rec.seqs, wantStarted)
			}
		}
		if rec.peak > slots {
			t.Errorf("%d visits ran at once, Concurrency is %d", rec.peak, slots)
		}
		if res.Started+res.Dropped != due || res.Dropped != uint64(len(dropped)) || res.Late != 0 {
			t.Errorf("started %d + dropped %d (OnDrop saw %d, late %d), want %d due in all",
				res.Started, res.Dropped, len(dropped), res.Late, due)
		}
	})
}

// TestNoBurstAfterStall makes the clock jump, as a paused process sees it on waking. Visits that
// came due more than the tolerance ago are dropped as late, not replayed in a burst; short stalls,
// and at low rates stalls shorter than one interval, only delay a visit.
func TestNoBurstAfterStall(t *testing.T) {
	tests := []struct {
		name        string
		perDay      float64
		stallAt     time.Duration // fake time at which the process "pauses"
		stall       time.Duration
		run         time.Duration
		wantDropped uint64
	}{
		// 1/s, paused 40 s: the visits due during the pause (and the one due as it ends, 1 s late) are dropped
		{"1/s paused 40s", perSecond, 30500 * time.Millisecond, 40 * time.Second, 2 * time.Minute, 40},
		// 1/s, paused half a second: every visit still starts, a little late
		{"1/s jitter", perSecond, 30500 * time.Millisecond, 500 * time.Millisecond, 2 * time.Minute, 0},
		// one visit every 10 min, paused 5 s across its due time: it starts 5 s late rather than being lost
		{"1 per 10 min", 144, 9*time.Minute + 58*time.Second, 5 * time.Second, 11 * time.Minute, 0},
		// one every 10 min, paused 25 min from 9:58: the visits due at 10:00 and 20:00 are more than an
		// interval late and dropped; the one due at 30:00 is only 5 min late and starts on waking
		{"1 per 10 min paused 25 min", 144, 9*time.Minute + 58*time.Second, 25 * time.Minute, 45 * time.Minute, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clk := startingAt(time.Now())
				go func() {
					time.Sleep(tt.stallAt)
					clk.jump(tt.stall)
				}()
				rec := &recorder{clock: clk}
				res, _ := Run(t.Context(), Config{
					Pacer: pace.Constant{PerDay: tt.perDay}, Concurrency: 100, Clock: clk, Duration: tt.run,
				}, rec.visit(0))
				if res.Dropped != tt.wantDropped || res.Late != res.Dropped {
					t.Errorf("dropped %d (late %d), want %d, all late", res.Dropped, res.Late, tt.wantDropped)
				}
				wantDue := uint64(tt.run.Seconds() * tt.perDay / pace.SecondsPerDay)
				if !within(res.Started+res.Dropped, wantDue, 1) {
					t.Errorf("started %d + dropped %d, want %d due", res.Started, res.Dropped, wantDue)
				}
				perSec := map[int64]int{}
				for _, at := range rec.starts {
					perSec[at.Unix()]++
				}
				for sec, n := range perSec {
					if n > 2 {
						t.Errorf("%d visits started within second %d: a burst", n, sec)
					}
				}
			})
		})
	}
}

// TestMaxTotal stops after exactly MaxTotal started visits; dropped ones do not count.
func TestMaxTotal(t *testing.T) {
	tests := []struct {
		name        string
		concurrency int
		length      time.Duration
		maxTotal    uint64
		wantElapsed time.Duration
	}{
		// 10/s, plenty of slots: the 25th visit starts at 2.5 s and the run stops right there
		{"free slots", 5, 0, 25, 2500 * time.Millisecond},
		// 10/s, one slot, visits of 150 ms: every other visit is dropped, so 10 starts take 1.9 s
		{"with drops", 1, 150 * time.Millisecond, 10, 1900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := &recorder{}
				res, _ := Run(t.Context(), Config{
					Pacer: pace.Constant{PerDay: 10 * perSecond}, Concurrency: tt.concurrency, MaxTotal: tt.maxTotal,
				}, rec.visit(tt.length))
				if res.Reason != ReasonMaxTotal || res.Started != tt.maxTotal || uint64(len(rec.seqs)) != tt.maxTotal {
					t.Errorf("stopped for %q with %d started (%d ran), want %q with %d",
						res.Reason, res.Started, len(rec.seqs), ReasonMaxTotal, tt.maxTotal)
				}
				if res.Elapsed != tt.wantElapsed {
					t.Errorf("stopped after %v, want %v", res.Elapsed, tt.wantElapsed)
				}
			})
		})
	}
}

// TestDurationStopsOnTime ends a 1-visit-a-day run after its one-hour Duration, without waiting
// for a visit due much later.
func TestDurationStopsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		res, _ := Run(t.Context(), Config{Pacer: pace.Constant{PerDay: 1}, Concurrency: 1, Duration: time.Hour},
			func(context.Context, uint64) {})
		if res.Reason != ReasonDuration || time.Since(start) != time.Hour || res.Started != 0 {
			t.Errorf("stopped for %q after %v with %d started, want %q after 1h with 0",
				res.Reason, time.Since(start), res.Started, ReasonDuration)
		}
	})
}

// stopAfter is a pacer whose schedule ends after a few visits, one a second.
type stopAfter uint64

func (s stopAfter) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	if started >= uint64(s) {
		return 0, true
	}
	return pace.Constant{PerDay: perSecond}.Pace(elapsed, started)
}
func (stopAfter) Rate(time.Duration) float64 { return 1 }

func TestStopReasons(t *testing.T) {
	tests := []struct {
		name        string
		pacer       pace.Pacer
		cancelAt    time.Duration // 0: never; negative: before Run
		wantReason  string
		wantStarted uint64
	}{
		// the pacer's schedule runs out after three visits
		{"schedule end", stopAfter(3), 0, ReasonScheduleEnd, 3},
		// the context is cancelled at 4.5 s: four visits started
		{"cancelled", pace.Constant{PerDay: perSecond}, 4500 * time.Millisecond, ReasonCancelled, 4},
		// the context is cancelled before Run: nothing starts
		{"cancelled before", pace.Constant{PerDay: perSecond}, -1, ReasonCancelled, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				switch {
				case tt.cancelAt < 0:
					cancel()
				case tt.cancelAt > 0:
					time.AfterFunc(tt.cancelAt, cancel)
				}
				res, err := Run(ctx, Config{Pacer: tt.pacer, Concurrency: 1}, func(context.Context, uint64) {})
				if err != nil || res.Reason != tt.wantReason || res.Started != tt.wantStarted {
					t.Errorf("Run = %q with %d started, %v; want %q with %d", res.Reason, res.Started, err,
						tt.wantReason, tt.wantStarted)
				}
			})
		})
	}
}

// TestShardedSeqs checks a sharded pacer's visits carry their global numbers.
func TestShardedSeqs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		shard := pace.Shard{Base: pace.Constant{PerDay: perSecond}, Index: 1, Count: 3}
		if _, err := Run(t.Context(), Config{Pacer: shard, Concurrency: 1, MaxTotal: 4}, rec.visit(0)); err != nil {
			t.Fatal(err)
		}
		want := []uint64{1, 4, 7, 10}
		for i, seq := range rec.seqs {
			if seq != want[i] {
				t.Fatalf("seqs %v, want %v", rec.seqs, want)
			}
		}
	})
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, uint64) {}
	tests := []struct {
		name     string
		cfg      Config
		visit    Visit
		problems int
	}{
		// nothing set: no pacer, no concurrency
		{"empty", Config{}, noop, 2},
		// no visit func either
		{"no visit", Config{Pacer: pace.Constant{PerDay: 1}, Concurrency: 1}, nil, 1},
		// negative duration and tolerance are both reported
		{"negative", Config{Pacer: pace.Constant{PerDay: 1}, Concurrency: 1, Duration: -1, LateTolerance: -1}, noop, 2},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg, tt.visit)
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", tt.name, err)
			continue
		}
		if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != tt.problems {
			t.Errorf("%s: %d problems reported, want %d: %v", tt.name, n, tt.problems, err)
		}
	}
	s, err := New(Config{Pacer: stopAfter(0), Concurrency: 1}, noop)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(t.Context()); !errors.Is(err, ErrRunTwice) {
		t.Errorf("second Run = %v, want ErrRunTwice", err)
	}
}

// BenchmarkSchedulerStarts measures scheduling overhead with a no-op visit. "50k/s" runs at the
// required sustained rate in real time (ns/op is then the interval; what matters is drop% and
// late%, which should be about zero). "max" asks for far more than the loop can start, with a
// late tolerance of an hour so nothing is dropped for lateness: starts/s is the loop's ceiling,
// and drop% the visits that found every slot taken because workers had not yet run.
func BenchmarkSchedulerStarts(b *testing.B) {
	for _, bm := range []struct {
		name      string
		perDay    float64
		tolerance time.Duration
	}{
		{"50k/s", 50_000 * perSecond, 0},
		{"max", 1e15, time.Hour},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			res, err := Run(b.Context(), Config{
				Pacer: pace.Constant{PerDay: bm.perDay}, Concurrency: 1000, MaxTotal: uint64(b.N),
				LateTolerance: bm.tolerance,
			}, func(context.Context, uint64) {})
			if err != nil {
				b.Fatal(err)
			}
			all := math.Max(1, float64(res.Started+res.Dropped))
			b.ReportMetric(float64(res.Started)/b.Elapsed().Seconds(), "starts/s")
			b.ReportMetric(float64(res.Dropped)/all*100, "drop%")
			b.ReportMetric(float64(res.Late)/all*100, "late%")
		})
	}
}
