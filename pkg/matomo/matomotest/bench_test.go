package matomotest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

const (
	benchHitsPerBulk = 100
	benchBodies      = 64
)

// benchBodies builds bulk bodies of realistic hits: visitors of five pageviews or events and a
// closing ping, with the parameters the loader sends (≈ 450 bytes per hit).
func benchBulkBodies(n int) [][]byte {
	ua := url.QueryEscape("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
	start := testNow.Add(-30 * 24 * time.Hour)
	bodies := make([][]byte, n)
	for b := range n {
		reqs := make([]string, 0, benchHitsPerBulk)
		for len(reqs) < benchHitsPerBulk {
			v := len(reqs) / 6
			cid := fmt.Sprintf("%08x%08x", b, v)
			ts := start.Add(time.Duration(b)*time.Hour + time.Duration(v)*time.Minute)
			for h := 0; h < 6 && len(reqs) < benchHitsPerBulk; h++ {
				q := fmt.Sprintf("?idsite=1&rec=1&apiv=1&rand=%d&cid=%s&cdt=%s&url=%s&action_name=%s&urlref=%s"+
					"&ua=%s&lang=sv-SE&res=1920x1080&h=10&m=%d&s=%d&pv_id=a%05d&dp=1",
					b*1000+h, cid, cdt(ts.Add(time.Duration(h)*40*time.Second)),
					url.QueryEscape(fmt.Sprintf("https://shop.example/category/product-%d?ref=nav", h)),
					url.QueryEscape(fmt.Sprintf("Shop / Category / Product %d", h)),
					url.QueryEscape("https://www.google.com/"), ua, h, h*7, h)
				switch h {
				case 3:
					q += "&e_c=video&e_a=play&e_n=intro&e_v=12"
				case 5:
					q += "&ping=1"
				}
				reqs = append(reqs, q)
			}
		}
		bodies[b], _ = json.Marshal(map[string]any{"requests": reqs, "token_auth": testToken})
	}
	return bodies
}

// discard is a minimal ResponseWriter, so the handler benchmark measures the server only.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// BenchmarkBulk measures how many hits per second the server takes in bulks of 100, through its
// Handler directly and over loopback HTTP with parallel clients.
func BenchmarkBulk(b *testing.B) {
	bodies := benchBulkBodies(benchBodies)
	opts := Options{Token: testToken, Now: func() time.Time { return testNow }}

	b.Run("handler", func(b *testing.B) {
		s := NewUnstartedServer(opts)
		h := s.Handler()
		w := &discard{h: http.Header{}}
		req, _ := http.NewRequest(http.MethodPost, "http://sink/matomo.php", nil)
		b.SetBytes(int64(len(bodies[0])))
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			req.Body = io.NopCloser(bytes.NewReader(bodies[i%len(bodies)]))
			h.ServeHTTP(w, req)
		}
		b.ReportMetric(float64(b.N*benchHitsPerBulk)/b.Elapsed().Seconds(), "hits/s")
		if sum := s.Summary(); sum.Invalid != 0 {
			b.Fatalf("invalid hits: %v", sum.InvalidByReason)
		}
	})

	b.Run("loopback", func(b *testing.B) {
		s := NewServer(opts)
		defer s.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * runtime.GOMAXPROCS(0)}}
		var next atomic.Int64
		b.SetBytes(int64(len(bodies[0])))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				body := bodies[next.Add(1)%int64(len(bodies))]
				resp, err := client.Post(s.TrackingURL(), "application/json", bytes.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
		b.ReportMetric(float64(b.N*benchHitsPerBulk)/b.Elapsed().Seconds(), "hits/s")
	})
}
