package matomo

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// benchServer is the cheapest Matomo stand-in: it reads the body and answers as Matomo would
// (204 for single hits, the bulk JSON for batches of 100).
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		if n > 0 && r.URL.Query().Get("bulk") == "1" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"success","tracked":100,"invalid":0}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchClient(b *testing.B, url string, method Transport) *Client {
	b.Helper()
	c, err := NewClient(Target{Name: "bench", URL: url, SiteID: 1, Token: testToken}, Options{Method: method, Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

func benchTrack(b *testing.B, method Transport) {
	benchTrackWith(b, benchClient(b, benchServer(b).URL+"/matomo.php", method))
}

func benchTrackWith(b *testing.B, c *Client) {
	r := typicalRequest()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Track(b.Context(), r); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkTrackPOST measures a whole single-hit POST round trip on loopback, in parallel.
func BenchmarkTrackPOST(b *testing.B) { benchTrack(b, TransportPOST) }

// BenchmarkTrackGET measures the same hit sent as GET.
func BenchmarkTrackGET(b *testing.B) { benchTrack(b, TransportGET) }

// BenchmarkTrackGETNetHTTP sends the same GET through net/http's client instead of the direct
// sender (see direct), for comparison.
func BenchmarkTrackGETNetHTTP(b *testing.B) {
	url := benchServer(b).URL + "/matomo.php"
	opts := Options{Method: TransportGET, Timeout: 10 * time.Second}.withDefaults()
	c, err := NewClient(Target{Name: "bench", URL: url, SiteID: 1}, Options{Method: TransportGET, Timeout: 10 * time.Second,
		HTTPClient: &http.Client{Transport: newTransport(opts)}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	benchTrackWith(b, c)
}

// BenchmarkTrackBulk measures one batch of 100 hits per op (divide ns/op by 100 per hit).
func BenchmarkTrackBulk(b *testing.B) {
	c := benchClient(b, benchServer(b).URL+"/matomo.php?bulk=1", TransportBulk)
	batch := make([]Request, 100)
	for i := range batch {
		batch[i] = *typicalRequest()
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := c.TrackBulk(b.Context(), batch)
			if err != nil || res.Tracked != 100 {
				b.Errorf("%+v, %v", res, err)
				return
			}
		}
	})
}

// BenchmarkAppendBulkBody measures encoding a batch of 100 hits into the bulk JSON body.
func BenchmarkAppendBulkBody(b *testing.B) {
	c := &Client{target: Target{SiteID: 1, Token: testToken}}
	batch := make([]Request, 100)
	for i := range batch {
		batch[i] = *typicalRequest()
	}
	buf := make([]byte, 0, 128<<10)
	b.ReportAllocs()
	for b.Loop() {
		buf = c.appendBulkBody(buf[:0], batch)
	}
	b.SetBytes(int64(len(buf)))
}
