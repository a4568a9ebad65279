package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/swarm"
)

// Swarm's template of a task's slot, for environment values and volume names.
const slotTemplate = "{{.Task.Slot}}"

// restartDelay is how long Swarm waits before it starts a failed loader's task again.
const restartDelay = time.Second

// tmpfsMode is the mode of a task's /tmp: world-writable with the sticky bit, as a /tmp is.
const tmpfsMode = os.FileMode(0o1777)

// Modes of mounted secrets and configs when the File gives none.
const (
	defaultSecretMode = 0o400
	defaultConfigMode = 0o444
)

// swarmFile is a File made into a Swarm secret or config: its ID and name once created.
type swarmFile struct {
	File
	id, name string
}

// namePart makes s usable in a Swarm object name: letters, digits and '-' (service names are DNS
// labels), at most n characters.
func namePart(s string, n int) string {
	s = strings.Trim(unsafeNameChars.ReplaceAllString(s, "-"), "-.")
	s = strings.NewReplacer("_", "-", ".", "-").Replace(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// randomSuffix is a short random name suffix: names of a run's objects stay unique across scopes
// and restarts, while ownership is decided by labels only.
func randomSuffix() string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return hex.EncodeToString(b[:])
}

// stateVolume is the name of the state volume of a slot ("{{.Task.Slot}}" in a service's mount).
func stateVolume(key, slot string) string { return "trafficinator-state-" + key + "-" + slot }

// ownerLabels are the labels of everything made for a run: the service, its secrets, configs and
// volumes.
func ownerLabels(scope string, l Spec) map[string]string {
	return map[string]string{LabelManaged: LabelManagedValue, LabelScope: scope, LabelRunID: l.RunID, LabelKind: l.Kind}
}

// serviceSpec translates a RunSpec into the service of its run. secrets and configs are the
// RunSpec's Secrets and Loader.Files once created. The tasks are confined as the containers are
// (read-only root file system, no capabilities, the Spec's user and limits); Docker 20.10's Swarm
// offers no no-new-privileges for services.
func (rs RunSpec) serviceSpec(scope string, secrets, configs []swarmFile, vols StateVolumes) swarm.ServiceSpec {
	l := rs.Loader
	labels := ownerLabels(scope, l)
	for k, v := range l.Labels {
		labels[k] = v
	}
	labels[LabelLoaders] = strconv.Itoa(rs.Loaders)
	if rs.StateKey != "" {
		labels[LabelState] = rs.StateKey
	}
	env := slices.Clone(l.Env)
	if rs.SlotEnv != "" {
		env = append(env, rs.SlotEnv+"="+slotTemplate)
	}
	cs := &swarm.ContainerSpec{
		Image: l.Image, Args: l.Cmd, Env: env, User: l.User,
		// The tasks' containers say whose they are, but are not "managed": List and Events take
		// a run's loaders from its service, not from the containers Swarm makes for it.
		Labels:   map[string]string{LabelScope: scope, LabelRunID: l.RunID, LabelKind: l.Kind},
		ReadOnly: true, CapabilityDrop: []string{"ALL"},
		Mounts: rs.mounts(scope, vols),
	}
	if l.StopTimeout > 0 {
		grace := l.StopTimeout
		cs.StopGracePeriod = &grace
	}
	for _, s := range secrets {
		cs.Secrets = append(cs.Secrets, &swarm.SecretReference{SecretID: s.id, SecretName: s.name,
			File: &swarm.SecretReferenceFileTarget{Name: s.Path, UID: strconv.Itoa(s.UID), GID: strconv.Itoa(s.GID), Mode: fileMode(s.Mode, defaultSecretMode)}})
	}
	for _, c := range configs {
		cs.Configs = append(cs.Configs, &swarm.ConfigReference{ConfigID: c.id, ConfigName: c.name,
			File: &swarm.ConfigReferenceFileTarget{Name: c.Path, UID: strconv.Itoa(c.UID), GID: strconv.Itoa(c.GID), Mode: fileMode(c.Mode, defaultConfigMode)}})
	}
	n := uint64(rs.Loaders)
	task := swarm.TaskSpec{
		ContainerSpec: cs,
		Resources:     &swarm.ResourceRequirements{Limits: &swarm.Limit{NanoCPUs: l.NanoCPUs, MemoryBytes: l.Memory, Pids: l.PidsLimit}},
		RestartPolicy: restartPolicy(l.RestartOnFailure),
		Placement:     &swarm.Placement{Constraints: slices.Clone(rs.Placement)},
	}
	if l.Network != "" {
		task.Networks = []swarm.NetworkAttachmentConfig{{Target: l.Network}}
	}
	return swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: "trafficinator-" + namePart(l.RunID, 30) + "-" + randomSuffix(), Labels: labels},
		TaskTemplate: task,
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}},
	}
}

