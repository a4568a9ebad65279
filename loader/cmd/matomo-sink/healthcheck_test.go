package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

func TestHealthcheck(t *testing.T) {
	sink := httptest.NewServer(routes(matomotest.NewUnstartedServer(matomotest.Options{Sites: []int{1}})))
	defer sink.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer broken.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneAddr := gone.Listener.Addr().String()
	gone.Close()
	_, port, _ := strings.Cut(sink.Listener.Addr().String(), ":")

	tests := []struct {
		name    string
		args    []string
		want    int
		wantOut string
	}{
		// A running sink answers ok.
		{"running sink", []string{"-healthcheck", "-addr", sink.Listener.Addr().String()}, 0, "ok"},
		// A listen address on every interface is probed on loopback.
		{"wildcard address", []string{"-healthcheck", "-addr", ":" + port}, 0, "ok"},
		// A server answering 500 is unhealthy.
		{"500", []string{"-healthcheck", "-addr", broken.Listener.Addr().String()}, 1, "500"},
		// Nothing listening is unhealthy.
		{"nothing listening", []string{"-healthcheck", "-addr", goneAddr}, 1, "healthcheck:"},
		// An address without a port is refused.
		{"bad address", []string{"-healthcheck", "-addr", "localhost"}, 1, "-addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if !isHealthcheck(tt.args) {
				t.Fatalf("isHealthcheck(%q) = false", tt.args)
			}
			if got := runHealthcheck(t.Context(), tt.args, &out); got != tt.want || !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("healthcheck(%q) = %d, output %q; want %d and output containing %q", tt.args, got, out.String(), tt.want, tt.wantOut)
			}
		})
	}
}

func TestIsHealthcheck(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want bool
	}{
		// The server's own flags do not ask for a probe.
		{"server", []string{"-addr", ":8089", "-sites", "1"}, false},
		// The flag anywhere on the line does.
		{"probe", []string{"-addr", ":8089", "-healthcheck"}, true},
		// The double-dash spelling works as with every Go flag.
		{"double dash", []string{"--healthcheck"}, true},
	}
	for _, tt := range tests {
		if got := isHealthcheck(tt.args); got != tt.want {
			t.Errorf("%s: isHealthcheck(%q) = %t, want %t", tt.name, tt.args, got, tt.want)
		}
	}
}
