package live

import (
	"math"
	"sync/atomic"
	"time"
)

// latencyBuckets is the number of buckets of a latency histogram: exponential from 50 µs by a factor
// of 1.2, so the last bucket starts near 3 minutes. Percentiles are read from bucket bounds, with at
// most 20% error, which is plenty for a dashboard and costs one atomic add per request.
const latencyBuckets = 84

var bucketBounds = func() [latencyBuckets]float64 {
	var b [latencyBuckets]float64
	v := 0.05 // ms
	for i := range b {
		b[i] = v
		v *= 1.2
	}
	return b
}()

// histogram is a lock-free latency histogram.
type histogram struct{ counts [latencyBuckets]atomic.Int64 }

func (h *histogram) observe(d time.Duration) {
	ms := float64(d) / float64(time.Millisecond)
	i := 0
	if ms > bucketBounds[0] {
		i = int(math.Log(ms/bucketBounds[0])/math.Log(1.2)) + 1
	}
	h.counts[min(max(i, 0), latencyBuckets-1)].Add(1)
}

// snapshot copies the counts.
func (h *histogram) snapshot() (s [latencyBuckets]int64) {
	for i := range s {
		s[i] = h.counts[i].Load()
	}
	return s
}

// quantile returns the q-quantile (0..1) in milliseconds of the observations between two snapshots.
func quantile(prev, cur *[latencyBuckets]int64, q float64) float64 {
	total := int64(0)
	for i := range cur {
		total += cur[i] - prev[i]
	}
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	seen := int64(0)
	for i := range cur {
		seen += cur[i] - prev[i]
		if seen >= rank {
			return math.Round(bucketBounds[i]*1.1*100) / 100 // middle of the bucket
		}
	}
	return bucketBounds[latencyBuckets-1]
}
