package matomo

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestParseTransport(t *testing.T) {
	tests := []struct {
		in   string
		want Transport
		ok   bool
	}{
		{"post", TransportPOST, true},   // the default's name
		{"GET", TransportGET, true},     // case does not matter
		{" bulk ", TransportBulk, true}, // nor surrounding space
		{"put", 0, false},               // not a transport
		{"", 0, false},                  // empty is not a choice
	}
	for _, tt := range tests {
		got, err := ParseTransport(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTransport(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	var v struct{ M Transport }
	if err := json.Unmarshal([]byte(`{"M":"bulk"}`), &v); err != nil || v.M != TransportBulk {
		t.Errorf("unmarshal: %v, %v", v.M, err)
	}
	if b, err := json.Marshal(v); err != nil || string(b) != `{"M":"bulk"}` {
		t.Errorf("marshal: %s, %v", b, err)
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{}.withDefaults()
	if o.Timeout != DefaultTimeout || o.Retries != DefaultRetries || o.BackoffBase != DefaultBackoffBase ||
		o.BackoffMax != DefaultBackoffMax || o.MaxConns != DefaultMaxConns || o.UserAgent != "Trafficinator/dev" {
		t.Errorf("defaults not applied: %+v", o)
	}
	if o := (Options{Retries: -1}).withDefaults(); o.Retries != 0 {
		t.Errorf("Retries -1 gives %d retries, want none", o.Retries)
	}
}

// TestWaitTimerStopsOnCancel: the real backoff wait returns ctx's error when ctx ends first.
func TestWaitTimerStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := waitTimer(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("waitTimer = %v, want context.Canceled", err)
	}
	if err := waitTimer(t.Context(), time.Nanosecond); err != nil {
		t.Errorf("short wait = %v", err)
	}
}
