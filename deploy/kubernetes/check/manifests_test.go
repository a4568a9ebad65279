package check

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

const (
	root         = ".."                           // deploy/kubernetes, from this package
	presetSource = "../../../presets/.env.medium" // the preset the ConfigMap is built from
	presetCopy   = "base/preset.env"              // its copy in the tree, minus the token line
)

// manifestExts are the extensions of the files that must be part of some build.
var manifestExts = []string{".yaml", ".yml", ".env", ".json"}

// checkTree runs every check on t: each kustomization builds, each Job is wired right, every
// manifest and env file is part of a build, both modes are there, and the ConfigMap's source is
// the preset. preset is the content of presets/.env.medium.
func checkTree(t tree, preset string) []error {
	var errs []error
	used := map[string]bool{}
	modes := map[string]bool{}
	for _, dir := range t.kustomizationDirs() {
		b, bErrs := t.build(dir)
		errs = append(errs, bErrs...)
		for f := range b.files {
			used[f] = true
		}
		for _, j := range b.jobs {
			errs = append(errs, b.checkJob(j)...)
			modes[j.Labels[modeLabel]] = true
		}
	}
	for _, f := range sortedFiles(t) {
		if slices.Contains(manifestExts, path.Ext(f)) && !used[f] {
			errs = append(errs, fmt.Errorf("%s: listed by no kustomization (resources, or a generator's envs)", f))
		}
	}
	for _, m := range []string{"live", "backfill"} {
		if !modes[m] {
			errs = append(errs, fmt.Errorf("no %s Job in any kustomization", m))
		}
	}
	return append(errs, checkPreset(t[presetCopy], preset)...)
}

// checkPreset checks that the ConfigMap's source is presets/.env.medium, setting for setting,
// except the settings that carry tokens, which the Secret holds.
func checkPreset(copySrc, presetSrc string) []error {
	want, probs := config.ParseEnvFile(strings.NewReader(presetSrc))
	if len(probs) > 0 {
		return []error{fmt.Errorf("%s: %w", presetSource, probs.Err())}
	}
	for k := range want {
		if carriesToken(k) {
			delete(want, k)
		}
	}
	got := parseEnv(copySrc)
	var errs []error
	for _, k := range sortedKeys(want) {
		if v, ok := got[k]; !ok || v != want[k] {
			errs = append(errs, fmt.Errorf("%s: %s=%q, but %s says %q", presetCopy, k, v, presetSource, want[k]))
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			errs = append(errs, fmt.Errorf("%s: %s is not in %s (or carries a token)", presetCopy, k, presetSource))
		}
	}
	return errs
}

func sortedFiles(t tree) []string {
	m := make(map[string]string, len(t))
	for k := range t {
		m[k] = ""
	}
	return sortedKeys(m)
}

// load reads the tree and the preset, failing the test when either cannot be read.
func load(t *testing.T) (tree, string) {
	t.Helper()
	tr, err := readTree(root)
	if err != nil {
		t.Fatal(err)
	}
	preset, err := os.ReadFile(presetSource)
	if err != nil {
		t.Fatal(err)
	}
	return tr, string(preset)
}

// The manifests in deploy/kubernetes decode strictly into the k8s.io/api types and are wired to
// the loader correctly.
func TestManifests(t *testing.T) {
	tr, preset := load(t)
	for _, err := range checkTree(tr, preset) {
		t.Error(err)
	}
	jobs := 0
	for _, dir := range tr.kustomizationDirs() {
		b, _ := tr.build(dir)
		jobs += len(b.jobs)
	}
	if jobs == 0 {
		t.Fatal("no Job checked: the test proves nothing")
	}
}

