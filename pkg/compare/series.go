package compare

import (
	"math"
	"sort"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// addStats adds a point per target: rates over the time since the process's previous record.
func (b *builder) addStats(loader int, s *report.Stats) {
	p := b.proc(loader, s.Time.Add(-time.Duration(s.Elapsed*float64(time.Second))))
	dt := s.Time.Sub(p.prevAt).Seconds()
	if p.lastStats == nil && s.Elapsed > 0 {
		dt = s.Elapsed
	}
	for _, t := range s.Targets {
		b.see(t.Target)
		prev := p.prev[t.Target]
		pt := Point{ElapsedS: round(b.elapsed(s.Time), 3), VisitsPerMin: t.AchievedPerMin, TargetPerMin: t.TargetPerMin,
			LatencyP50ms: t.LatencyP50ms, LatencyP95ms: t.LatencyP95ms,
			Errors: max(t.HitsInvalid+t.HitsFailed-prev.HitsInvalid-prev.HitsFailed, 0),
			sent:   max(t.HitsSent-prev.HitsSent, 0)}
		if dt > 0 {
			pt.HitsPerSec = float64(max(t.HitsTracked-prev.HitsTracked, 0)) / dt
		}
		pt.ErrorShare = share(pt.Errors, pt.sent)
		if b.points[t.Target] == nil {
			b.points[t.Target] = map[int][]Point{}
		}
		b.points[t.Target][loader] = append(b.points[t.Target][loader], pt)
		p.prev[t.Target] = t.Counters
	}
	p.lastStats, p.prevAt = s, s.Time
}

// series is a target's points; with several loaders, their points are merged per stats interval:
// rates and errors added, the worst latency kept.
func (b *builder) series(name string) []Point {
	byLoader := b.points[name]
	switch len(byLoader) {
	case 0:
		return []Point{}
	case 1:
		for _, pts := range byLoader {
			return pts
		}
	}
	width := bucketWidth(byLoader)
	merged := map[int64]*Point{}
	for _, loader := range sortedKeys(byLoader) {
		for _, p := range byLoader[loader] {
			k := int64(math.Round(p.ElapsedS / width))
			m := merged[k]
			if m == nil {
				m = &Point{ElapsedS: round(float64(k)*width, 3)}
				merged[k] = m
			}
			m.HitsPerSec += p.HitsPerSec
			m.VisitsPerMin += p.VisitsPerMin
			m.TargetPerMin += p.TargetPerMin
			m.Errors += p.Errors
			m.sent += p.sent
			m.LatencyP50ms = max(m.LatencyP50ms, p.LatencyP50ms)
			m.LatencyP95ms = max(m.LatencyP95ms, p.LatencyP95ms)
		}
	}
	out := make([]Point, 0, len(merged))
	for _, k := range sortedKeys(merged) {
		p := *merged[k]
		p.ErrorShare = share(p.Errors, p.sent)
		out = append(out, p)
	}
	return out
}

// typicalLatency is the run's p50 and p95 from its stats intervals: the median of the intervals'
// percentiles, each interval weighted by the hits sent in it. A loader's percentiles cover one
// interval each (its summary's only the last, partial one), and the percentiles of a whole run
// cannot be rebuilt from them; the weighted median is what a typical stretch of the run had,
// and it treats every target the same.
func typicalLatency(pts []Point) (p50, p95 float64, ok bool) {
	median := func(f func(Point) float64) float64 {
		type wv struct {
			v float64
			w int64
		}
		var vs []wv
		var total int64
		for _, p := range pts {
			if p.sent > 0 {
				vs = append(vs, wv{f(p), p.sent})
				total += p.sent
			}
		}
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].v < vs[j].v })
		var acc int64
		for _, x := range vs {
			if acc += x.w; 2*acc >= total {
				return x.v
			}
		}
		return 0
	}
	for _, p := range pts {
		if p.sent > 0 {
			return median(func(p Point) float64 { return p.LatencyP50ms }), median(func(p Point) float64 { return p.LatencyP95ms }), true
		}
	}
	return 0, 0, false
}

// bucketWidth is the stats interval the loaders printed at: the shortest gap between two of one
// loader's points (at least a second).
func bucketWidth(byLoader map[int][]Point) float64 {
	width := math.Inf(1)
	for _, pts := range byLoader {
		for i := 1; i < len(pts); i++ {
			if gap := pts[i].ElapsedS - pts[i-1].ElapsedS; gap > 0 {
				width = min(width, gap)
			}
		}
	}
	if math.IsInf(width, 1) || width < 1 {
		return max(1, min(width, 10))
	}
	return width
}
