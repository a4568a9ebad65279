package shutdown

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// The graceful stop ends the run's context but not the detached work; the hard stop ends both.
// Without a hard stop in the context, detached work ends only by its own cancel.
func TestStops(t *testing.T) {
	tests := []struct {
		name       string
		hard       bool // the context has a hard stop
		stopHard   bool // the hard stop comes
		wantRun    bool // the run's context ends
		wantDetach bool // the detached context ends
		wantOnHard bool // AfterHardStop's function ran
	}{
		// A graceful stop: nothing new starts, the work under way goes on.
		{"graceful", true, false, true, false, false},
		// A hard stop: everything ends.
		{"hard", true, true, true, true, true},
		// A context without a hard stop: Detach is WithoutCancel plus a cancel.
		{"plain", false, false, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, stop := context.WithCancel(t.Context())
			hardStop := stop
			if tt.hard {
				ctx, stop, hardStop = WithHardStop(t.Context())
			}
			detached, cancel := Detach(ctx)
			defer cancel()
			ran := make(chan struct{})
			defer AfterHardStop(ctx, func() { close(ran) })()
			if tt.stopHard {
				hardStop()
			} else {
				stop()
			}
			<-ctx.Done() // both stops end the run's context
			if tt.wantDetach {
				<-detached.Done()
				<-ran
			}
			if !tt.wantDetach && detached.Err() != nil {
				t.Fatalf("detached context ended on a graceful stop: %v", detached.Err())
			}
			if detached.Value(hardKey{}) == nil && tt.hard {
				t.Fatal("the detached context lost the context's values")
			}
			cancel()
			if detached.Err() == nil {
				t.Fatal("cancel did not end the detached context")
			}
		})
	}
}

// Notify: the first signal stops gracefully, the second hard; after release the signals are no
// longer caught by it. A real signal is sent to the test process (SIGUSR1, caught, so harmless).
func TestNotifyTwoSignals(t *testing.T) {
	ctx, release := Notify(t.Context(), syscall.SIGUSR1)
	defer release()
	detached, cancel := Detach(ctx)
	defer cancel()
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	<-ctx.Done()
	if err := self.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	<-detached.Done()
}

// relay calls stop on the first signal and hardStop on the second, each once, in that order; a
// release after one signal leaves the hard stop uncalled.
func TestRelay(t *testing.T) {
	for _, signals := range []int{1, 2, 3} {
		ch := make(chan os.Signal, 3)
		done := make(chan struct{})
		var calls []string
		stopped := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			relay(ch, done, func() { calls = append(calls, "stop"); close(stopped) }, func() { calls = append(calls, "hard") })
		}()
		for range signals {
			ch <- syscall.SIGTERM
		}
		<-stopped
		if signals == 1 {
			close(done) // released after one signal
		}
		<-finished
		want := []string{"stop", "hard"}
		if signals == 1 {
			want = want[:1]
		}
		if len(calls) != len(want) || calls[0] != want[0] || (len(want) == 2 && calls[1] != want[1]) {
			t.Errorf("%d signal(s): calls %v, want %v", signals, calls, want)
		}
	}
}
