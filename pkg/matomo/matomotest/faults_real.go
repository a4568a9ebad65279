package matomotest

import (
	"math"
	"strconv"
	"time"
)

// The faults of this file reproduce what a real Matomo 5 did under concurrent bulk load:
// deadlocks that lose the head of a bulk, requests processed after the client gave up, and
// heavy-tailed latency.

// deadlockMessage is the error Matomo logs when the final commit of a deadlocked bulk fails.
const deadlockMessage = "There is no active transaction"

// tailLatency is base × u^(-1/alpha) (a Pareto law of shape alpha and scale base, for u uniform
// in (0,1]), capped at limit; limit 0 means 10 × base, and a limit below base is raised to base.
func tailLatency(base, limit time.Duration, alpha, u float64) time.Duration {
	if limit <= 0 {
		limit = 10 * base
	}
	limit = max(limit, base)
	if u <= 0 || alpha <= 0 {
		return limit
	}
	d := float64(base) * math.Pow(u, -1/alpha)
	if d >= float64(limit) || math.IsNaN(d) {
		return limit
	}
	return max(time.Duration(d), base)
}

// rollbackCount is how many hits at the head of a bulk of n a deadlock loses, for cut uniform in
// [0,1): uniform in [1, n-1] when n >= 2, so that the tail is never empty, 1 when n is 1.
func rollbackCount(n int, cut float64) int {
	switch {
	case n <= 0:
		return 0
	case n == 1:
		return 1
	}
	k := 1 + int(cut*float64(n-1))
	return min(max(k, 1), n-1)
}

// deadlockReply renders the JSON error of a bulk whose final commit failed; tracked and invalid
// count the hits processed after the rollback, which is what Matomo's counters hold by then.
func deadlockReply(tracked, invalid int) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"status":"error","tracked":`...)
	b = strconv.AppendInt(b, int64(tracked), 10)
	b = append(b, `,"invalid":`...)
	b = strconv.AppendInt(b, int64(invalid), 10)
	b = append(b, `,"message":"`...)
	b = append(b, deadlockMessage...)
	return append(b, `"}`...)
}

// pause waits d. It returns false when cancel fires first (the client went away; a nil cancel
// never fires), and true when d has passed or the server is closed, so that closing the server
// never waits on a pause: the request then goes on at once.
func pause(d time.Duration, cancel, closed <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-closed:
		return true
	case <-cancel:
		return false
	}
}
