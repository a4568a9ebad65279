package live

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/pace"
	"github.com/trafficinator/trafficinator/loader/internal/shutdown"
)

// TestGracefulDrain stops a run while visits of growing length (visit i lasts 3·(i+1) s) are in
// flight: the ones that can finish within Grace finish untouched, the others see their context
// cancelled exactly when Grace runs out, and Run returns only when all have returned. The
// expectation comes from a model of the same schedule.
func TestGracefulDrain(t *testing.T) {
	tests := []struct {
		name       string
		cancelAt   time.Duration // 0: not cancelled
		hardAt     time.Duration // 0: no hard stop (a second signal)
		duration   time.Duration // 0: unlimited
		grace      time.Duration
		wantReason string
	}{
		// cancelled at 5.5 s with 10 s of grace: visits ending by 15.5 s finish, later ones are cut
		{"cancel with grace", 5500 * time.Millisecond, 0, 0, 10 * time.Second, ReasonCancelled},
		// cancelled with no grace: every visit in flight is cut at once
		{"cancel without grace", 5500 * time.Millisecond, 0, 0, -1, ReasonCancelled},
		// the run's Duration ends at 5.5 s: a natural end, so every visit in flight finishes whole
		{"duration end", 0, 0, 5500 * time.Millisecond, 10 * time.Second, ReasonDuration},
		// grace longer than any visit: all finish, none is cut
		{"ample grace", 5500 * time.Millisecond, 0, 0, time.Minute, ReasonCancelled},
		// a hard stop 2 s into a minute of grace: every visit still in flight is cut then
		{"hard stop in grace", 5500 * time.Millisecond, 7500 * time.Millisecond, 0, time.Minute, ReasonCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testDrain(t, tt.cancelAt, tt.hardAt, tt.duration, tt.grace, tt.wantReason) })
		})
	}
}

// drainModel is what testDrain expects: visit i starts at (i+1) s, before the stop, and is cut
// (at deadline) if it would end after the deadline; Run returns at wantReturn.
func drainModel(cancelAt, hardAt, duration, grace time.Duration, length func(uint64) time.Duration) (
	wantCut map[uint64]bool, deadline, wantReturn time.Duration) {
	stopAt := max(cancelAt, duration)
	deadline = stopAt + max(grace, 0)
	if cancelAt == 0 {
		deadline = time.Duration(1 << 62) // a natural end waits for every visit
	}
	if hardAt > 0 {
		deadline = min(deadline, hardAt)
	}
	wantCut, wantReturn = map[uint64]bool{}, stopAt
	for i := uint64(0); time.Duration(i+1)*time.Second <= stopAt; i++ {
		end := time.Duration(i+1)*time.Second + length(i)
		wantCut[i] = end > deadline
		wantReturn = max(wantReturn, min(end, deadline))
	}
	return wantCut, deadline, wantReturn
}

func testDrain(t *testing.T, cancelAt, hardAt, duration, grace time.Duration, wantReason string) {
	const concurrency = 10
	length := func(seq uint64) time.Duration { return 3 * time.Duration(seq+1) * time.Second }
	wantCut, deadline, wantReturn := drainModel(cancelAt, hardAt, duration, grace, length)

	start := time.Now()
	ctx, cancel, hardStop := shutdown.WithHardStop(t.Context())
	defer cancel()
	if cancelAt > 0 {
		time.AfterFunc(cancelAt, cancel)
	}
	if hardAt > 0 {
		time.AfterFunc(hardAt, hardStop)
	}
	var mu sync.Mutex
	cut := map[uint64]time.Duration{} // seq → when its ctx was cancelled
	finished := map[uint64]bool{}
	visit := func(vctx context.Context, seq uint64) {
		timer := time.NewTimer(length(seq))
		defer timer.Stop()
		select {
		case <-timer.C:
			mu.Lock()
			finished[seq] = true
			mu.Unlock()
		case <-vctx.Done():
			mu.Lock()
			cut[seq] = time.Since(start)
			mu.Unlock()
		}
	}
	s, err := New(Config{Pacer: pace.Constant{PerDay: perSecond}, Concurrency: concurrency,
		Duration: duration, Grace: grace}, visit)
	if err != nil {
		t.Fatal(err)
	}
	pollerDone := pollStats(t, s, concurrency)
	res, _ := s.Run(ctx)
	close(pollerDone)

	if res.Reason != wantReason || time.Since(start) != wantReturn {
		t.Errorf("Run returned %q at %v, want %q at %v", res.Reason, time.Since(start), wantReason, wantReturn)
	}
	if res.Started != uint64(len(wantCut)) {
		t.Errorf("started %d visits, want %d", res.Started, len(wantCut))
	}
	var wantAborted uint64
	for seq, shouldCut := range wantCut {
		if shouldCut {
			wantAborted++
			if at, ok := cut[seq]; !ok || at != deadline {
				t.Errorf("visit %d: cancelled=%v at %v, want cancelled at %v", seq, ok, at, deadline)
			}
		} else if !finished[seq] {
			t.Errorf("visit %d was cut, want it to finish within grace", seq)
		}
	}
	if res.Aborted != wantAborted || res.InFlight != 0 {
		t.Errorf("aborted %d, in flight %d after Run; want %d and 0", res.Aborted, res.InFlight, wantAborted)
	}
}

// pollStats reads Stats every 100 ms from another goroutine (the race detector checks the
// reads), asserting the counters only grow and in-flight stays within Concurrency. Close the
// returned channel to stop it.
func pollStats(t *testing.T, s *Scheduler, concurrency int) chan struct{} {
	stop := make(chan struct{})
	go func() {
		var last Stats
		ticker := time.NewTicker(100 * time.Millisecond)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
			st := s.Stats()
			if st.Started < last.Started || st.Dropped < last.Dropped || st.InFlight > concurrency || st.InFlight < 0 {
				t.Errorf("stats went from %+v to %+v", last, st)
			}
			last = st
		}
	}()
	return stop
}