// Each way of breaking the manifests is caught, with a message that says what is wrong: the
// checks above can fail. Every row breaks the real files in one place.
func TestBrokenManifestsFail(t *testing.T) {
	cases := []struct {
		name           string
		file, old, new string
		want           string // part of one reported problem
	}{
		{"a field the Job type does not have",
			"live/job.yaml", "  backoffLimitPerIndex: 5\n", "  backoffLimitPerIndex: 5\n  backofLimit: 3\n",
			`unknown field "spec.backofLimit"`},
		{"a known field spelt in another case, which Kubernetes does not accept",
			"backfill/pvc.yaml", "  accessModes:", "  AccessModes:",
			`unknown field "spec.AccessModes"`},
		{"a key given twice",
			"live/job.yaml", "  parallelism: 3\n", "  parallelism: 3\n  parallelism: 2\n",
			`already set in map`},
		{"an env name the loader does not know",
			"live/job.yaml", "- name: BACKFILL_ENABLED", "- name: BACKFILL_ENABLE",
			"env BACKFILL_ENABLE: not a loader setting"},
		{"a ConfigMap key the loader does not know",
			"base/kustomization.yaml", "- METRICS_ADDR=:9090", "- METRIC_ADDR=:9090",
			"key METRIC_ADDR is not a loader setting"},
		{"a Secret without the key a Job reads",
			"base/tokens.example.env", "MATOMO_TOKEN_AUTH=\n", "",
			"has no key MATOMO_TOKEN_AUTH"},
		{"a Secret the build does not make",
			"backfill/job.yaml", "name: trafficinator-tokens\n                  key: MATOMO_TOKEN_AUTH",
			"name: matomo-tokens\n                  key: MATOMO_TOKEN_AUTH",
			`no Secret "matomo-tokens"`},
		{"a token as a literal value",
			"live/job.yaml", "            - name: MATOMO_TOKEN_AUTH\n              valueFrom:\n                secretKeyRef:\n                  name: trafficinator-tokens\n                  key: MATOMO_TOKEN_AUTH\n",
			"            - name: MATOMO_TOKEN_AUTH\n              value: 0123456789abcdef0123456789abcdef\n",
			"carries a token"},
		{"a backfill Job that does not read the token",
			"backfill/job.yaml", "            - name: MATOMO_TOKEN_AUTH\n              valueFrom:\n                secretKeyRef:\n                  name: trafficinator-tokens\n                  key: MATOMO_TOKEN_AUTH\n", "",
			"backfill needs a token"},
		{"a token in the ConfigMap",
			"base/preset.env", "MATOMO_SITE_ID=1\n", "MATOMO_SITE_ID=1\nMATOMO_TOKEN_AUTH=0123456789abcdef0123456789abcdef\n",
			"tokens belong in the Secret"},
		{"the completion index not passed to the loader",
			"live/job.yaml", "            - name: JOB_COMPLETION_INDEX\n              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']\n", "",
			"env JOB_COMPLETION_INDEX missing"},
		{"the index taken from the wrong field",
			"backfill/job.yaml", "job-completion-index']", "job-index-failure-count']",
			"must come from the downward API"},
		{"SHARD_INDEX set for every pod",
			"base/kustomization.yaml", "      - METRICS_ADDR=:9090\n", "      - METRICS_ADDR=:9090\n      - SHARD_INDEX=0\n",
			"sets SHARD_INDEX"},
		{"SHARD_COUNT not the completions",
			"live/job.yaml", "  completions: 3\n", "  completions: 4\n",
			"it must be the Job's completions, 4"},
		{"not an Indexed Job",
			"live/job.yaml", "  completionMode: Indexed\n", "  completionMode: NonIndexed\n",
			"completionMode must be Indexed"},
		{"every backfill shard on one state file",
			"backfill/job.yaml", "/data/backfill-state-{shard}.json", "/data/backfill-state.json",
			"share the state file /data/backfill-state.json"},
		{"the state file off the claim",
			"backfill/job.yaml", "value: /data/backfill-state-{shard}.json", "value: /tmp/backfill-state-{shard}.json",
			"is on no mounted volume"},
		{"a claim only one node can mount",
			"backfill/pvc.yaml", "    - ReadWriteMany", "    - ReadWriteOnce",
			"must be ReadWriteMany"},
		{"a live Job that would backfill",
			"live/job.yaml", "              value: \"false\"", "              value: \"true\"",
			"BACKFILL_ENABLED=true in a live Job"},
		{"Poisson arrivals drawn from a different seed in each shard",
			"base/kustomization.yaml", "      - METRICS_ADDR=:9090\n", "      - METRICS_ADDR=:9090\n      - INTER_ARRIVAL=exponential\n",
			"needs one SEED for every shard"},
		{"a backfill window ending on a day that does not exist",
			"backfill/kustomization.yaml", "BACKFILL_END_DATE=2026-11-07", "BACKFILL_END_DATE=2026-11-31",
			"would refuse its configuration"},
		{"a writable root file system",
			"live/job.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
			"readOnlyRootFilesystem must be true"},
		{"root",
			"backfill/job.yaml", "        runAsUser: 65532\n", "        runAsUser: 0\n",
			"non-root user and group 65532"},
		{"no memory limit",
			"live/job.yaml", "              memory: 512Mi\n", "",
			"memory needs a request and a limit"},
		{"a grace period shorter than the loader's drain",
			"live/job.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 5",
			"shorter than SHUTDOWN_GRACE"},
		{"a resource file no kustomization lists",
			"backfill/kustomization.yaml", "  - pvc.yaml\n", "",
			"backfill/pvc.yaml: listed by no kustomization"},
		{"a resource that does not exist",
			"live/kustomization.yaml", "  - job.yaml\n", "  - job.yaml\n  - service.yaml\n",
			"resource service.yaml: no such file"},
		{"an overlay merging into a ConfigMap no base makes",
			"backfill/kustomization.yaml", "  - name: trafficinator-backfill\n", "  - name: trafficinator-backfill\n    behavior: merge\n",
			"generator trafficinator-backfill: nothing to merge"},
		{"the ConfigMap drifting from the preset",
			"base/preset.env", "TARGET_VISITS_PER_DAY=10000", "TARGET_VISITS_PER_DAY=20000",
			"but ../../../presets/.env.medium says \"10000\""},
	}
	tr, preset := load(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			broken := tr.clone()
			if n := strings.Count(broken[tc.file], tc.old); n != 1 {
				t.Fatalf("%s has %q %d times; the row must break exactly one place", tc.file, tc.old, n)
			}
			broken[tc.file] = strings.Replace(broken[tc.file], tc.old, tc.new, 1)
			errs := checkTree(broken, preset)
			for _, err := range errs {
				if strings.Contains(err.Error(), tc.want) {
					return
				}
			}
			t.Errorf("no problem mentions %q; got %d:", tc.want, len(errs))
			for _, err := range errs {
				t.Log(err)
			}
		})
	}
}
