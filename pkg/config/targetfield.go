package config

import "fmt"

// TargetURLField names the setting that holds the URL of the target called name, for messages
// that tell a user what to change: MATOMO_URL for the legacy triple, MATOMO_TARGETS[i].url for
// the i-th entry of MATOMO_TARGETS (counting disabled entries, as the file does), and
// MATOMO_TARGETS[].url for a name that is not there.
func (c *Config) TargetURLField(name string) string {
	if len(c.Targets) == 0 {
		return "MATOMO_URL"
	}
	for i, t := range c.Targets {
		if t.Name == name {
			return fmt.Sprintf("MATOMO_TARGETS[%d].url", i)
		}
	}
	return "MATOMO_TARGETS[].url"
}
