package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fileToken = "0123456789abcdef0123456789abcdef"

// A token can come from a file, for the legacy target and for each of MATOMO_TARGETS; what cannot
// be used is reported per setting, with the path and never the file's content.
func TestReadTokenFiles(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good", fileToken+"\n")
	other := writeFile(t, dir, "other", "  fedcba9876543210fedcba9876543210  ")
	empty := writeFile(t, dir, "empty", "\n")
	twoLines := writeFile(t, dir, "two-lines", fileToken+"\nsecond "+fileToken)
	big := writeFile(t, dir, "big", strings.Repeat("a", maxTokenFileSize+1))
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		name   string
		env    map[string]string
		tokens []string // the resolved targets' tokens, when no problem is expected
		probs  []string // "FIELD: words" of each expected problem, in order
	}{
		// The legacy target's token comes from MATOMO_TOKEN_AUTH_FILE, its newline dropped.
		{"legacy file", map[string]string{"MATOMO_URL": "http://127.0.0.1:9/matomo.php", "MATOMO_TOKEN_AUTH_FILE": good}, []string{fileToken}, nil},
		// Each target's token comes from its own file, spaces around it dropped.
		{"target files", map[string]string{"MATOMO_TARGETS": targetsWithFiles(good, other)},
			[]string{fileToken, "fedcba9876543210fedcba9876543210"}, nil},
		// Every unusable file is reported at once.
		{"bad files", map[string]string{"MATOMO_TARGETS": targetsWithFiles(missing, empty, twoLines, big)}, nil, []string{
			"MATOMO_TARGETS[0].token_auth_file: cannot be read: no such file",
			"MATOMO_TARGETS[1].token_auth_file: is empty",
			"MATOMO_TARGETS[2].token_auth_file: must hold the token alone",
			"MATOMO_TARGETS[3].token_auth_file: holds more than 4096 bytes"}},
		// A token given both ways is refused: which one was meant?
		{"both", map[string]string{"MATOMO_TOKEN_AUTH_FILE": good, "MATOMO_TOKEN_AUTH": "abcd"}, nil,
			[]string{"MATOMO_TOKEN_AUTH_FILE: give the token or a file holding it, not both"}},
		// A directory is not a token file.
		{"directory", map[string]string{"MATOMO_TOKEN_AUTH_FILE": dir}, nil, []string{"MATOMO_TOKEN_AUTH_FILE: cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Decode(mapLookup(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			ps := c.ReadTokenFiles()
			if len(ps) != len(tt.probs) {
				t.Fatalf("problems %v, want %d", ps, len(tt.probs))
			}
			for i, want := range tt.probs {
				field, words, _ := strings.Cut(want, ": ")
				if ps[i].Field != field || !strings.Contains(ps[i].Message, words) || ps[i].Severity != SeverityError {
					t.Errorf("problem %d = %+v, want %q", i, ps[i], want)
				}
				if strings.Contains(ps[i].String(), fileToken) || strings.Contains(ps[i].String(), "aaaa") {
					t.Errorf("problem %d shows the file's content: %s", i, ps[i])
				}
			}
			if len(tt.probs) > 0 {
				return
			}
			var got []string
			for _, tg := range c.ResolvedTargets() {
				got = append(got, tg.Token)
				if tg.TokenFile != "" {
					t.Errorf("target %q keeps its token file after reading it", tg.Name)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.tokens, ",") {
				t.Errorf("tokens %q, want %q", got, tt.tokens)
			}
			if ps := c.Validate(); ps.Err() != nil {
				t.Errorf("the config with its tokens read does not validate: %v", ps)
			}
		})
	}
}

// writeFile writes a token file readable by its owner only and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o400); err != nil {
		t.Fatal(err)
	}
	return p
}

// targetsWithFiles is a MATOMO_TARGETS value of one target per token file.
func targetsWithFiles(files ...string) string {
	var parts []string
	for i, f := range files {
		parts = append(parts, `{"name":"t`+string(rune('a'+i))+`","url":"http://127.0.0.1:9/matomo.php","site_id":1,"token_auth_file":"`+f+`"}`)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Validation, which never reads files, counts a token file as a token, and refuses a token given
// both ways.
func TestValidateTokenFiles(t *testing.T) {
	back, days := 3, 2
	tests := []struct {
		name  string
		edit  func(c *Config)
		field string // the expected error's field; "" for none
	}{
		// A backfill needs a token: a file counts.
		{"backfill with a token file", func(c *Config) { c.TokenAuthFile = "/run/secrets/t" }, ""},
		// Both the token and a file: refused.
		{"both", func(c *Config) { c.TokenAuthFile, c.TokenAuth = "/run/secrets/t", fileToken }, "MATOMO_TOKEN_AUTH_FILE"},
		// A target's file counts too.
		{"target file", func(c *Config) {
			c.MatomoURL = ""
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1:9/matomo.php", SiteID: 1, TokenFile: "/t", Weight: 1, Enabled: true}}
		}, ""},
		// A target's token given both ways: refused.
		{"target both", func(c *Config) {
			c.MatomoURL = ""
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1:9/matomo.php", SiteID: 1, Token: fileToken, TokenFile: "/t", Weight: 1, Enabled: true}}
		}, "MATOMO_TARGETS[0].token_auth_file"},
		// MATOMO_TOKEN_AUTH_FILE belongs to the legacy target: not with MATOMO_TARGETS.
		{"legacy file with targets", func(c *Config) {
			c.MatomoURL, c.TokenAuthFile = "", "/t"
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1:9/matomo.php", SiteID: 1, TokenFile: "/t", Weight: 1, Enabled: true}}
		}, "MATOMO_TARGETS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			c.MatomoURL = "http://127.0.0.1:9/matomo.php"
			c.BackfillEnabled, c.BackfillDaysBack, c.BackfillDuration = true, &back, &days
			tt.edit(&c)
			errs := c.Validate().Errors()
			switch {
			case tt.field == "" && len(errs) > 0:
				t.Errorf("errors %v, want none", errs)
			case tt.field != "" && (len(errs) != 1 || errs[0].Field != tt.field):
				t.Errorf("errors %v, want one about %s", errs, tt.field)
			}
		})
	}
}
