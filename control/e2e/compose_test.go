package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// envEntry is one pass-through entry of an environment block: "- NAME" (list form) or "NAME:"
// with no value (map form); both leave NAME unset in the container when it is unset here.
var envEntry = regexp.MustCompile(`^\s+(?:- )?([A-Z][A-Z0-9_]*):?\s*$`)

// TestComposeLoaderEnv checks that the headless loader services pass every loader setting
// through: `docker compose --env-file presets/.env.medium up loader` only reaches the container
// for the names listed, so a setting added to pkg/config must be added to the compose files too.
// It needs no Docker.
func TestComposeLoaderEnv(t *testing.T) {
	root, err := dockertest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range config.Fields() {
		want = append(want, f.Name)
	}
	tests := []struct {
		name, file string
		after      []string // lines (trimmed) leading to the block, in order
		exclude    []string // set per service instead
	}{
		// The loader service of the main compose file: one loader, every setting.
		{"headless loader", "docker-compose.yml", []string{"loader:", "environment:"}, nil},
		// The scale-out variant's shared block: every setting but the shard, set per service.
		{"scale-out loaders", "deploy/docker-compose.scale.yml", []string{"x-loader-env: &loader-env"}, []string{"SHARD_INDEX", "SHARD_COUNT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(root, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := envBlock(string(b), tt.after)
			for _, name := range want {
				if !slices.Contains(got, name) && !slices.Contains(tt.exclude, name) {
					t.Errorf("%s: %s is not passed through", tt.file, name)
				}
			}
			for _, name := range got {
				if !slices.Contains(want, name) || slices.Contains(tt.exclude, name) {
					t.Errorf("%s: %s is not a loader setting here", tt.file, name)
				}
			}
		})
	}
}

// envBlock finds the lines after the marker lines (each found after the previous one) and returns
// the names of the pass-through entries that follow, up to the first other line.
func envBlock(text string, after []string) []string {
	lines := strings.Split(text, "\n")
	i := 0
	for _, marker := range after {
		for i < len(lines) && strings.TrimSpace(lines[i]) != marker {
			i++
		}
		i++
	}
	var names []string
	for ; i < len(lines); i++ {
		m := envEntry.FindStringSubmatch(lines[i])
		if m == nil {
			break
		}
		names = append(names, m[1])
	}
	return names
}
