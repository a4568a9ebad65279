package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// maxCapturedBody bounds one bulk body kept in memory by the capture server.
const maxCapturedBody = 64 << 20

// captured is one bulk body the loader posted, stored as a file.
type captured struct {
	Path string
	Hits int
}

// capture is a stand-in Matomo on a loopback port that records the loader's bulk bodies. It is
// matomotest's server (strict validation, Matomo's replies, the Reporting API calls the loader
// makes) behind a handler that writes every non-empty bulk body to a file, in arrival order,
// before Matomo's stand-in answers it.
type capture struct {
	URL   string // root URL, http://127.0.0.1:port
	Token string // the token the stand-in accepts

	dir    string
	fake   *matomotest.Server
	server *http.Server

	mu     sync.Mutex
	bodies []captured
	err    error // the first failure to store a body
}

// startCapture serves the stand-in on 127.0.0.1 and stores bodies under dir.
func startCapture(dir string) (*capture, error) {
	tok, err := randomToken()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("capture server: %w", err)
	}
	c := &capture{URL: "http://" + l.Addr().String(), Token: tok, dir: dir}
	c.fake = matomotest.NewUnstartedServer(matomotest.Options{
		Sites: []int{1}, Token: tok, Version: "5.0.2", RecordLimit: -1, DetailLimit: -1,
	})
	c.server = &http.Server{Handler: c.handler(c.fake.Handler()), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.server.Serve(l) }()
	return c, nil
}

// handler tees bulk bodies to files and passes every request on to next.
func (c *capture) handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/matomo.php") {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxCapturedBody+1))
		if err != nil || len(body) > maxCapturedBody {
			http.Error(w, "body unreadable or too large", http.StatusRequestEntityTooLarge)
			return
		}
		if err := c.store(body); err != nil {
			http.Error(w, "capture failed", http.StatusInternalServerError)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// store writes a bulk body with at least one request to the next numbered file; an empty probe
// ({"requests":[]}) and anything that is not a bulk are not traffic and are not kept.
func (c *capture) store(body []byte) error {
	n := bulkHits(body)
	if n == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	p := filepath.Join(c.dir, fmt.Sprintf("%06d.json", len(c.bodies)+1))
	if err := os.WriteFile(p, body, 0o600); err != nil {
		c.err = fmt.Errorf("capture: %w", err)
		return c.err
	}
	c.bodies = append(c.bodies, captured{Path: p, Hits: n})
	return nil
}

// Bodies returns what was captured, in arrival order, and the first storage error.
func (c *capture) Bodies() ([]captured, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]captured(nil), c.bodies...), c.err
}

// Close stops the server.
func (c *capture) Close() { _ = c.server.Close() }

// bulkHits counts the requests of a bulk body; 0 when it is not one.
func bulkHits(body []byte) int {
	var b struct {
		Requests []json.RawMessage `json:"requests"`
	}
	if json.Unmarshal(body, &b) != nil {
		return 0
	}
	return len(b.Requests)
}

// randomToken is a fresh 32-hex token for the stand-in, so no real token ever goes near it.
func randomToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
