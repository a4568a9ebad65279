package runs

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// twoTargets is a live config of two targets, each with its own token.
func twoTargets() *config.Config {
	c := config.Default()
	c.MatomoURL = ""
	c.Targets = []config.Target{
		{Name: "a", URL: "http://127.0.0.1:9/matomo.php", SiteID: 1, Token: testToken, Weight: 1, Enabled: true},
		{Name: "b", URL: "http://127.0.0.1:9/matomo.php", SiteID: 2, Token: "0ther0token0abcdef0123456789abcd", Weight: 1, Enabled: true},
	}
	return &c
}

// A loader is started as the loader's user, with its data directory, the run's limits (or the
// defaults), and its tokens in files only it may read: nothing in its environment is a token.
func TestLoaderSpecHasNoTokenAndLimits(t *testing.T) {
	tests := []struct {
		name   string
		cfg    *config.Config
		limits Limits
		want   Limits
		env    []string          // settings the environment must have
		files  map[string]string // token files: path → content
	}{
		// The legacy token goes to MATOMO_TOKEN_AUTH_FILE; no limits given: the defaults.
		{"legacy token, default limits", liveConfig(), Limits{}, DefaultLimits,
			[]string{"MATOMO_TOKEN_AUTH_FILE=/data/secrets/token_auth"},
			map[string]string{"/data/secrets/token_auth": testToken}},
		// Each target's token gets a file of its own; the limits given are kept, the rest default.
		{"targets' tokens, some limits", twoTargets(), Limits{MemoryMB: 256, CPUs: 0.5},
			Limits{MemoryMB: 256, CPUs: 0.5, PIDs: DefaultLimits.PIDs}, nil,
			map[string]string{"/data/secrets/target-0": testToken, "/data/secrets/target-1": "0ther0token0abcdef0123456789abcd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt := newFakeRuntime()
			svc := newEnv(t, rt, Options{}).start(t)
			v, err := svc.Start(t.Context(), StartRequest{Config: tt.cfg, Limits: tt.limits})
			if err != nil {
				t.Fatal(err)
			}
			if v.Limits != tt.want {
				t.Errorf("view limits %+v, want %+v", v.Limits, tt.want)
			}
			spec := rt.started()[0]
			if spec.User != loaderUser || spec.DataDir != "/data" || spec.Memory != int64(tt.want.MemoryMB)<<20 ||
				spec.NanoCPUs != int64(tt.want.CPUs*1e9) || spec.PidsLimit != int64(tt.want.PIDs) {
				t.Errorf("spec user %q data %q memory %d cpus %d pids %d", spec.User, spec.DataDir, spec.Memory, spec.NanoCPUs, spec.PidsLimit)
			}
			for _, kv := range spec.Env {
				if strings.Contains(kv, testToken) || strings.Contains(kv, "0ther0token") {
					t.Errorf("a token is in the environment: %s", kv)
				}
			}
			for _, kv := range tt.env {
				if !slices.Contains(spec.Env, kv) {
					t.Errorf("env lacks %s", kv)
				}
			}
			got := map[string]docker.File{}
			for _, f := range spec.Files {
				got[f.Path] = f
			}
			for path, content := range tt.files {
				f, ok := got[path]
				if !ok || string(f.Data) != content || f.Mode != 0o400 || f.UID != loaderUID || f.GID != loaderUID {
					t.Errorf("%s: %+v, want the token, mode 0400, owned by the loader's user", path, f)
				}
			}
			if tt.cfg.Targets != nil {
				targets := config.ToMap(mustDecode(t, spec.Env))["MATOMO_TARGETS"].([]config.Target)
				for i, tg := range targets {
					if tg.Token != "" || tg.TokenFile != "/data/secrets/target-"+string(rune('0'+i)) {
						t.Errorf("target %d in the env: token %q, file %q", i, tg.Token, tg.TokenFile)
					}
				}
			}
		})
	}
}

// mustDecode reads a loader's environment back into its config.
func mustDecode(t *testing.T, env []string) config.Config {
	t.Helper()
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	c, err := config.Decode(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
	if err != nil {
		t.Fatalf("decode the loader's env: %v", err)
	}
	return c
}

// What the control cannot start is refused with every problem named: limits out of bounds, and
// token files, which are paths in a loader run on its own.
func TestStartRefusesBadLimitsAndTokenFiles(t *testing.T) {
	rt := newFakeRuntime()
	svc := newEnv(t, rt, Options{}).start(t)
	cfg := twoTargets()
	cfg.Targets[1].Token, cfg.Targets[1].TokenFile = "", "/run/secrets/b"
	_, err := svc.Start(t.Context(), StartRequest{Config: cfg, Limits: Limits{MemoryMB: 8, CPUs: 65, PIDs: -1}})
	var ps config.Problems
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &ps) {
		t.Fatalf("Start = %v, want ErrInvalid with problems", err)
	}
	var fields []string
	for _, p := range ps {
		fields = append(fields, p.Field)
	}
	for _, want := range []string{"limits.memory_mb", "limits.cpus", "limits.pids", "MATOMO_TARGETS[1].token_auth_file"} {
		if !slices.Contains(fields, want) {
			t.Errorf("problems %v lack %s", ps, want)
		}
	}
	if len(rt.started()) != 0 {
		t.Error("a container was started")
	}
}

// A restarted live run and a resumed backfill keep the limits of the run they continue.
func TestLimitsStayWithTheRun(t *testing.T) {
	rt := newFakeRuntime()
	svc := newEnv(t, rt, Options{}).start(t)
	limits := Limits{MemoryMB: 300, CPUs: 0.25, PIDs: 40}
	for _, cfg := range []*config.Config{liveConfig(), backfillConfig()} {
		v, err := svc.Start(t.Context(), StartRequest{Config: cfg, Limits: limits})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Stop(t.Context(), v.ID); err != nil {
			t.Fatal(err)
		}
		next, err := svc.Restart(t.Context(), v.ID)
		if err != nil {
			t.Fatalf("restart: %v", err)
		}
		spec := rt.started()[len(rt.started())-1]
		if next.Limits != limits || spec.Memory != 300<<20 || spec.NanoCPUs != 250_000_000 || spec.PidsLimit != 40 {
			t.Errorf("%s run continued with limits %+v (spec %d/%d/%d), want %+v", v.Mode, next.Limits,
				spec.Memory, spec.NanoCPUs, spec.PidsLimit, limits)
		}
	}
}

// The OpenAPI document takes a limit's description from its doc tag: the default it names is
// DefaultLimits'.
func TestLimitsDocNamesTheDefaults(t *testing.T) {
	typ, def := reflect.TypeFor[Limits](), reflect.ValueOf(DefaultLimits)
	for i := range typ.NumField() {
		want := fmt.Sprintf("Absent: %v.", def.Field(i).Interface())
		if doc := typ.Field(i).Tag.Get("doc"); !strings.HasSuffix(doc, want) {
			t.Errorf("%s: doc %q does not end in %q", typ.Field(i).Name, doc, want)
		}
	}
}