// mounts gives every task a tmpfs /tmp, and DataDir: the slot's state volume, or a volume of the
// task's own, which Swarm removes with the task. Either is filled from the image's directory on
// first use, so it belongs to the loader's user as the image's does (a tmpfs over the image's
// directory came up root's 0755 whatever mode it was given, on Docker 20.10).
func (rs RunSpec) mounts(scope string, vols StateVolumes) []mount.Mount {
	out := []mount.Mount{{Type: mount.TypeTmpfs, Target: "/tmp", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 64 << 20, Mode: tmpfsMode}}}
	if rs.Loader.DataDir == "" {
		return out
	}
	labels := ownerLabels(scope, rs.Loader)
	if rs.StateKey == "" {
		return append(out, mount.Mount{Type: mount.TypeVolume, Target: rs.Loader.DataDir, VolumeOptions: &mount.VolumeOptions{Labels: labels}})
	}
	labels[LabelState] = rs.StateKey
	opts := &mount.VolumeOptions{Labels: labels}
	if vols.Shared() {
		opts.DriverConfig = &mount.Driver{Name: vols.Driver, Options: vols.Options}
	}
	return append(out, mount.Mount{Type: mount.TypeVolume, Source: stateVolume(rs.StateKey, slotTemplate), Target: rs.Loader.DataDir, VolumeOptions: opts})
}

// restartPolicy restarts a failed task up to n times (Swarm counts attempts per slot); 0: never.
func restartPolicy(n int) *swarm.RestartPolicy {
	if n <= 0 {
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}
	}
	attempts, delay := uint64(n), restartDelay
	return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure, MaxAttempts: &attempts, Delay: &delay}
}

// fileMode is a File's mode, or def when it gives none.
func fileMode(m int64, def os.FileMode) os.FileMode {
	if m == 0 {
		return def
	}
	return os.FileMode(m)
}

// launchService creates the run's secrets and configs, then its service, and returns a Container
// per slot.
func (r *Runtime) launchService(ctx context.Context, rs RunSpec) ([]Container, error) {
	sw, err := r.swarmAPI()
	if err != nil {
		return nil, err
	}
	secrets, configs, err := r.createFiles(ctx, sw, rs)
	if err != nil {
		return nil, err
	}
	spec := rs.serviceSpec(r.scope, secrets, configs, r.volumes)
	// No registry is asked for the image's digest: images are built on the nodes themselves.
	resp, err := sw.ServiceCreate(ctx, spec, swarm.ServiceCreateOptions{QueryRegistry: false})
	if err != nil {
		return nil, fmt.Errorf("create service: %w", classify(err))
	}
	svc := swarm.Service{ID: resp.ID, Spec: spec}
	out := make([]Container, 0, rs.Loaders)
	for slot := 1; slot <= rs.Loaders; slot++ {
		c, _ := slotContainer(svc, slot, nil)
		out = append(out, c)
	}
	return out, nil
}

// createFiles makes a Swarm secret of every secret file and a config of every other file, labelled
// as the run's. What was made before a failure is removed by the caller (RemoveRun).
func (r *Runtime) createFiles(ctx context.Context, sw swarmEngine, rs RunSpec) (secrets, configs []swarmFile, err error) {
	labels := ownerLabels(r.scope, rs.Loader)
	prefix := "trafficinator-" + namePart(rs.Loader.RunID, 24) + "-" + randomSuffix() + "-"
	for i, f := range rs.Secrets {
		name := prefix + "s" + strconv.Itoa(i) + "-" + namePart(path.Base(f.Path), 20)
		resp, err := sw.SecretCreate(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: name, Labels: labels}, Data: f.Data})
		if err != nil {
			return nil, nil, fmt.Errorf("create secret for %s: %w", f.Path, classify(err))
		}
		secrets = append(secrets, swarmFile{File: f, id: resp.ID, name: name})
	}
	for i, f := range rs.Loader.Files {
		name := prefix + "c" + strconv.Itoa(i) + "-" + namePart(path.Base(f.Path), 20)
		resp, err := sw.ConfigCreate(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: name, Labels: labels}, Data: f.Data})
		if err != nil {
			return nil, nil, fmt.Errorf("create config for %s: %w", f.Path, classify(err))
		}
		configs = append(configs, swarmFile{File: f, id: resp.ID, name: name})
	}
	return secrets, configs, nil
}
