package docker

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
)

// Spec describes one loader container. The control builds it from a stored run; nothing in it is
// an SDK type.
type Spec struct {
	// RunID is the run the loader belongs to (LabelRunID). Required.
	RunID string
	// Index is the loader's position within a scaled-out run (LabelIndex), 0 for a single loader.
	Index int
	// Kind is KindLive or KindBackfill (LabelKind).
	Kind string
	// Image is a locally available image reference; there is no registry to pull from.
	Image string
	// Env is the loader's whole configuration as KEY=VALUE pairs. It may hold secrets
	// (MATOMO_TOKEN_AUTH), so this package never prints it or puts it in an error.
	Env []string
	// Cmd overrides the image's CMD (arguments to its ENTRYPOINT); nil keeps the image's.
	Cmd []string
	// Labels are extra labels; they may not set the reserved keys of labels.go.
	Labels map[string]string
	// Network is the network mode: "" for the engine's default bridge, "host" for host networking
	// (a loader that targets a Matomo on 127.0.0.1), or the name of an existing network.
	Network string
	// DataDir is the one writable directory of the container (its root file system is read-only;
	// /tmp is a small tmpfs): an anonymous volume of its own, filled from the image's directory
	// and removed with the container. Empty: none.
	DataDir string
	// Files are copied into DataDir after the container is created and before it starts, so no
	// shared volume is needed (the original tool lost its files to a volume mismatch). Their paths
	// must lie in DataDir.
	Files []File
	// RestartOnFailure is the maximum number of restarts after a non-zero exit; 0 means restart
	// policy "no". There is deliberately no "always": a finished loader (exit 0) must never be
	// started again, or a backfill would be replayed.
	RestartOnFailure int
	// StopTimeout is how long the engine waits after SIGTERM before SIGKILL when it stops the
	// container on its own (daemon shutdown, `docker stop` without -t); 0 keeps the engine default.
	// Runtime.Stop takes its own timeout.
	StopTimeout time.Duration
	// User runs the process as this user ("uid" or "uid:gid"); empty keeps the image's.
	User string
	// Memory is a memory limit in bytes; 0 means none.
	Memory int64
	// NanoCPUs is a CPU limit in billionths of a CPU (1.5 CPUs = 1_500_000_000); 0 means none.
	NanoCPUs int64
	// PidsLimit bounds the processes and threads of the container; 0 means none.
	PidsLimit int64
}

// File is one file copied into a loader container before it starts.
type File struct {
	// Path is the absolute path inside the container. Missing parent directories are created by
	// the engine (mode 0755).
	Path string
	// Mode is the permission bits; 0 means 0644.
	Mode int64
	// UID and GID own the file (0: root); a file only a non-root Spec.User may read belongs to it.
	UID, GID int
	// Data is the file's content.
	Data []byte
}

// validate reports every problem of a Spec at once, wrapped in ErrInvalidSpec.
func (s Spec) validate() error {
	var errs []error
	if strings.TrimSpace(s.RunID) == "" {
		errs = append(errs, errors.New("run id is empty"))
	}
	if s.Index < 0 {
		errs = append(errs, fmt.Errorf("index %d is negative", s.Index))
	}
	if s.Kind != KindLive && s.Kind != KindBackfill {
		errs = append(errs, fmt.Errorf("kind %q is neither %q nor %q", s.Kind, KindLive, KindBackfill))
	}
	if s.Image == "" {
		errs = append(errs, errors.New("image is empty"))
	}
	for k := range s.Labels {
		if reservedLabels[k] {
			errs = append(errs, fmt.Errorf("label %q is reserved", k))
		}
	}
	if s.RestartOnFailure < 0 {
		errs = append(errs, fmt.Errorf("restart-on-failure %d is negative", s.RestartOnFailure))
	}
	if s.StopTimeout < 0 || s.Memory < 0 || s.NanoCPUs < 0 || s.PidsLimit < 0 {
		errs = append(errs, errors.New("stop timeout, memory, nano-CPUs and PIDs limit must not be negative"))
	}
	if s.DataDir != "" && !cleanAbs(s.DataDir) {
		errs = append(errs, fmt.Errorf("data directory %q must be absolute, clean and not /", s.DataDir))
	}
	errs = append(errs, validateFiles(s.DataDir, s.Files)...)
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidSpec, errors.Join(errs...))
	}
	return nil
}

// cleanAbs reports whether p is an absolute, clean path other than the root.
func cleanAbs(p string) bool { return path.IsAbs(p) && path.Clean(p) == p && p != "/" }

