package check

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// stopMargin is the time a loader needs after SHUTDOWN_GRACE to print its summary and exit (the
// control allows the same); the pod's termination grace period must cover both.
const stopMargin = 5 * time.Second

// checkShards builds the environment of each of the Job's n pods as Kubernetes would, decodes
// and validates it as the loader does, and checks what each shard gets: its index, the count,
// the Job's mode, a state file of its own on a shared claim (backfill), time to stop, and the
// metrics port.
func (b *build) checkShards(p *problems, j job, n int) {
	mode := j.Labels[modeLabel]
	if mode != "live" && mode != "backfill" {
		p.add("label %s is %q; want live or backfill", modeLabel, mode)
		return
	}
	c := &j.Spec.Template.Spec.Containers[0]
	user := b.asUserWould()
	states := map[string]int{}
	for i := range n {
		env := user.environ(c, i)
		cfg, err := config.Decode(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
		if err != nil {
			p.add("shard %d: the loader would not decode its environment: %v", i, err)
			continue
		}
		if errs := cfg.ValidateAt(time.Now()).Errors(); len(errs) > 0 {
			p.add("shard %d: the loader would refuse its configuration (with MATOMO_URL and a token set): %v", i, errs)
		}
		if cfg.ShardIndex != i || cfg.ShardCount != n {
			p.add("pod of completion index %d runs as shard %d of %d; want %d of %d", i, cfg.ShardIndex, cfg.ShardCount, i, n)
		}
		if n > 1 && !cfg.BackfillEnabled && cfg.InterArrival == config.ArrivalExponential && cfg.Seed == nil {
			p.add("shard %d: INTER_ARRIVAL=exponential needs one SEED for every shard, or their shares do not tile one schedule", i)
		}
		if cfg.BackfillEnabled != (mode == "backfill") {
			p.add("shard %d: BACKFILL_ENABLED=%t in a %s Job", i, cfg.BackfillEnabled, mode)
		}
		if mode == "backfill" {
			state := cfg.BackfillStatePath()
			if other, dup := states[state]; dup {
				p.add("shards %d and %d share the state file %s: put %s in BACKFILL_STATE_FILE", other, i, state, config.ShardPlaceholder)
			}
			states[state] = i
			b.checkStateOnClaim(p, &j.Spec.Template.Spec, c, i, state)
		}
		grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
		if g := j.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = *g
		}
		if need := cfg.ShutdownGrace + stopMargin; time.Duration(grace)*time.Second < need {
			p.add("terminationGracePeriodSeconds %d is shorter than SHUTDOWN_GRACE + %v (%v): a stopped loader would be killed mid-drain", grace, stopMargin, need)
		}
		if port := metricsPort(cfg.MetricsAddr); port != "" && !hasPort(c, "metrics", port) {
			p.add("METRICS_ADDR %s: the container declares no port named metrics on %s", cfg.MetricsAddr, port)
		}
	}
}

// checkStateOnClaim checks that shard i's state file lies on a writable mount of a
// ReadWriteMany claim of the build: shared by all the Job's pods, wherever they run, and kept
// when a pod is replaced.
func (b *build) checkStateOnClaim(p *problems, pod *corev1.PodSpec, c *corev1.Container, i int, state string) {
	for _, m := range c.VolumeMounts {
		if !strings.HasPrefix(state, strings.TrimSuffix(m.MountPath, "/")+"/") {
			continue
		}
		if m.ReadOnly {
			p.add("shard %d: state file %s is on the read-only mount %s", i, state, m.MountPath)
		}
		v := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if v < 0 || pod.Volumes[v].PersistentVolumeClaim == nil {
			p.add("state file %s: volume %s is not a PersistentVolumeClaim: the state would die with the pod", state, m.Name)
			return
		}
		name := pod.Volumes[v].PersistentVolumeClaim.ClaimName
		claim, ok := b.claims[name]
		switch {
		case !ok:
			p.add("state file %s: no PersistentVolumeClaim %q in the build", state, name)
		case !slices.Contains(claim.Spec.AccessModes, corev1.ReadWriteMany):
			p.add("PersistentVolumeClaim %s must be ReadWriteMany: every shard's pod mounts it, on any node", name)
		}
		return
	}
	p.add("shard %d: state file %s is on no mounted volume: it would be lost with the pod", i, state)
}

// hasPort reports whether c declares a TCP port of that name and number.
func hasPort(c *corev1.Container, name, port string) bool {
	return slices.ContainsFunc(c.Ports, func(cp corev1.ContainerPort) bool {
		return cp.Name == name && strconv.Itoa(int(cp.ContainerPort)) == port
	})
}

// sortedKeys returns m's keys in order, so that problems come out in a stable order.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
