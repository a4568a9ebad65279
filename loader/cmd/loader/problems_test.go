package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every problem is printed once, led by its severity once: the content files' problems used to be
// printed per line and again under "catalog: N problems", and a warning read "warning: warning:".
func TestContentProblemsPrintedOnce(t *testing.T) {
	dir := t.TempDir()
	urls := filepath.Join(dir, "urls.txt")
	funnels := filepath.Join(dir, "funnels.json")
	if err := os.WriteFile(urls, []byte("ftp://x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(funnels, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "RANDOMIZE_VISITOR_COUNTRIES": "false",
		"URLS_FILE": urls, "FUNNEL_CONFIG_PATH": funnels}
	code, _, errs := runCLI(t, env)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d:\n%s", code, exitInvalid, errs)
	}
	want := []string{
		"error: " + urls + ` line 1: URL scheme must be http or https (value "ftp://x")`,
		"error: " + urls + ": the list has no URLs; add at least one http(s) URL per line",
		"warning: " + funnels + ": the funnels file is empty; no funnels will run",
	}
	if got := strings.Split(strings.TrimSpace(errs), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr:\n%s\nwant exactly:\n%s", errs, strings.Join(want, "\n"))
	}
}

// A huge invalid value is cut in the error line instead of being printed back whole.
func TestHugeValueIsCut(t *testing.T) {
	huge := strings.Repeat("9", 1<<20) + "x"
	tests := []struct {
		name string
		env  map[string]string
	}{
		// From the process environment.
		{"SEED", map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "SEED": huge}},
		// A long MATOMO_TARGETS that does not parse.
		{"MATOMO_TARGETS", map[string]string{"MATOMO_TARGETS": `[{"name":"` + huge + `"`}},
		// A huge value where a number belongs.
		{"TARGET_VISITS_PER_DAY", map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "TARGET_VISITS_PER_DAY": huge}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, tt.env, "validate")
			if code != exitInvalid || !strings.Contains(errs, "error: "+tt.name+`="`) {
				t.Fatalf("exit %d, want an error about %s:\n%.300s", code, tt.name, errs)
			}
			for _, line := range strings.Split(errs, "\n") {
				if len(line) > 400 {
					t.Errorf("a %d-byte line: %.200s…", len(line), line)
				}
			}
		})
	}
}
