package check

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// What every loader Job must have.
const (
	containerName = "loader"
	loaderImage   = "trafficinator/loader" // the repository; kustomize's images: may rename it
	nonRootID     = 65532                  // the image's user, as in the compose services
	modeLabel     = "trafficinator.io/mode"
	exitInvalid   = 2 // the loader's exit code for an invalid configuration
)

// indexFieldPath is the downward-API path of a pod's completion index.
var indexFieldPath = "metadata.annotations['" + batchv1.JobCompletionIndexAnnotation + "']"

// problems collects what is wrong with one file.
type problems struct {
	file string
	errs []error
}

func (p *problems) add(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", p.file, fmt.Sprintf(format, args...)))
}

// checkJob checks one Job of b: an Indexed Job whose pods run the loader safely, wired to the
// build's ConfigMaps and Secrets, with the completion index as the shard.
func (b *build) checkJob(j job) []error {
	p := &problems{file: j.file}
	n := checkIndexed(p, &j.Spec)
	pod := &j.Spec.Template.Spec
	checkPod(p, pod)
	if len(pod.Containers) != 1 || pod.Containers[0].Name != containerName || len(pod.InitContainers) > 0 {
		p.add("want exactly one container, named %s", containerName)
		return p.errs
	}
	c := &pod.Containers[0]
	checkContainer(p, c)
	b.checkEnv(p, c, n)
	if n > 0 {
		b.checkShards(p, j, n)
	}
	return p.errs
}

// checkIndexed checks the Job's own spec and returns its completions (0 when unusable).
func checkIndexed(p *problems, s *batchv1.JobSpec) int {
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		p.add("completionMode must be Indexed: the completion index is the shard")
	}
	if s.Completions == nil || *s.Completions < 1 {
		p.add("completions must be set (it is SHARD_COUNT)")
		return 0
	}
	n := int(*s.Completions)
	if s.Parallelism == nil || int(*s.Parallelism) != n {
		p.add("parallelism must equal completions (%d): every shard runs at once", n)
	}
	if s.PodReplacementPolicy == nil || *s.PodReplacementPolicy != batchv1.Failed {
		p.add("podReplacementPolicy must be Failed: no second pod of a shard while the first still runs")
	}
	if s.BackoffLimitPerIndex == nil {
		p.add("backoffLimitPerIndex must be set: a failing shard is retried on its own")
	}
	failsOnInvalid := false
	if s.PodFailurePolicy != nil {
		for _, r := range s.PodFailurePolicy.Rules {
			e := r.OnExitCodes
			failsOnInvalid = failsOnInvalid || (r.Action == batchv1.PodFailurePolicyActionFailJob && e != nil &&
				e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && slices.Contains(e.Values, exitInvalid))
		}
	}
	if !failsOnInvalid {
		p.add("podFailurePolicy must fail the Job on exit code %d (invalid configuration): retrying cannot help", exitInvalid)
	}
	if s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		p.add("restartPolicy must be Never (podFailurePolicy and backoffLimitPerIndex need it)")
	}
	return n
}

// checkPod checks the pod-level security settings.
func checkPod(p *problems, pod *corev1.PodSpec) {
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		p.add("automountServiceAccountToken must be false: the loader does not use the Kubernetes API")
	}
	sc := pod.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != nonRootID ||
		sc.RunAsGroup == nil || *sc.RunAsGroup != nonRootID {
		p.add("pod securityContext must run as non-root user and group %d", nonRootID)
	}
}

// checkContainer checks the loader container's image, security context and resources.
func checkContainer(p *problems, c *corev1.Container) {
	if repo, _, _ := strings.Cut(c.Image, ":"); repo != loaderImage {
		p.add("image %q: want %s (rename it with kustomize's images:, not here)", c.Image, loaderImage)
	}
	sc := c.SecurityContext
	switch sc {
	case nil:
		p.add("container securityContext missing")
	default:
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			p.add("readOnlyRootFilesystem must be true")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			p.add("allowPrivilegeEscalation must be false")
		}
		if sc.Privileged != nil && *sc.Privileged {
			p.add("privileged must not be true")
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
			p.add("capabilities must drop ALL and add none")
		}
	}
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		switch {
		case !okReq || !okLim:
			p.add("resources: %s needs a request and a limit", r)
		case req.Cmp(lim) > 0:
			p.add("resources: %s request %s above its limit %s", r, req.String(), lim.String())
		}
	}
}

// carriesToken reports whether a setting holds a token (and so belongs in a Secret).
func carriesToken(name string) bool {
	info, ok := config.Lookup(name)
	return ok && (info.Secret || info.Type == config.TypeTargets)
}

