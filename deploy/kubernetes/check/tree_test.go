package check

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// tree is the deploy/kubernetes directory read into memory, keyed by slash path relative to it,
// so that tests can break a copy of it.
type tree map[string]string

// readTree reads every file under root except the checker's own module.
func readTree(root string) (tree, error) {
	t := tree{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "check" {
				return fs.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		t[rel] = string(b)
		return err
	})
	return t, err
}

// clone returns a copy that may be changed without touching t.
func (t tree) clone() tree { return maps.Clone(t) }

// kustomizationFile is the name kustomize looks for in a directory.
const kustomizationFile = "kustomization.yaml"

// kustomization is the part of kustomize's Kustomization that these manifests use. It is decoded
// strictly too: a field the checker does not know fails until the checker learns it.
type kustomization struct {
	APIVersion         string      `json:"apiVersion"`
	Kind               string      `json:"kind"`
	Resources          []string    `json:"resources,omitempty"`
	ConfigMapGenerator []generator `json:"configMapGenerator,omitempty"`
	SecretGenerator    []generator `json:"secretGenerator,omitempty"`
}

// generator is a ConfigMap or Secret generator: keys from env files and literals.
type generator struct {
	Name     string   `json:"name"`
	Behavior string   `json:"behavior,omitempty"`
	Envs     []string `json:"envs,omitempty"`
	Literals []string `json:"literals,omitempty"`
}

// job is a decoded Job and the file it came from.
type job struct {
	file string
	*batchv1.Job
}

// build is what a kustomization and its bases amount to: the objects, and the data of the
// ConfigMaps and Secrets its generators make, by name.
type build struct {
	dir        string
	jobs       []job
	claims     map[string]*corev1.PersistentVolumeClaim
	configMaps map[string]map[string]string
	secrets    map[string]map[string]string
	files      map[string]bool // every file of the tree the build read
}

// build follows the kustomization in dir, its resources and its generators, as kustomize build
// would, and reports every problem it meets.
func (t tree) build(dir string) (*build, []error) {
	b := &build{dir: dir, claims: map[string]*corev1.PersistentVolumeClaim{},
		configMaps: map[string]map[string]string{}, secrets: map[string]map[string]string{}, files: map[string]bool{}}
	return b, t.addKustomization(b, dir, map[string]bool{})
}

func (t tree) addKustomization(b *build, dir string, seen map[string]bool) []error {
	kf := path.Join(dir, kustomizationFile)
	if seen[dir] {
		return []error{fmt.Errorf("%s: resources loop back to %s", kf, dir)}
	}
	seen[dir] = true
	src, ok := t[kf]
	if !ok {
		return []error{fmt.Errorf("%s: no such file", kf)}
	}
	b.files[kf] = true
	var k kustomization
	if err := decodeStrict(src, &k); err != nil {
		return []error{fmt.Errorf("%s: %w", kf, err)}
	}
	var errs []error
	if k.APIVersion != "kustomize.config.k8s.io/v1beta1" || k.Kind != "Kustomization" {
		errs = append(errs, fmt.Errorf("%s: apiVersion/kind %s/%s, want kustomize.config.k8s.io/v1beta1/Kustomization", kf, k.APIVersion, k.Kind))
	}
	for _, r := range k.Resources {
		p := path.Clean(path.Join(dir, r))
		switch {
		case t.isDir(p):
			errs = append(errs, t.addKustomization(b, p, seen)...)
		case t.isFile(p):
			b.files[p] = true
			errs = append(errs, b.addObject(p, t[p])...)
		default:
			errs = append(errs, fmt.Errorf("%s: resource %s: no such file or kustomization", kf, r))
		}
	}
	for _, g := range k.ConfigMapGenerator {
		errs = append(errs, t.generate(b, kf, g, b.configMaps)...)
	}
	for _, g := range k.SecretGenerator {
		errs = append(errs, t.generate(b, kf, g, b.secrets)...)
	}
	return errs
}

// isFile reports whether t has a file at p.
func (t tree) isFile(p string) bool { _, ok := t[p]; return ok }

// isDir reports whether p is a directory holding a kustomization.
func (t tree) isDir(p string) bool {
	_, ok := t[path.Join(p, kustomizationFile)]
	return ok
}

