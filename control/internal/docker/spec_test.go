package docker

import (
	"archive/tar"
	"errors"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
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
			s.DataDir = "/data"
			s.Files = []File{{Path: "/data/funnels.json", Data: []byte("[]")}, {Path: "/data/sub/urls.txt", Mode: 0o400, UID: 65532, GID: 65532}}
			s.Labels = map[string]string{"io.trafficinator.config-id": "7", "team": "perf"}
			s.RestartOnFailure, s.StopTimeout, s.Memory, s.NanoCPUs, s.PidsLimit = 3, 20*time.Second, 64<<20, 500_000_000, 128
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
		{"relative file", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "data/x.json"}} }, "must be absolute"},
		// A path with .. is not clean.
		{"unclean file", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "/data/../x.json"}} }, "must be absolute"},
		// The root is not a file.
		{"root file", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "/"}} }, "must be absolute"},
		// The root file system is read-only: files go into the data directory.
		{"file outside the data directory", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "/etc/x"}} }, "not in the data directory"},
		// Without a data directory there is nowhere to copy a file to.
		{"file without a data directory", func(s *Spec) { s.Files = []File{{Path: "/data/x"}} }, "not in the data directory"},
		// The data directory is absolute and not the root.
		{"root data directory", func(s *Spec) { s.DataDir = "/" }, "data directory"},
		// The same path twice would silently keep only one.
		{"duplicate file", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "/data/a"}, {Path: "/data/a"}} }, "given twice"},
		// File type bits are not permission bits.
		{"bad mode", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "/data/a", Mode: 0o100644}} }, "not a permission mode"},
		// Owners are user and group ids.
		{"bad owner", func(s *Spec) { s.DataDir, s.Files = "/data", []File{{Path: "/data/a", UID: -1}} }, "not a user and group id"},
		// A negative retry count makes no sense.
		{"negative restarts", func(s *Spec) { s.RestartOnFailure = -1 }, "restart-on-failure -1"},
		// Negative limits make no sense.
		{"negative memory", func(s *Spec) { s.Memory = -1 }, "must not be negative"},
		{"negative pids", func(s *Spec) { s.PidsLimit = -1 }, "must not be negative"},
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
	s.Network, s.StopTimeout, s.Memory, s.NanoCPUs, s.PidsLimit, s.DataDir = "host", 1500*time.Millisecond, 1<<26, 1e9, 99, "/data"

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
	if host.NetworkMode != "host" || host.Memory != 1<<26 || host.NanoCPUs != 1e9 || host.PidsLimit == nil || *host.PidsLimit != 99 {
		t.Errorf("host config = %+v", host)
	}
	// Hardened as the compose services: read-only root, no capabilities, no privilege gain; the
	// data directory is a volume of the container's own, /tmp a tmpfs.
	if !host.ReadonlyRootfs || !slices.Equal(host.CapDrop, []string{"ALL"}) || !slices.Equal(host.SecurityOpt, []string{"no-new-privileges:true"}) ||
		len(host.Mounts) != 1 || host.Mounts[0].Type != mount.TypeVolume || host.Mounts[0].Target != "/data" || host.Mounts[0].Source != "" ||
		!strings.HasPrefix(host.Tmpfs["/tmp"], "rw,noexec") {
		t.Errorf("host config is not hardened: %+v", host)
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
		{Path: "/data/etc/funnels.json", Data: []byte(`{"funnels":[]}`)},
		{Path: "/data/secret", Mode: 0o400, UID: 65532, GID: 65533, Data: []byte("s")},
	}
	buf, err := filesTar("/data", files)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(buf)
	for i, want := range []struct {
		name     string
		mode     int64
		uid, gid int
	}{{"etc/funnels.json", 0o644, 0, 0}, {"secret", 0o400, 65532, 65533}} {
		hdr, err := tr.Next()
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		data, _ := io.ReadAll(tr)
		if hdr.Name != want.name || hdr.Mode != want.mode || hdr.Uid != want.uid || hdr.Gid != want.gid ||
			hdr.Typeflag != tar.TypeReg || string(data) != string(files[i].Data) {
			t.Errorf("entry %d = %s mode %o owner %d:%d type %c %q, want %s mode %o owner %d:%d with the file's data",
				i, hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid, hdr.Typeflag, data, want.name, want.mode, want.uid, want.gid)
		}
	}
	if hdr, err := tr.Next(); err != io.EOF {
		t.Errorf("extra entry %v (err %v): no directory entries are expected", hdr, err)
	}
}
