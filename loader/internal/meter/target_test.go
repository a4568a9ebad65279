package meter

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Counters reads every counter the report has, each from its own atomic.
func TestCounters(t *testing.T) {
	tg := NewSet([]string{"a"}).Target(0)
	fields := []struct {
		add  func(int64)
		read func(report.Counters) int64
	}{
		{func(n int64) { tg.VisitsStarted.Add(n) }, func(c report.Counters) int64 { return c.VisitsStarted }},
		{func(n int64) { tg.VisitsFinished.Add(n) }, func(c report.Counters) int64 { return c.VisitsFinished }},
		{func(n int64) { tg.VisitsDropped.Add(n) }, func(c report.Counters) int64 { return c.VisitsDropped }},
		{func(n int64) { tg.VisitsCapped.Add(n) }, func(c report.Counters) int64 { return c.VisitsCapped }},
		{func(n int64) { tg.HitsSent.Add(n) }, func(c report.Counters) int64 { return c.HitsSent }},
		{func(n int64) { tg.HitsTracked.Add(n) }, func(c report.Counters) int64 { return c.HitsTracked }},
		{func(n int64) { tg.HitsInvalid.Add(n) }, func(c report.Counters) int64 { return c.HitsInvalid }},
		{func(n int64) { tg.HitsFailed.Add(n) }, func(c report.Counters) int64 { return c.HitsFailed }},
		{func(n int64) { tg.HitsDropped.Add(n) }, func(c report.Counters) int64 { return c.HitsDropped }},
		{func(n int64) { tg.Retries.Add(n) }, func(c report.Counters) int64 { return c.Retries }},
		{func(n int64) { tg.Orders.Add(n) }, func(c report.Counters) int64 { return c.Orders }},
	}
	for i, f := range fields {
		f.add(int64(i + 1))
	}
	c := tg.Counters()
	for i, f := range fields {
		if got := f.read(c); got != int64(i+1) {
			t.Errorf("field %d: got %d, want %d (%+v)", i, got, i+1, c)
		}
	}
}

// Status and StatusOf count a request in exactly one class.
func TestStatusClasses(t *testing.T) {
	cases := []struct {
		name  string
		count func(*Target)
		class string
	}{
		{"a 204 is a success", func(t *Target) { t.Status(204) }, "2xx"},
		{"a redirect", func(t *Target) { t.Status(302) }, "3xx"},
		{"an invalid hit", func(t *Target) { t.Status(400) }, "4xx"},
		{"a server error", func(t *Target) { t.Status(503) }, "5xx"},
		{"no reply at all", func(t *Target) { t.Status(0) }, "error"},
		{"a bulk answered", func(t *Target) { t.StatusOf(nil) }, "2xx"},
		{"a bulk refused with a status", func(t *Target) {
			t.StatusOf(fmt.Errorf("send: %w", &matomo.StatusError{Code: 401}))
		}, "4xx"},
		{"a bulk without a reply", func(t *Target) { t.StatusOf(errors.New("connection reset")) }, "error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tg := NewSet([]string{"a"}).Target(0)
			c.count(tg)
			for i, class := range Classes {
				want := int64(0)
				if class == c.class {
					want = 1
				}
				if got := tg.classes[i].Load(); got != want {
					t.Errorf("class %s: %d, want %d", class, got, want)
				}
			}
		})
	}
}

// Observe is on every request's path: it must not allocate.
func TestObserveDoesNotAllocate(t *testing.T) {
	tg := NewSet([]string{"a"}).Target(0)
	if n := testing.AllocsPerRun(1000, func() { tg.Observe(12 * time.Millisecond) }); n != 0 {
		t.Fatalf("Observe allocates %.1f times", n)
	}
}

func BenchmarkObserve(b *testing.B) {
	tg := NewSet([]string{"a"}).Target(0)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			tg.Observe(12 * time.Millisecond)
		}
	})
}