// validateFiles rejects paths that are relative, not clean (a ".." could escape nowhere useful but
// signals a bug), the root itself, outside the data directory (the only writable place), or given
// twice.
func validateFiles(dataDir string, files []File) []error {
	var errs []error
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		switch {
		case !cleanAbs(f.Path):
			errs = append(errs, fmt.Errorf("file path %q must be absolute, clean and not /", f.Path))
		case !strings.HasPrefix(f.Path, dataDir+"/") || dataDir == "":
			errs = append(errs, fmt.Errorf("file path %q is not in the data directory %q, the only writable place", f.Path, dataDir))
		case f.UID < 0 || f.GID < 0:
			errs = append(errs, fmt.Errorf("file %q: owner %d:%d is not a user and group id", f.Path, f.UID, f.GID))
		case seen[f.Path]:
			errs = append(errs, fmt.Errorf("file path %q is given twice", f.Path))
		case f.Mode < 0 || f.Mode > 0o7777:
			errs = append(errs, fmt.Errorf("file %q: mode %o is not a permission mode", f.Path, f.Mode))
		}
		seen[f.Path] = true
	}
	return errs
}

// labels returns the container's labels: the caller's extras plus the ownership labels.
func (s Spec) labels(scope string) map[string]string {
	l := make(map[string]string, len(s.Labels)+len(reservedLabels))
	for k, v := range s.Labels {
		l[k] = v
	}
	l[LabelManaged] = LabelManagedValue
	l[LabelScope] = scope
	l[LabelRunID] = s.RunID
	l[LabelIndex] = strconv.Itoa(s.Index)
	l[LabelKind] = s.Kind
	return l
}

// tmpSize bounds the /tmp tmpfs of a container; a loader keeps nothing there.
const tmpSize = "64m"

// configs translates a Spec into the SDK's create request. Containers get no TTY, so their logs
// are multiplexed and stdout can be told apart from stderr. Every container is hardened as the
// compose services are: a read-only root file system (DataDir and /tmp are the writable places),
// no capabilities, no privilege gain through setuid binaries, and the Spec's memory, CPU and
// process limits.
func (s Spec) configs(scope string) (*container.Config, *container.HostConfig) {
	cfg := &container.Config{
		Image:  s.Image,
		Env:    s.Env,
		Cmd:    s.Cmd,
		Labels: s.labels(scope),
		User:   s.User,
	}
	if s.StopTimeout > 0 {
		secs := durationSeconds(s.StopTimeout)
		cfg.StopTimeout = &secs
	}
	host := &container.HostConfig{
		NetworkMode:    container.NetworkMode(s.Network),
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyDisabled},
		Resources:      container.Resources{Memory: s.Memory, NanoCPUs: s.NanoCPUs},
		ReadonlyRootfs: true,
		CapDrop:        []string{"ALL"},
		SecurityOpt:    []string{"no-new-privileges:true"},
		Tmpfs:          map[string]string{"/tmp": "rw,noexec,nosuid,nodev,size=" + tmpSize},
	}
	if s.PidsLimit > 0 {
		limit := s.PidsLimit
		host.PidsLimit = &limit
	}
	if s.DataDir != "" {
		host.Mounts = []mount.Mount{{Type: mount.TypeVolume, Target: s.DataDir}}
	}
	if s.RestartOnFailure > 0 {
		host.RestartPolicy = container.RestartPolicy{
			Name:              container.RestartPolicyOnFailure,
			MaximumRetryCount: s.RestartOnFailure,
		}
	}
	return cfg, host
}

// durationSeconds rounds up to whole seconds, the engine's unit, so a timeout is never shortened.
func durationSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}

// unsafeNameChars are the characters Docker does not accept in a container name.
var unsafeNameChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// containerName gives humans a readable name: trafficinator-<run>-<index>-<random>. The random
// suffix keeps names unique across scopes and across a restarted run whose old container still
// exists; ownership never depends on the name.
func containerName(runID string, index int) string {
	run := unsafeNameChars.ReplaceAllString(runID, "-")
	if len(run) > 40 {
		run = run[:40]
	}
	var suffix [3]byte
	_, _ = rand.Read(suffix[:]) // crypto/rand.Read never returns an error
	return fmt.Sprintf("trafficinator-%s-%d-%s", run, index, hex.EncodeToString(suffix[:]))
}

// filesTar packs files into a tar archive to be extracted at dir (the engine refuses to extract
// at "/" when the root file system is read-only, even into a volume). Entries are named relative
// to dir. It holds no directory entries on purpose: the engine creates missing parents (0755) by
// itself, while a directory entry would reset the mode of a directory that already exists
// (verified against Docker 20.10: a "tmp/" entry turns an existing /tmp into the entry's mode).
func filesTar(dir string, files []File) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     strings.TrimPrefix(f.Path, dir+"/"),
			Mode:     mode,
			Uid:      f.UID,
			Gid:      f.GID,
			Size:     int64(len(f.Data)),
			ModTime:  time.Now(),
			Format:   tar.FormatPAX,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("tar header %s: %w", f.Path, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return nil, fmt.Errorf("tar data %s: %w", f.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("close tar: %w", err)
	}
	return &buf, nil
}
