package healthcheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct {
		addr, want string
		wantErr    bool
	}{
		// Every interface is probed on loopback.
		{":8080", "http://127.0.0.1:8080/health", false},
		{"0.0.0.0:9", "http://127.0.0.1:9/health", false},
		{"[::]:9", "http://[::1]:9/health", false},
		// A named host stays as it is.
		{"127.0.0.2:8089", "http://127.0.0.2:8089/health", false},
		// Not an address.
		{"8080", "", true},
	}
	for _, tt := range tests {
		got, err := URL(tt.addr)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("URL(%q) = %q, %v; want %q, error %t", tt.addr, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestProbe(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	if body, err := Probe(t.Context(), addr); err != nil || body != `{"status":"ok"}` {
		t.Fatalf("healthy server: %q, %v", body, err)
	}
	status = http.StatusServiceUnavailable
	if _, err := Probe(t.Context(), addr); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("unhealthy server: %v", err)
	}
	srv.Close()
	if _, err := Probe(t.Context(), addr); err == nil {
		t.Fatal("closed server answered")
	}
}
