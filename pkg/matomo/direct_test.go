package matomo

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// directHit is a hit whose query is easy to recognise.
var directHit = &Request{VisitorID: "0123456789abcdef", URL: "https://example.test/a b?x=1", ActionName: "A/B"}

// TestDirectSendsWhatNetHTTPSends sends the same hits through the direct sender and through
// net/http (a caller-supplied client) and compares what the server received, for GET and POST,
// including a tracking URL that carries a query of its own; then checks that the direct sender
// kept one connection for all its hits.
func TestDirectSendsWhatNetHTTPSends(t *testing.T) {
	type seen struct{ method, uri, host, ua, ctype, body string }
	var mu sync.Mutex
	var got []seen
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, r.Host, r.Header.Get("User-Agent"), r.Header.Get("Content-Type"), string(b)})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	for _, method := range []Transport{TransportGET, TransportPOST} {
		for _, path := range []string{"/matomo.php", "/sub/matomo.php?tenant=7"} {
			target := Target{Name: "t", URL: srv.URL + path, SiteID: 3, Token: "0123456789abcdef0123456789abcdef"}
			fast, err := NewClient(target, Options{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if fast.direct == nil {
				t.Fatal("no direct sender for a plain loopback URL")
			}
			slow, _ := NewClient(target, Options{Method: method, HTTPClient: &http.Client{}})
			if slow.direct != nil {
				t.Fatal("a direct sender despite a caller-supplied http.Client")
			}
			mu.Lock()
			got = got[:0]
			mu.Unlock()
			conns.Store(0)
			for range 5 {
				if res, err := fast.Track(context.Background(), directHit); err != nil || res.Status != http.StatusNoContent || res.Attempts != 1 {
					t.Fatalf("%v %s: direct: %+v %v", method, path, res, err)
				}
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("%v %s: the direct sender opened %d connections for 5 sequential hits, want 1", method, path, n)
			}
			if _, err := slow.Track(context.Background(), directHit); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if len(got) != 6 {
				t.Fatalf("%v %s: server saw %d requests, want 6", method, path, len(got))
			}
			if got[0] != got[5] {
				t.Errorf("%v %s: direct sent %+v\nnet/http sent %+v", method, path, got[0], got[5])
			}
			mu.Unlock()
			fast.CloseIdleConnections()
		}
	}
}

// rawServer answers each request on a connection with reply(n) (n counts requests over all
// connections), and closes the connection after it when closeAfter says so.
func rawServer(t *testing.T, reply func(n int) string, closeAfter func(n int) bool) (url string, conns *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	conns = &atomic.Int32{}
	var reqs atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					n := int(reqs.Add(1))
					if _, err := io.WriteString(c, reply(n)); err != nil || closeAfter(n) {
						return
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/matomo.php", conns
}

const noContent = "HTTP/1.1 204 No Content\r\n\r\n"

// TestDirectStaleConnection: the server closes every connection after one reply without saying
// so (a keep-alive timeout racing with reuse). Each next hit must still go through at its first
// attempt, on a new connection, not be counted as a retry nor wait for a backoff.
func TestDirectStaleConnection(t *testing.T) {
	url, conns := rawServer(t, func(int) string { return noContent }, func(int) bool { return true })
	c, err := NewClient(Target{Name: "t", URL: url, SiteID: 1}, Options{Method: TransportGET, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		res, err := c.Track(context.Background(), directHit)
		if err != nil || res.Attempts != 1 {
			t.Fatalf("hit %d: %+v %v, want one successful attempt", i, res, err)
		}
		time.Sleep(10 * time.Millisecond) // let the server's close arrive, as after an idle period
	}
	if n := conns.Load(); n != 5 {
		t.Errorf("%d connections for 5 hits on a server closing each, want 5", n)
	}
}

// TestDirectReplies reads the replies Matomo and proxies in front of it send: a chunked GIF, a GIF
// with Content-Length and "Connection: close", an informational reply before the real one, an HTTP
// error with a body, and a redirect. Connections are reused exactly when the reply allows it.
func TestDirectReplies(t *testing.T) {
	gif := "GIF89a\x01\x00\x01\x00"
	tests := []struct {
		name      string
		reply     string
		wantErr   error
		wantConns int32 // for three hits
	}{
		{"chunked gif", "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGIF8\r\n6\r\n9a\x01\x00\x01\x00\r\n0\r\n\r\n", nil, 1},
		{"gif, connection close", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n" + gif, nil, 3},
		{"early hints first", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + noContent, nil, 1},
		{"400 with a body", "HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\n\r\nnope!", ErrInvalid, 1},
		{"redirect", "HTTP/1.1 301 Moved\r\nLocation: https://other.test/matomo.php?token_auth=x\r\nContent-Length: 0\r\n\r\n", ErrRedirect, 1},
		{"a page, not the tracker", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 4\r\n\r\nhi!\n", ErrNotTracker, 1},
		{"http/1.0", "HTTP/1.0 204 No Content\r\n\r\n", nil, 3},
		{"http/1.0 keep-alive", "HTTP/1.0 204 No Content\r\nConnection: Keep-Alive\r\n\r\n", nil, 1},
		{"chunked with a trailer", "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nGIF8\r\n0\r\nX-T: 1\r\n\r\n", nil, 1},
		{"lower case, a long header", "HTTP/1.1 200 OK\r\ncontent-type: image/gif\r\nx-long: " + strings.Repeat("a", 9000) + "\r\ncontent-length: 10\r\n\r\n" + gif, nil, 1},
		{"body to the end, connection close", "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nConnection: close\r\n\r\n" + gif, nil, 3},
		{"conflicting lengths, connection close", "HTTP/1.1 204 No Content\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n", ErrUncertain, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			closing := strings.Contains(tt.reply, "Connection: close")
			url, conns := rawServer(t, func(int) string { return tt.reply }, func(int) bool { return closing })
			c, err := NewClient(Target{Name: "t", URL: url, SiteID: 1}, Options{Method: TransportGET, Retries: -1})
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				_, err := c.Track(context.Background(), directHit)
				if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				if errors.Is(tt.wantErr, ErrRedirect) {
					var re *RedirectError
					if !errors.As(err, &re) || re.Location != "https://other.test/matomo.php" {
						t.Fatalf("redirect error %v, want Location without its query", err)
					}
				}
			}
			if n := conns.Load(); n != tt.wantConns {
				t.Errorf("%d connections for 3 hits, want %d", n, tt.wantConns)
			}
		})
	}
}

// TestDirectCancelAndTimeout: a server that never answers. Cancelling the context ends the hit
// with the context's error, and without cancellation the attempt's timeout ends it.
func TestDirectCancelAndTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range held {
			_ = c.Close()
		}
		mu.Unlock()
	}()
	url := "http://" + ln.Addr().String() + "/matomo.php"
	c, err := NewClient(Target{Name: "t", URL: url, SiteID: 1}, Options{Method: TransportGET, Retries: -1, Timeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Track(ctx, directHit); done <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled hit: %v, want context.Canceled", err)
	}
	c, _ = NewClient(Target{Name: "t", URL: url, SiteID: 1}, Options{Method: TransportGET, Retries: -1, Timeout: 30 * time.Millisecond})
	_, err = c.Track(context.Background(), directHit)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("unanswered hit: %v, want a timeout", err)
	}
}

// TestDirectOnlyWhereItSendsTheSame leaves to net/http what it would send differently: a URL with
// user info (basic auth), a proxy in the environment, a connection cap, an unsendable user agent.
func TestDirectOnlyWhereItSendsTheSame(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts Options
		env  string
		want bool
	}{
		{"plain", "http://127.0.0.1:1/matomo.php", Options{}, "", true},
		{"https", "https://127.0.0.1:1/matomo.php", Options{}, "", true},
		{"user info", "http://u:p@127.0.0.1:1/matomo.php", Options{}, "", false},
		{"proxy", "http://127.0.0.1:1/matomo.php", Options{}, "HTTP_PROXY", false},
		{"conn cap", "http://127.0.0.1:1/matomo.php", Options{MaxConnsPerHost: 4}, "", false},
		{"user agent", "http://127.0.0.1:1/matomo.php", Options{UserAgent: "x\r\nInjected: 1"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
				t.Setenv(k, "")
			}
			if tt.env != "" {
				t.Setenv(tt.env, "http://127.0.0.1:3128")
			}
			c, err := NewClient(Target{Name: "t", URL: tt.url, SiteID: 1}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.direct != nil; got != tt.want {
				t.Errorf("direct sender: %v, want %v", got, tt.want)
			}
		})
	}
}
