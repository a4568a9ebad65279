package main

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestLoadSettings(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    func(s settings) bool
		wantErr []string // every text the error must contain
	}{
		// Nothing set: the documented defaults.
		{"defaults", nil, func(s settings) bool {
			return s.Addr == ":8080" && s.DataDir == "./data" && s.APIKey == "" && s.RateLimit == 0 &&
				s.CORSOrigins == nil && s.LogLevel == slog.LevelInfo
		}, nil},
		// Everything set.
		{"all", map[string]string{"CONTROL_ADDR": "127.0.0.1:9000", "CONTROL_DATA_DIR": "/d", "CONTROL_API_KEY": "k-0123456789abcdef",
			"CONTROL_CORS_ORIGINS": "https://a.example, https://b.example,", "CONTROL_RATE_LIMIT": "120", "LOADER_IMAGE": "img:1",
			"LOADER_NETWORK": "host", "CONTROL_MAX_RUNS": "8", "CONTROL_SCOPE": "s1", "CONTROL_LOG_LEVEL": "debug"},
			func(s settings) bool {
				return s.Addr == "127.0.0.1:9000" && s.DataDir == "/d" && s.RateLimit == 120 && s.MaxRuns == 8 &&
					reflect.DeepEqual(s.CORSOrigins, []string{"https://a.example", "https://b.example"}) &&
					s.LoaderImage == "img:1" && s.Network == "host" && s.Scope == "s1" && s.LogLevel == slog.LevelDebug
			}, nil},
		// Loaders as Swarm services, their backfill state on shared volumes.
		{"swarm", map[string]string{"CONTROL_RUNTIME": "swarm", "CONTROL_SWARM_STATE_DRIVER": "local",
			"CONTROL_SWARM_STATE_OPTS": `{"type":"nfs","o":"addr=10.0.0.5,rw","device":":/srv/t"}`},
			func(s settings) bool {
				return s.Runtime == "swarm" && s.StateVolumes.Driver == "local" && s.StateVolumes.Options["o"] == "addr=10.0.0.5,rw" && s.StateVolumes.Shared()
			}, nil},
		// Rate limiting can be switched off.
		{"rate off", map[string]string{"CONTROL_RATE_LIMIT": "off"}, func(s settings) bool { return s.RateLimit == -1 }, nil},
		// Every bad value is reported at once.
		{"bad values", map[string]string{"CONTROL_RATE_LIMIT": "lots", "CONTROL_MAX_RUNS": "0", "CONTROL_LOG_LEVEL": "loud",
			"CONTROL_RUNTIME": "kubernetes", "CONTROL_SWARM_STATE_OPTS": "type=nfs"}, nil,
			[]string{"CONTROL_RATE_LIMIT", "CONTROL_MAX_RUNS", "CONTROL_LOG_LEVEL", "CONTROL_RUNTIME", "CONTROL_SWARM_STATE_OPTS"}},
		// The original's shipped default keys are refused, without being echoed.
		{"known key", map[string]string{"CONTROL_API_KEY": "change-me-in-production"}, nil, []string{"publicly known"}},
		// So are short keys.
		{"short key", map[string]string{"CONTROL_API_KEY": "abc"}, nil, []string{"too short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loadSettings(lookupIn(tt.env))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if k := tt.env["CONTROL_API_KEY"]; k != "" && strings.Contains(err.Error(), k) {
					t.Errorf("error echoes the key: %q", err)
				}
				return
			}
			if err != nil || !tt.want(s) {
				t.Errorf("settings %+v, err %v", s, err)
			}
		})
	}
}