// generate adds the data generator g makes to into, honouring its behavior as kustomize does.
func (t tree) generate(b *build, kf string, g generator, into map[string]map[string]string) []error {
	var errs []error
	data := map[string]string{}
	add := func(src, line string) {
		k, v, ok := strings.Cut(line, "=")
		switch {
		case !ok || k == "":
			errs = append(errs, fmt.Errorf("%s: generator %s: %s: %q is not KEY=VALUE", kf, g.Name, src, line))
		case hasKey(data, k):
			errs = append(errs, fmt.Errorf("%s: generator %s: key %s given twice", kf, g.Name, k))
		default:
			data[k] = v
		}
	}
	for _, e := range g.Envs {
		p := path.Join(path.Dir(kf), e)
		src, ok := t[p]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: generator %s: env file %s: no such file", kf, g.Name, e))
			continue
		}
		b.files[p] = true
		for _, line := range envLines(src) {
			add(p, line)
		}
	}
	for _, l := range g.Literals {
		add("literal", l)
	}
	old, exists := into[g.Name]
	switch g.Behavior {
	case "", "create":
		if exists {
			errs = append(errs, fmt.Errorf("%s: generator %s exists already (use behavior merge or replace)", kf, g.Name))
		}
		into[g.Name] = data
	case "merge", "replace":
		if !exists {
			errs = append(errs, fmt.Errorf("%s: generator %s: nothing to %s", kf, g.Name, g.Behavior))
		}
		if g.Behavior == "merge" && exists {
			maps.Copy(old, data)
			data = old
		}
		into[g.Name] = data
	default:
		errs = append(errs, fmt.Errorf("%s: generator %s: unknown behavior %q", kf, g.Name, g.Behavior))
	}
	return errs
}

// envLines returns the KEY=VALUE lines of an env file as kustomize reads them: blank lines and
// comments skipped, values taken as they are (no unquoting).
func envLines(src string) []string {
	var out []string
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimLeft(strings.TrimRight(line, "\r"), " \t")
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// addObject decodes the one manifest in file strictly into its k8s.io/api type.
func (b *build) addObject(file, src string) []error {
	if strings.Contains("\n"+src, "\n---") {
		return []error{fmt.Errorf("%s: one object per file, please", file)}
	}
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal([]byte(src), &tm); err != nil {
		return []error{fmt.Errorf("%s: %w", file, err)}
	}
	switch tm.APIVersion + " " + tm.Kind {
	case "batch/v1 Job":
		j := &batchv1.Job{}
		if err := decodeStrict(src, j); err != nil {
			return []error{fmt.Errorf("%s: %w", file, err)}
		}
		b.jobs = append(b.jobs, job{file: file, Job: j})
	case "v1 PersistentVolumeClaim":
		c := &corev1.PersistentVolumeClaim{}
		if err := decodeStrict(src, c); err != nil {
			return []error{fmt.Errorf("%s: %w", file, err)}
		}
		b.claims[c.Name] = c
	default:
		return []error{fmt.Errorf("%s: %s %s: the checker knows Job and PersistentVolumeClaim only", file, tm.APIVersion, tm.Kind)}
	}
	return nil
}

// decodeStrict decodes YAML into v as the API server's strict field validation does: duplicate
// keys, unknown fields and fields spelt in another case are errors.
func decodeStrict(src string, v any) error {
	js, err := yaml.YAMLToJSONStrict([]byte(src))
	if err != nil {
		return err
	}
	strict, err := k8sjson.UnmarshalStrict(js, v)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("strict decoding: %s", strings.Join(msgs, "; "))
	}
	return nil
}

// kustomizationDirs lists the directories of t that hold a kustomization, sorted.
func (t tree) kustomizationDirs() []string {
	var dirs []string
	for p := range t {
		if path.Base(p) == kustomizationFile {
			dirs = append(dirs, path.Dir(p))
		}
	}
	slices.Sort(dirs)
	return dirs
}

// parseEnv reads env-file lines into a map, values as they are.
func parseEnv(src string) map[string]string {
	m := map[string]string{}
	for _, line := range envLines(src) {
		k, v, _ := strings.Cut(line, "=")
		m[k] = v
	}
	return m
}
