package docker

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"
)

// A loader container runs hardened, as the compose services do: the root file system is read-only
// (its data directory, a volume of its own, and /tmp are writable), it has no capabilities and no
// way to gain privileges, and its memory, CPU and process limits are set. A file copied in for a
// non-root user belongs to that user alone, and the volume goes with the container.
func TestDockerLoaderIsHardened(t *testing.T) {
	t.Parallel()
	rt := dockerRuntime(t)
	api := rt.api.(*client.Client)
	const secret = "s3cret-0123456789abcdef"
	spec := fakeSpec(t, rt, "run-hard", 0, "FAKE_FILE=/data/secrets/token", "FAKE_WRITE=/data/state.json,/state.json,/tmp/x")
	spec.User, spec.DataDir = "65532:65532", "/data"
	spec.Memory, spec.NanoCPUs, spec.PidsLimit = 64<<20, 500_000_000, 64
	spec.Files = []File{{Path: "/data/secrets/token", Mode: 0o400, UID: 65532, GID: 65532, Data: []byte(secret)}}
	c := startFake(t, rt, spec)
	if code, err := rt.Wait(t.Context(), c.ID); err != nil || code != 0 {
		t.Fatalf("Wait = %d, %v", code, err)
	}

	got := fileResults(t, rt, c.ID)
	want := map[string]string{
		"/data/secrets/token": secret,                  // its own file, 0400
		"/data/state.json":    "ok",                    // the data directory is writable
		"/tmp/x":              "ok",                    // so is /tmp
		"/state.json":         "read-only file system", // the root is not
	}
	for path, w := range want {
		if !strings.Contains(got[path], w) {
			t.Errorf("%s: %q, want %q", path, got[path], w)
		}
	}

	raw, err := api.ContainerInspect(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	hc := raw.HostConfig
	if !hc.ReadonlyRootfs || !slices.Equal(hc.CapDrop, []string{"ALL"}) || !slices.Contains(hc.SecurityOpt, "no-new-privileges:true") ||
		hc.PidsLimit == nil || *hc.PidsLimit != 64 || hc.Memory != 64<<20 || hc.NanoCPUs != 500_000_000 {
		t.Errorf("host config: read-only %v, cap-drop %v, security %v, pids %v, memory %d, cpus %d",
			hc.ReadonlyRootfs, hc.CapDrop, hc.SecurityOpt, hc.PidsLimit, hc.Memory, hc.NanoCPUs)
	}
	if len(raw.Mounts) != 1 || raw.Mounts[0].Type != "volume" || raw.Mounts[0].Destination != "/data" || !raw.Mounts[0].RW {
		t.Fatalf("mounts %+v, want one writable volume at /data", raw.Mounts)
	}
	// Inspect reports the same confinement.
	if got, err := rt.Inspect(t.Context(), c.ID); err != nil || !got.Confinement.ReadOnlyRoot || got.Confinement.PidsLimit != 64 ||
		!slices.Equal(got.Confinement.CapDrop, []string{"ALL"}) || !slices.Equal(got.Confinement.Volumes, []string{"/data"}) ||
		got.User != "65532:65532" {
		t.Errorf("Inspect = %+v, %v; want the confinement of the spec", got.Confinement, err)
	}
	if b, _ := json.Marshal(raw); strings.Contains(string(b), secret) {
		t.Error("docker inspect shows the secret file's content")
	}

	files, err := rt.CopyOut(t.Context(), c.ID, "/data/secrets", nil)
	if err != nil || len(files) != 1 || files[0].Mode != 0o400 || files[0].UID != 65532 || files[0].GID != 65532 {
		t.Errorf("CopyOut = %+v, %v; want the token, mode 0400, owned by 65532:65532", files, err)
	}

	volume := raw.Mounts[0].Name
	if err := rt.Remove(t.Context(), c.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := api.VolumeInspect(ctx, volume); !cerrdefs.IsNotFound(err) {
		t.Errorf("the data volume %s outlived its container: %v", volume, err)
	}
}

// fileResults reads what the fakeloader reported of the files it read (their content or error)
// and wrote ("ok" or the error), by path.
func fileResults(t *testing.T, rt *Runtime, id string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, l := range allLogs(t, rt, id) {
		var rec map[string]string
		if l.Stream != StreamStdout || json.Unmarshal([]byte(l.Text), &rec) != nil {
			continue
		}
		switch rec["event"] {
		case "file":
			got[rec["path"]] = rec["content"] + rec["error"]
		case "write":
			got[rec["path"]] = rec["result"]
		}
	}
	return got
}
