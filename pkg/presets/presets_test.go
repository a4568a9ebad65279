package presets

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// The embedded copies must be the repository's presets/ files, byte for byte.
func TestEmbeddedCopiesMatchRepository(t *testing.T) {
	for _, n := range Names {
		want, err := os.ReadFile(filepath.Join("..", "..", "presets", ".env."+n))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Raw(n)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("pkg/presets/files/%s.env differs from presets/.env.%s: run 'make presets'", n, n)
		}
	}
}

// The embedded example scenarios must be the repository's presets/scenario.*.yaml files.
func TestEmbeddedScenariosMatchRepository(t *testing.T) {
	for _, n := range Scenarios {
		want, err := os.ReadFile(filepath.Join("..", "..", "presets", "scenario."+n+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Scenario(n)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("pkg/presets/files/scenario.%s.yaml differs from presets/scenario.%s.yaml (%v): run 'make presets'", n, n, err)
		}
	}
	if _, err := Scenario("nope"); err == nil {
		t.Error("an unknown scenario was found")
	}
}

// Every preset decodes, validates once MATOMO_URL is filled in, and round-trips through Encode.
func TestPresetsDecodeValidateRoundTrip(t *testing.T) {
	for _, n := range Names {
		t.Run(n, func(t *testing.T) {
			env, err := Env(n)
			if err != nil {
				t.Fatal(err)
			}
			// Unchanged, the placeholder URL must be refused: nothing is ever sent to it.
			c, err := config.Decode(lookup(env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Validate().Err() == nil {
				t.Fatal("preset with the placeholder MATOMO_URL validated; it must not")
			}
			env["MATOMO_URL"] = "http://127.0.0.1:8089/matomo.php"
			c, err = config.Decode(lookup(env))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.ValidateAt(time.Now()).Err(); err != nil {
				t.Fatalf("preset %s with a URL: %v", n, err)
			}
			back, err := config.Decode(lookup(envMap(config.Encode(c))))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, c) {
				t.Errorf("round trip changed the config:\n got %+v\nwant %+v", back, c)
			}
			if Description(n) == "" {
				t.Error("preset has no description line")
			}
		})
	}
}

func TestUnknownPreset(t *testing.T) {
	if _, err := Env("nope"); err == nil {
		t.Fatal("unknown preset gave no error")
	}
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := bytes.Cut([]byte(kv), []byte("="))
		m[string(k)] = string(v)
	}
	return m
}
