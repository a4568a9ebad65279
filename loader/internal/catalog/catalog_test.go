package catalog

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/content"
)

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadDefaults(t *testing.T) {
	c, ps := Load(LoadOptions{})
	if len(ps) != 0 {
		t.Errorf("defaults gave problems: %v", ps)
	}
	if c.URLs.Len() < 19_000 || c.Site.Len() != c.URLs.Len() {
		t.Errorf("default catalog has %d URLs and %d site pages", c.URLs.Len(), c.Site.Len())
	}
	if len(c.ClickEvents()) != 16 || len(c.RandomEvents()) != 16 || c.Funnels != nil {
		t.Errorf("default events/funnels wrong: %s", c.Describe())
	}
	if !strings.Contains(c.Describe(), "16 click and 16 random events") {
		t.Errorf("Describe() = %q", c.Describe())
	}
}

func TestLoadUserFiles(t *testing.T) {
	dir := t.TempDir()
	var urls strings.Builder
	for _, p := range []string{"/", "/shop/", "/shop/shoes/", "/shop/shoes/a", "/shop/shoes/b", "/shop/hats/c"} {
		urls.WriteString("https://store.test" + p + "\n")
	}
	opts := LoadOptions{
		URLsFile:    writeFile(t, dir, "urls.txt", urls.String()),
		EventsFile:  writeFile(t, dir, "events.json", `{"click_events":[{"category":"CTA","action":"Click","name":"Buy"}],"random_events":[]}`),
		FunnelsFile: writeFile(t, dir, "funnels.json", `[{"name":"Buy","probability":0.2,"steps":[{"type":"pageview","url":"https://store.test/shop/"}]}]`),
	}
	c, ps := Load(opts)
	if err := ps.Err(); err != nil {
		t.Fatal(err)
	}
	// Warnings (few URLs, no random events) are returned with the file they are about.
	if len(ps) != 2 || ps[0].File != opts.URLsFile || ps[1].File != opts.EventsFile {
		t.Errorf("problems = %v, want two warnings naming their files", ps)
	}
	if c.URLs.Len() != 6 || len(c.ClickEvents()) != 1 || len(c.RandomEvents()) != 0 || len(c.Funnels) != 1 {
		t.Errorf("user files not used: %s", c.Describe())
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 100 {
		if p := c.Entry(r); !strings.HasPrefix(p.URL, "https://store.test/") {
			t.Fatalf("entry %q is not from the user's list", p.URL)
		}
	}
}

// A campaigns file replaces the built-in catalogue and is drawn by weight; a dimensions file is
// kept as parsed.
func TestLoadCampaignsAndDimensions(t *testing.T) {
	dir := t.TempDir()
	opts := LoadOptions{
		CampaignsFile:  writeFile(t, dir, "campaigns.csv", "name,source,medium,weight\nbig,newsletter,email,3\nsmall,google,cpc,1\n"),
		DimensionsFile: writeFile(t, dir, "dims.json", `{"dimensions":[{"id":2,"scope":"visit","values":["a","b"]}]}`),
	}
	c, ps := Load(opts)
	if len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	if len(c.DimensionSet.Dimensions) != 1 || c.DimensionSet.Dimensions[0].ID != 2 {
		t.Errorf("dimensions = %+v", c.DimensionSet)
	}
	r := rand.New(rand.NewPCG(7, 7))
	counts := map[string]int{}
	const n = 20_000
	for range n {
		counts[c.Campaign(r).Name]++
	}
	if len(counts) != 2 {
		t.Fatalf("campaigns drawn: %v", counts)
	}
	if share := float64(counts["big"]) / n; share < 0.73 || share > 0.77 {
		t.Errorf("big drawn %.3f of the time, want 0.75 (weights 3:1)", share)
	}
	if !strings.Contains(c.Describe(), "2 campaigns, 1 custom dimensions") {
		t.Errorf("Describe() = %q", c.Describe())
	}
	// Without files: the built-in catalogue, no dimensions.
	d, _ := Load(LoadOptions{})
	if len(d.CampaignSet.Campaigns) != len(content.DefaultCampaigns().Campaigns) || len(d.DimensionSet.Dimensions) != 0 {
		t.Errorf("defaults: %s", d.Describe())
	}
}

func TestLoadFailures(t *testing.T) {
	dir := t.TempDir()
	badURLs := writeFile(t, dir, "urls.txt", "ftp://x\n"+strings.Repeat("https://e.test/a\n", 1)+"mailto:y\n")
	badEvents := writeFile(t, dir, "events.json", `{"clicks":[]}`)
	badFunnels := writeFile(t, dir, "funnels.json", `[{"name":"F","probability":2,"steps":[]}]`)
	tests := []struct {
		name string
		opts LoadOptions
		// want is the problems, one line each as String renders them, in order; a line may be cut
		// short to a prefix
		want []string
	}{
		// A named file that does not exist fails instead of falling back to the defaults; the
		// problem names the setting and the path.
		{"missing urls", LoadOptions{URLsFile: filepath.Join(dir, "nope.txt")},
			[]string{`URLS_FILE="` + filepath.Join(dir, "nope.txt") + `": cannot read the file: no such file or directory`}},
		{"missing funnels", LoadOptions{FunnelsFile: filepath.Join(dir, "nope.json")},
			[]string{`FUNNEL_CONFIG_PATH="` + filepath.Join(dir, "nope.json") + `": cannot read the file: no such file`}},
		// Every problem of every file is listed once, each naming its file.
		{"all problems", LoadOptions{URLsFile: badURLs, EventsFile: badEvents, FunnelsFile: badFunnels}, []string{
			badURLs + ` line 1: URL scheme must be http or https (value "ftp://x")`, badURLs + " line 3: ", badURLs + ": only 1 URL",
			badEvents + ` line 1 clicks="[…]": unknown key "clicks"`, badEvents + ` click_events="": no events`, badEvents + ` random_events="": no events`,
			badFunnels + ` line 1 [0].probability="2": must be between 0 and 1`, badFunnels + ` line 1 [0].steps="[…]": must list at least one step`}},
		// Campaign and dimension files are checked like the others.
		{"campaigns and dimensions", LoadOptions{CampaignsFile: writeFile(t, dir, "c.csv", "name,weight\na,0\n"),
			DimensionsFile: writeFile(t, dir, "d.json", `{"dimensions":[{"id":1,"scope":"page","values":["x"]}]}`)}, []string{
			filepath.Join(dir, "c.csv") + ` line 2 weight="0": must be a number > 0`,
			filepath.Join(dir, "d.json") + ` line 1 dimensions[0].scope="page": must be "visit" or "action"`}},
		{"missing campaigns", LoadOptions{CampaignsFile: filepath.Join(dir, "nope.csv")},
			[]string{`CAMPAIGNS_FILE="` + filepath.Join(dir, "nope.csv") + `": cannot read the file: no such file`}},
		// A directory is not a file.
		{"directory", LoadOptions{EventsFile: dir}, []string{`EVENTS_FILE="` + dir + `": cannot read the file: is a directory`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := Load(tt.opts)
			if ps.Err() == nil || c != nil {
				t.Fatalf("Load succeeded, want errors")
			}
			if len(ps) != len(tt.want) {
				var all []string
				for _, p := range ps {
					all = append(all, p.String())
				}
				t.Fatalf("got %d problems, want %d:\n%s", len(ps), len(tt.want), strings.Join(all, "\n"))
			}
			for i, p := range ps {
				if !strings.HasPrefix(p.String(), tt.want[i]) {
					t.Errorf("problem %d = %s\nwant it to start with %s", i, p, tt.want[i])
				}
			}
		})
	}
}

func TestLoadRejectsHugeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "events.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxJSONFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, ps := Load(LoadOptions{EventsFile: path}); ps.Err() == nil || !strings.Contains(ps.Error(), "larger than") {
		t.Errorf("problems = %v, want a size error", ps)
	}
}

// Two catalogs drawing with equally seeded generators give identical visitors.
func TestCatalogDeterminism(t *testing.T) {
	a := New(content.DefaultURLs(), content.DefaultEvents(), nil)
	b := New(content.DefaultURLs(), content.DefaultEvents(), nil)
	draw := func(c *Catalog, seed uint64) []string {
		r := rand.New(rand.NewPCG(seed, seed))
		var out []string
		for range 300 {
			ua, res := c.Device(r)
			code, lang, ip := c.Country(r)
			kw, cat := c.SearchTerm(r)
			p := c.Next(r, c.Entry(r))
			out = append(out, ua, res, code, lang, ip, kw, cat, p.URL,
				c.Referrer(r, SourceSearch, kw), c.Referrer(r, SourceSocial, ""), c.Outlink(r), c.Download(r),
				c.Campaign(r).Query())
		}
		return out
	}
	if x, y := draw(a, 42), draw(b, 42); !slices.Equal(x, y) {
		t.Error("the same seed gave different draws")
	}
	if x, y := draw(a, 42), draw(a, 43); slices.Equal(x, y) {
		t.Error("different seeds gave the same draws")
	}
}
