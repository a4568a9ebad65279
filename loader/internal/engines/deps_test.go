package engines_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// client stands for a Matomo client that Resolve only counts.
type client struct{ engines.Client }

// Resolve refuses dependencies that do not fit the enabled targets, naming what is wrong, and
// fills in every default.
func TestResolve(t *testing.T) {
	cfg := routesConfig(config.ModeMirror, 1, 1)
	two := cfg.EnabledTargets()
	tests := []struct {
		name    string
		deps    engines.Deps
		targets []config.Target
		problem string // "" means accepted
	}{
		// One client per target, nothing else: the defaults.
		{"defaults", engines.Deps{Clients: []engines.Client{client{}, client{}}}, two, ""},
		// A meter of the enabled targets, in order, is used.
		{"given meter", engines.Deps{Clients: []engines.Client{client{}, client{}}, Meter: meter.NewSet([]string{"a", "b"})}, two, ""},
		// No target enabled.
		{"no target", engines.Deps{}, nil, "no enabled target"},
		// A client short.
		{"too few clients", engines.Deps{Clients: []engines.Client{client{}}}, two, "1 clients for 2 enabled targets"},
		// A nil client.
		{"nil client", engines.Deps{Clients: []engines.Client{client{}, nil}}, two, "a nil client"},
		// A meter of other targets would count on the wrong names.
		{"meter of other targets", engines.Deps{Clients: []engines.Client{client{}, client{}}, Meter: meter.NewSet([]string{"b", "a"})}, two, "meter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.deps.Resolve(tt.targets)
			if tt.problem != "" {
				if !errors.Is(err, engines.ErrDeps) || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("err = %v, want ErrDeps saying %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Clock == nil || d.Out == nil || d.Log == nil || d.Meter == nil || len(d.Meter.Targets()) != len(tt.targets) {
				t.Fatalf("defaults not filled in: %+v", d)
			}
			if tt.deps.Meter != nil && d.Meter != tt.deps.Meter {
				t.Fatal("the given meter was replaced")
			}
		})
	}
}

// Wait waits on the clock it is given and stops early when ctx ends.
func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := engines.Wait(t.Context(), engines.SystemClock{}, time.Minute); err != nil || time.Since(start) != time.Minute {
			t.Fatalf("waited %v, err %v; want a minute", time.Since(start), err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		start = time.Now()
		if err := engines.Wait(ctx, engines.SystemClock{}, time.Hour); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != time.Second {
			t.Fatalf("waited %v, err %v; want the context's second", time.Since(start), err)
		}
		if err := engines.Wait(ctx, engines.SystemClock{}, 0); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a zero wait on an ended context: %v", err)
		}
	})
}
