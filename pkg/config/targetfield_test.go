package config

import "testing"

func TestTargetURLField(t *testing.T) {
	multi := Config{Targets: []Target{{Name: "old", Enabled: false}, {Name: "new", Enabled: true}}}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		// The legacy triple: whatever the name, the URL is MATOMO_URL.
		{"default", Config{MatomoURL: "http://m/matomo.php"}, "MATOMO_URL"},
		// A target of MATOMO_TARGETS is named by its place in the list, disabled entries counted.
		{"new", multi, "MATOMO_TARGETS[1].url"},
		// An unknown name still names the setting.
		{"gone", multi, "MATOMO_TARGETS[].url"},
	}
	for _, tt := range tests {
		if got := tt.cfg.TargetURLField(tt.name); got != tt.want {
			t.Errorf("TargetURLField(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
