package dockertest

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// Sink is a matomo-sink container on the host network, listening on loopback only.
type Sink struct {
	// URL is the sink's base URL, http://127.0.0.1:port; the tracking endpoint is URL+"/matomo.php".
	URL string
}

// StartSink starts matomo-sink from image on a free loopback port, with site 1 and token as its one
// valid token, and waits until it answers; args are further flags of the sink (-capacity 20, say).
// The container belongs to rt's scope (see Runtime).
func StartSink(t *testing.T, rt *docker.Runtime, image, token string, args ...string) Sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = rt.Start(t.Context(), docker.Spec{RunID: "sink", Kind: docker.KindLive, Image: image, Network: "host",
		Cmd: append([]string{"-addr", addr, "-sites", "1"}, args...), Env: []string{"SINK_TOKEN=" + token}, StopTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("start the sink: %v", err)
	}
	s := Sink{URL: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sink did not answer within 30 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond) // test-side polling
	}
}

// Summary reads what the sink received.
func (s Sink) Summary(t *testing.T) matomotest.Summary {
	t.Helper()
	resp, err := http.Get(s.URL + "/summary")
	if err != nil {
		t.Fatalf("sink summary: %v", err)
	}
	defer resp.Body.Close()
	var sum matomotest.Summary
	if err := json.NewDecoder(resp.Body).Decode(&sum); err != nil {
		t.Fatalf("sink summary: %v", err)
	}
	return sum
}

// Reset makes the sink forget what it received.
func (s Sink) Reset(t *testing.T) {
	t.Helper()
	resp, err := http.Post(s.URL+"/reset", "", nil)
	if err != nil {
		t.Fatalf("sink reset: %v", err)
	}
	resp.Body.Close()
}
