package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// replayTimeout bounds one bulk POST of the replay. Real Matomo's bulk latency is heavy-tailed
// (seconds under parallel load), so it is generous; a POST that takes longer counts as failed.
const replayTimeout = 2 * time.Minute

// replayResult is one replay of the captured bodies into one site.
type replayResult struct {
	Parallel   int         `json:"parallel"`
	SiteID     int         `json:"site_id"`
	Bodies     int         `json:"bodies"`
	Hits       int         `json:"hits"`
	Tracked    int         `json:"tracked"` // from Matomo's bulk replies
	Invalid    int         `json:"invalid"`
	Non2xx     int         `json:"non_2xx"`
	Statuses   map[int]int `json:"statuses,omitempty"` // the non-2xx replies by status
	NoReply    int         `json:"no_reply"`           // transport errors and timeouts
	Seconds    float64     `json:"seconds"`
	HitsPerSec float64     `json:"hits_per_s"`
}

// Clean reports whether every body got a 2xx reply.
func (r replayResult) Clean() bool { return r.Non2xx == 0 && r.NoReply == 0 }

// loadBodies reads the captured files in arrival order.
func loadBodies(caps []captured) ([][]byte, error) {
	out := make([][]byte, len(caps))
	for i, c := range caps {
		b, err := os.ReadFile(c.Path)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// retarget rewrites every body for site and token before anything is timed.
func retarget(bodies [][]byte, site int, token string) ([][]byte, int, error) {
	out := make([][]byte, len(bodies))
	hits := 0
	for i, b := range bodies {
		nb, n, err := rewriteBody(b, site, token)
		if err != nil {
			return nil, 0, fmt.Errorf("captured body %d: %w", i+1, err)
		}
		out[i], hits = nb, hits+n
	}
	return out, hits, nil
}

// newHTTPClient keeps a connection per parallel sender alive and never follows a redirect: a
// 307 would re-send the body, token included, to wherever Matomo pointed, which may not be the
// address the loopback guard approved. A redirect is counted as the non-2xx reply it is.
func newHTTPClient(parallel int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = max(tr.MaxIdleConns, parallel)
	tr.MaxIdleConnsPerHost = parallel
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// replay posts bodies (already retargeted) to bulkURL with parallel senders taking them in order,
// once each: no retry, so the figure is Matomo's ingest rate for exactly this traffic, and a
// failed POST is counted, not hidden.
func replay(ctx context.Context, hc *http.Client, bulkURL string, bodies [][]byte, hits, parallel int) replayResult {
	res := replayResult{Parallel: parallel, Bodies: len(bodies), Hits: hits, Statuses: map[int]int{}}
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range parallel {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) || ctx.Err() != nil {
					return
				}
				status, tracked, invalid, err := postBulk(ctx, hc, bulkURL, bodies[i])
				mu.Lock()
				switch {
				case err != nil:
					res.NoReply++
				case status < 200 || status > 299:
					res.Non2xx++
					res.Statuses[status]++
				default:
					res.Tracked += tracked
					res.Invalid += invalid
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	if res.Seconds > 0 {
		res.HitsPerSec = float64(hits) / res.Seconds
	}
	return res
}

// postBulk sends one body and reads BulkTracking's counts from a 2xx reply.
func postBulk(ctx context.Context, hc *http.Client, bulkURL string, body []byte) (status, tracked, invalid int, err error) {
	ctx, cancel := context.WithTimeout(ctx, replayTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, bulkURL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Trafficinator-bench-matomo")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, 0, 0, err
	}
	var r struct {
		Tracked int `json:"tracked"`
		Invalid int `json:"invalid"`
	}
	_ = json.Unmarshal(reply, &r) // a 2xx without JSON (QueuedTracking) counts nothing
	return resp.StatusCode, r.Tracked, r.Invalid, nil
}
