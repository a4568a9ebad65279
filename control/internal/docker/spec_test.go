package docker

import (
	"archive/tar"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
)

// validSpec is a spec Start accepts; rows of the table below break one thing each.
func validSpec() Spec {
	return Spec{RunID: "run-1", Index: 0, Kind: KindLive, Image: "trafficinator/loader:dev"}
}

func TestSpecValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Spec)
		wantErr string // "" means valid
	}{
		// HAPPY PATH
		// The minimal live loader is valid.
		{"minimal", func(*Spec) {}, ""},
		// A backfill loader with files, extra labels and limits is valid.
		{"full", func(s *Spec) {
			s.Kind = KindBackfill
			s.Index = 3
			s.Files = []File{{Path: "/config/funnels.json", Data: []byte("[]")}, {Path: "/urls.txt", Mode: 0o600}}
			s.Labels = map[string]string{"io.trafficinator.config-id": "7", "team": "perf"}
			s.RestartOnFailure, s.StopTimeout, s.Memory, s.NanoCPUs = 3, 20*time.Second, 64<<20, 500_000_000
		}, ""},

		// SAD PATH
		// Without a run id the container could not be reconciled.
		{"no run id", func(s *Spec) { s.RunID = " " }, "run id is empty"},
		// Indices start at 0.
		{"negative index", func(s *Spec) { s.Index = -1 }, "index -1 is negative"},
		// Only the two kinds exist.
		{"unknown kind", func(s *Spec) { s.Kind = "replay" }, `kind "replay"`},
		// There is no default image.
		{"no image", func(s *Spec) { s.Image = "" }, "image is empty"},
		// Extras may not overwrite ownership labels.
		{"reserved label", func(s *Spec) { s.Labels = map[string]string{LabelScope: "other"} }, "is reserved"},
		// File paths are absolute inside the container.
		{"relative file", func(s *Spec) { s.Files = []File{{Path: "config/x.json"}} }, "must be absolute"},
		// A path with .. is not clean.
		{"unclean file", func(s *Spec) { s.Files = []File{{Path: "/config/../x.json"}} }, "must be absolute"},
		// The root is not a file.
		{"root file", func(s *Spec) { s.Files = []File{{Path: "/"}} }, "must be absolute"},
		// The same path twice would silently keep only one.
		{"duplicate file", func(s *Spec) { s.Files = []File{{Path: "/a"}, {Path: "/a"}} }, "given twice"},
		// File type bits are not permission bits.
		{"bad mode", func(s *Spec) { s.Files = []File{{Path: "/a", Mode: 0o100644}} }, "not a permission mode"},
		// A negative retry count makes no sense.
		{"negative restarts", func(s *Spec) { s.RestartOnFailure = -1 }, "restart-on-failure -1"},
		// Negative limits make no sense.
		{"negative memory", func(s *Spec) { s.Memory = -1 }, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := validSpec()
			tt.mutate(&s)
			err := s.validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidSpec) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("validate() = %v, want ErrInvalidSpec mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestSpecValidateReportsAllProblems(t *testing.T) {
	err := Spec{Index: -2, Kind: "x"}.validate()
	for _, want := range []string{"run id", "index -2", `kind "x"`, "image"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validate() = %v, want it to mention %q", err, want)
		}
	}
}

func TestSpecConfigs(t *testing.T) {
	s := validSpec()
	s.RunID, s.Index, s.Kind = "r9", 4, KindBackfill
	s.Env, s.Cmd, s.User = []string{"A=1"}, []string{"--x"}, "65534"
	s.Labels = map[string]string{"extra": "yes"}
	s.Network, s.StopTimeout, s.Memory, s.NanoCPUs = "host", 1500*time.Millisecond, 1<<26, 1e9

	cfg, host := s.configs("scope-a")
	wantLabels := map[string]string{
		LabelManaged: "true", LabelScope: "scope-a", LabelRunID: "r9", LabelIndex: "4", LabelKind: "backfill", "extra": "yes",
	}
	if len(cfg.Labels) != len(wantLabels) {
		t.Errorf("labels = %v, want %v", cfg.Labels, wantLabels)
	}
	for k, v := range wantLabels {
		if cfg.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, cfg.Labels[k], v)
		}
	}
	if cfg.Image != s.Image || cfg.User != "65534" || cfg.Env[0] != "A=1" || cfg.Cmd[0] != "--x" || cfg.Tty {
		t.Errorf("config = %+v", cfg)
	}
	// 1.5 s is rounded up, never down, to whole seconds.
	if cfg.StopTimeout == nil || *cfg.StopTimeout != 2 {
		t.Errorf("stop timeout = %v, want 2", cfg.StopTimeout)
	}
	if host.NetworkMode != "host" || host.Memory != 1<<26 || host.NanoCPUs != 1e9 {
		t.Errorf("host config = %+v", host)
	}
	if host.RestartPolicy.Name != container.RestartPolicyDisabled {
		t.Errorf("restart policy = %+v, want no", host.RestartPolicy)
	}

	s.RestartOnFailure = 5
	_, host = s.configs("scope-a")
	if host.RestartPolicy.Name != container.RestartPolicyOnFailure || host.RestartPolicy.MaximumRetryCount != 5 {
		t.Errorf("restart policy = %+v, want on-failure:5", host.RestartPolicy)
	}
}

func TestContainerName(t *testing.T) {
	valid := regexp.MustCompile(`^trafficinator-[a-zA-Z0-9][a-zA-Z0-9_.-]*-3-[0-9a-f]{6}$`)
	for _, runID := range []string{"run-1", "2024/11 backfill:ä", strings.Repeat("x", 100)} {
		name := containerName(runID, 3)
		if !valid.MatchString(name) || len(name) > 80 {
			t.Errorf("containerName(%q) = %q, not a valid Docker name of the expected shape", runID, name)
		}
	}
	if a, b := containerName("r", 0), containerName("r", 0); a == b {
		t.Error("two names for the same run and index are equal; the random suffix is missing")
	}
}

func TestFilesTar(t *testing.T) {
	files := []File{
		{Path: "/etc/trafficinator/funnels.json", Data: []byte(`{"funnels":[]}`)},
		{Path: "/secret", Mode: 0o600, Data: []byte("s")},
	}
	buf, err := filesTar(files)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(buf)
	for i, want := range []struct {
		name string
		mode int64
	}{{"etc/trafficinator/funnels.json", 0o644}, {"secret", 0o600}} {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		data, _ := io.ReadAll(tr)
		if hdr.Name != want.name || hdr.Mode != want.mode || hdr.Typeflag != tar.TypeReg || string(data) != string(files[i].Data) {
			t.Errorf("entry %d = %s mode %o type %c %q, want %s mode %o with the file's data",
				i, hdr.Name, hdr.Mode, hdr.Typeflag, data, want.name, want.mode)
		}
	}
	if hdr, err := tr.Next(); err != io.EOF {
		t.Errorf("extra entry %v (err %v): no directory entries are expected", hdr, err)
	}
}