// checkEnv checks every variable the container gets: its name, where its value comes from, and
// the shard wiring.
func (b *build) checkEnv(p *problems, c *corev1.Container, n int) {
	seen := map[string]bool{}
	for _, e := range c.Env {
		if _, ok := config.Lookup(e.Name); !ok && e.Name != config.EnvJobCompletionIndex {
			p.add("env %s: not a loader setting (pkg/config has no such name)", e.Name)
		}
		if seen[e.Name] {
			p.add("env %s: given twice", e.Name)
		}
		seen[e.Name] = true
		vf := e.ValueFrom
		switch {
		case carriesToken(e.Name) && (vf == nil || vf.SecretKeyRef == nil):
			p.add("env %s carries a token: take it from a Secret (secretKeyRef), never a literal or a ConfigMap", e.Name)
		case vf == nil:
		case vf.SecretKeyRef != nil:
			b.checkKeyRef(p, e.Name, "Secret", b.secrets, vf.SecretKeyRef.Name, vf.SecretKeyRef.Key)
		case vf.ConfigMapKeyRef != nil:
			b.checkKeyRef(p, e.Name, "ConfigMap", b.configMaps, vf.ConfigMapKeyRef.Name, vf.ConfigMapKeyRef.Key)
		case vf.FieldRef != nil && e.Name != config.EnvJobCompletionIndex:
			p.add("env %s: only %s comes from the downward API", e.Name, config.EnvJobCompletionIndex)
		}
		if e.Name == config.EnvJobCompletionIndex && (vf == nil || vf.FieldRef == nil || vf.FieldRef.FieldPath != indexFieldPath) {
			p.add("env %s must come from the downward API, fieldPath %s", e.Name, indexFieldPath)
		}
		if e.Name == "SHARD_COUNT" && (vf != nil || e.Value != strconv.Itoa(n)) {
			p.add("env SHARD_COUNT is %q; it must be the Job's completions, %d", e.Value, n)
		}
	}
	if !seen[config.EnvJobCompletionIndex] {
		p.add("env %s missing: it must come from %s, or every pod is shard 0", config.EnvJobCompletionIndex, indexFieldPath)
	}
	if !seen["SHARD_COUNT"] {
		p.add("env SHARD_COUNT missing: it must be the Job's completions, %d", n)
	}
	if seen["SHARD_INDEX"] {
		p.add("env SHARD_INDEX is set: the completion index must be the shard, so leave SHARD_INDEX unset")
	}
	for _, ef := range c.EnvFrom {
		if ef.Prefix != "" {
			p.add("envFrom with prefix %q: the loader's names have none", ef.Prefix)
		}
		kind, data, name := "ConfigMap", map[string]string(nil), ""
		switch {
		case ef.ConfigMapRef != nil:
			name = ef.ConfigMapRef.Name
			data = b.configMaps[name]
		case ef.SecretRef != nil:
			kind, name = "Secret", ef.SecretRef.Name
			data = b.secrets[name]
		}
		if data == nil {
			p.add("envFrom: no %s %q in the build", kind, name)
			continue
		}
		for _, k := range sortedKeys(data) {
			switch _, ok := config.Lookup(k); {
			case !ok:
				p.add("%s %s: key %s is not a loader setting", kind, name, k)
			case k == "SHARD_INDEX" || k == "SHARD_COUNT":
				p.add("%s %s sets %s: the Job owns the shard settings (completion index, completions)", kind, name, k)
			case kind == "ConfigMap" && carriesToken(k):
				p.add("ConfigMap %s holds %s: tokens belong in the Secret", name, k)
			}
		}
	}
}

// checkKeyRef checks that a Secret or ConfigMap of the build has the key an env var reads.
func (b *build) checkKeyRef(p *problems, env, kind string, in map[string]map[string]string, name, key string) {
	data, ok := in[name]
	switch {
	case !ok:
		p.add("env %s: no %s %q in the build", env, kind, name)
	case !hasKey(data, key):
		p.add("env %s: %s %s has no key %s", env, kind, name, key)
	}
}

// userInputs are what a user sets before applying (docs/scaling.md): MATOMO_URL in the
// ConfigMap, and a token in the Secret.
var userInputs = map[string]string{
	"MATOMO_URL":        "https://analytics.example.org/matomo.php",
	"MATOMO_TOKEN_AUTH": "0123456789abcdef0123456789abcdef",
}

// asUserWould returns b with userInputs filled in wherever a ConfigMap or a Secret of b has that
// key, as the user's overlay would: MATOMO_URL in ConfigMaps, the token in Secrets. A Job that
// does not read them still lacks them.
func (b *build) asUserWould() *build {
	fill := func(in map[string]map[string]string, key string) map[string]map[string]string {
		out := make(map[string]map[string]string, len(in))
		for name, data := range in {
			data = maps.Clone(data)
			if hasKey(data, key) {
				data[key] = userInputs[key]
			}
			out[name] = data
		}
		return out
	}
	u := *b
	u.configMaps = fill(b.configMaps, "MATOMO_URL")
	u.secrets = fill(b.secrets, "MATOMO_TOKEN_AUTH")
	return &u
}

// environ is the environment the container of completion index i gets, as the kubelet builds
// it: envFrom sources in order, then env, which wins.
func (b *build) environ(c *corev1.Container, i int) map[string]string {
	env := map[string]string{}
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			for k, v := range b.configMaps[ef.ConfigMapRef.Name] {
				env[k] = v
			}
		case ef.SecretRef != nil:
			for k, v := range b.secrets[ef.SecretRef.Name] {
				env[k] = v
			}
		}
	}
	for _, e := range c.Env {
		vf := e.ValueFrom
		switch {
		case vf == nil:
			env[e.Name] = e.Value
		case vf.SecretKeyRef != nil:
			if v, ok := b.secrets[vf.SecretKeyRef.Name][vf.SecretKeyRef.Key]; ok {
				env[e.Name] = v
			}
		case vf.ConfigMapKeyRef != nil:
			if v, ok := b.configMaps[vf.ConfigMapKeyRef.Name][vf.ConfigMapKeyRef.Key]; ok {
				env[e.Name] = v
			}
		case vf.FieldRef != nil && vf.FieldRef.FieldPath == indexFieldPath:
			env[e.Name] = strconv.Itoa(i)
		}
	}
	return env
}

// metricsPort returns the port of METRICS_ADDR, or "" when metrics are off.
func metricsPort(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	return port
}
