// Package presets embeds the four built-in preset env files (light, medium, heavy, extreme) and the
// example scenarios (scenario.shop.yaml) so that programs can offer them without the repository at
// hand. The canonical files are presets/.env.* at
// the repository root; `make presets` copies them here and a test fails when the copies differ.
package presets

import (
	"bytes"
	"embed"
	"fmt"

	"github.com/trafficinator/trafficinator/pkg/config"
)

//go:embed files/*.env files/scenario.*.yaml
var files embed.FS

// Scenarios lists the built-in example scenarios (presets/scenario.NAME.yaml).
var Scenarios = []string{"shop"}

// Scenario returns the named example scenario file (YAML).
func Scenario(name string) ([]byte, error) {
	b, err := files.ReadFile("files/scenario." + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown example scenario %q", name)
	}
	return b, nil
}

// Names lists the built-in presets, lightest first.
var Names = []string{"light", "medium", "heavy", "extreme"}

// Raw returns the env file of the named preset.
func Raw(name string) ([]byte, error) {
	b, err := files.ReadFile("files/" + name + ".env")
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q", name)
	}
	return b, nil
}

// Env returns the variables the named preset sets.
func Env(name string) (map[string]string, error) {
	b, err := Raw(name)
	if err != nil {
		return nil, err
	}
	env, ps := config.ParseEnvFile(bytes.NewReader(b))
	if err := ps.Err(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	return env, nil
}

// Description returns the first comment line of the preset, without the "# Trafficinator preset — " lead.
func Description(name string) string {
	b, err := Raw(name)
	if err != nil {
		return ""
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	line = bytes.TrimPrefix(line, []byte("# Trafficinator preset — "))
	return string(line)
}
