package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	defer healthy.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer broken.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedAddr := closed.Listener.Addr().String()
	closed.Close()

	tests := []struct {
		name, addr string
		want       int
		wantOut    string
	}{
		// A control answering 200 is healthy, and its answer is printed (Docker keeps it).
		{"healthy", healthy.Listener.Addr().String(), 0, `"status":"ok"`},
		// Any other status is unhealthy.
		{"503", broken.Listener.Addr().String(), 1, "503"},
		// Nothing listening is unhealthy.
		{"nothing listening", closedAddr, 1, "healthcheck:"},
		// A bad CONTROL_ADDR is reported, not probed.
		{"bad address", "nonsense", 1, "CONTROL_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			lookup := func(k string) (string, bool) {
				if k == "CONTROL_ADDR" {
					return tt.addr, true
				}
				return "", false
			}
			if got := runHealthcheck(t.Context(), lookup, &out); got != tt.want || !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("healthcheck = %d, output %q; want %d and output containing %q", got, out.String(), tt.want, tt.wantOut)
			}
		})
	}
}
