package pace

import (
	"math"
	"testing"
	"time"
)

// TestShardUnion proves the shards of a schedule add up to it exactly: every global visit below M
// is taken by exactly one shard, under its global number, at the unsharded due time.
func TestShardUnion(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 3, 29, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		base  func() Pacer // a fresh base per loader, as separate containers would build
		count int
	}{
		// one loader takes everything
		{"constant/1", func() Pacer { return Constant{PerDay: 86400} }, 1},
		// three loaders at 1/s: each fires every 3s, offset by 1s, interleaving into the 1s cadence
		{"constant/3", func() Pacer { return Constant{PerDay: 86400} }, 3},
		// seven loaders over a rate whose interval is not a whole number of nanoseconds
		{"constant/7", func() Pacer { return Constant{PerDay: 123457} }, 7},
		// a diurnal curve across the Stockholm spring-forward night, four loaders
		{"diurnal/4", func() Pacer {
			return Diurnal{PerDay: 5000, Start: start, Location: mustLoad(t, "Europe/Stockholm")}
		}, 4},
		// Poisson arrivals: every loader seeds its own pacer identically and they still agree
		{"poisson/5", func() Pacer { return NewPoisson(Constant{PerDay: 86400}, 99) }, 5},
	}
	const m = 2000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			whole := poissonDues(t, tt.base(), m)
			seen := make([]int, m)
			rate := 0.0
			for i := 0; i < tt.count; i++ {
				s := Shard{Base: tt.base(), Index: i, Count: tt.count}
				rate += s.Rate(time.Hour)
				prev := time.Duration(-1)
				for k := uint64(0); s.Seq(k) < m; k++ {
					g := s.Seq(k)
					at, ok := Due(s, k)
					if !ok || at != whole[g] {
						t.Fatalf("shard %d visit %d (global %d) due %v/%v, unsharded %v", i, k, g, at, ok, whole[g])
					}
					if at < prev {
						t.Fatalf("shard %d goes back in time at visit %d", i, k)
					}
					prev = at
					seen[g]++
				}
			}
			for g, n := range seen {
				if n != 1 {
					t.Fatalf("global visit %d taken %d times", g, n)
				}
			}
			if want := tt.base().Rate(time.Hour); math.Abs(rate-want) > 1e-9*want {
				t.Errorf("shard rates add up to %g, want %g", rate, want)
			}
		})
	}
}

func TestShardPace(t *testing.T) {
	t.Parallel()
	base := Constant{PerDay: 86400}
	tests := []struct {
		s        Shard
		elapsed  time.Duration
		started  uint64
		wantWait time.Duration
		wantStop bool
	}{
		// HAPPY PATH
		// loader 0 of 3 at 1/s: its first visit is global visit 0, due at 1s
		{Shard{base, 0, 3}, 0, 0, time.Second, false},
		// loader 2 of 3: its first visit is global visit 2, due at 3s
		{Shard{base, 2, 3}, 0, 0, 3 * time.Second, false},
		// loader 1 of 3 with one started, at 2s: its second is global visit 4, due at 5s
		{Shard{base, 1, 3}, 2 * time.Second, 1, 3 * time.Second, false},
		// SAD PATH
		// no loaders => nothing
		{Shard{base, 0, 0}, 0, 0, 0, true},
		// index outside the count => nothing
		{Shard{base, 3, 3}, 0, 0, 0, true},
		// negative index => nothing
		{Shard{base, -1, 3}, 0, 0, 0, true},
		// no base => nothing
		{Shard{nil, 0, 1}, 0, 0, 0, true},
		// a position whose global number would overflow => the schedule ends
		{Shard{base, 1, 3}, 0, math.MaxUint64 / 2, 0, true},
	}
	for i, tt := range tests {
		wait, stop := tt.s.Pace(tt.elapsed, tt.started)
		if wait != tt.wantWait || stop != tt.wantStop {
			t.Errorf("row %d: %v.Pace(%v, %d) = (%v, %v), want (%v, %v)",
				i, tt.s, tt.elapsed, tt.started, wait, stop, tt.wantWait, tt.wantStop)
		}
	}
}
