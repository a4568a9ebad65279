package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// settings are the control's own settings, read from the environment. The Docker Engine address
// comes from the Docker SDK's variables (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH).
type settings struct {
	Addr        string     // CONTROL_ADDR, default :8080
	DataDir     string     // CONTROL_DATA_DIR, default ./data
	APIKey      string     // CONTROL_API_KEY; empty: generated on first start and kept in the data dir
	CORSOrigins []string   // CONTROL_CORS_ORIGINS, comma-separated; empty: no CORS
	RateLimit   int        // CONTROL_RATE_LIMIT requests per minute per client; 0 default, -1 off
	LoaderImage string     // LOADER_IMAGE
	Network     string     // LOADER_NETWORK
	MaxRuns     int        // CONTROL_MAX_RUNS, concurrent active runs
	Scope       string     // CONTROL_SCOPE, Docker label scope (several controls on one engine)
	LogLevel    slog.Level // CONTROL_LOG_LEVEL: debug, info, warn, error
	// Runtime is CONTROL_RUNTIME: "" (a swarm manager runs loaders as Swarm services, any other
	// engine as containers), "docker" or "swarm".
	Runtime string
	// StateVolumes are CONTROL_SWARM_STATE_DRIVER and CONTROL_SWARM_STATE_OPTS (a JSON object of
	// driver options): how a swarm backfill's state volumes are made, e.g. on NFS shared by every node.
	StateVolumes docker.StateVolumes
}

// weakKeys are the API keys the original tool's compose files shipped with: publicly known, so
// they are refused (its bug 23).
var weakKeys = []string{"change-me-in-production", "your-secret-api-key-change-this"}

// minKeyLen is the shortest API key accepted from the environment.
const minKeyLen = 16

// loadSettings reads the settings through lookup (os.LookupEnv in main) and reports every bad
// value at once.
func loadSettings(lookup func(string) (string, bool)) (settings, error) {
	get := func(name, def string) string {
		if v, ok := lookup(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	s := settings{
		Addr:        get("CONTROL_ADDR", ":8080"),
		DataDir:     get("CONTROL_DATA_DIR", "./data"),
		APIKey:      get("CONTROL_API_KEY", ""),
		LoaderImage: get("LOADER_IMAGE", ""),
		Network:     get("LOADER_NETWORK", ""),
		Scope:       get("CONTROL_SCOPE", ""),
		Runtime:     get("CONTROL_RUNTIME", ""),
	}
	var errs []error
	for _, o := range strings.Split(get("CONTROL_CORS_ORIGINS", ""), ",") {
		if o = strings.TrimSpace(o); o != "" {
			s.CORSOrigins = append(s.CORSOrigins, o)
		}
	}
	switch v := get("CONTROL_RATE_LIMIT", ""); v {
	case "":
	case "off", "-1":
		s.RateLimit = -1
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("CONTROL_RATE_LIMIT=%q: must be requests per minute (1 or more), or off", v))
		}
		s.RateLimit = n
	}
	if v := get("CONTROL_MAX_RUNS", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			errs = append(errs, fmt.Errorf("CONTROL_MAX_RUNS=%q: must be a whole number from 1 to 1000", v))
		}
		s.MaxRuns = n
	}
	if err := s.LogLevel.UnmarshalText([]byte(get("CONTROL_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("CONTROL_LOG_LEVEL: use debug, info, warn or error"))
	}
	switch s.Runtime {
	case docker.RuntimeAuto, docker.RuntimeDocker, docker.RuntimeSwarm:
	default:
		errs = append(errs, fmt.Errorf("CONTROL_RUNTIME=%q: use docker (containers), swarm (Swarm services), or leave it unset to use Swarm on a swarm manager", s.Runtime))
	}
	s.StateVolumes.Driver = get("CONTROL_SWARM_STATE_DRIVER", "")
	if v := get("CONTROL_SWARM_STATE_OPTS", ""); v != "" {
		if err := json.Unmarshal([]byte(v), &s.StateVolumes.Options); err != nil {
			errs = append(errs, errors.New(`CONTROL_SWARM_STATE_OPTS: must be a JSON object of driver options, e.g. {"type":"nfs","o":"addr=10.0.0.5,rw","device":":/srv/trafficinator"}`))
		}
	}
	if err := checkKey(s.APIKey); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(errs...)
}

// checkKey refuses short and publicly known API keys (without printing them).
func checkKey(key string) error {
	if key == "" {
		return nil
	}
	for _, w := range weakKeys {
		if strings.EqualFold(key, w) {
			return errors.New("CONTROL_API_KEY is a publicly known default; set a random key, or unset it to have one generated")
		}
	}
	if len(key) < minKeyLen {
		return fmt.Errorf("CONTROL_API_KEY is too short: use at least %d characters, or unset it to have one generated", minKeyLen)
	}
	return nil
}
