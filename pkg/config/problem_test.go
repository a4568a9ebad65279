package config

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		// A setting shows its value as an assignment.
		{"setting", Errorf("SEED", "abc", "not a whole number"), `SEED="abc": not a whole number`},
		// An empty value shows as "", so the reader sees it is empty.
		{"empty value", Errorf("MATOMO_URL", "", "required"), `MATOMO_URL="": required`},
		// A path in a file names the file and the line.
		{"file path", Problem{File: "funnels.json", Line: 3, Field: "steps[0].url", Value: "ftp://x", Message: "must be http"},
			`funnels.json line 3 steps[0].url="ftp://x": must be http`},
		// A line without a field shows its value in parentheses.
		{"file line", Problem{File: "urls.txt", Line: 12, Value: "ftp://x", Message: "URL scheme must be http or https"},
			`urls.txt line 12: URL scheme must be http or https (value "ftp://x")`},
		// A problem about a whole file or request has no location.
		{"no location", Warnf("", "", "the list has no URLs"), "the list has no URLs"},
		// The severity is not part of the line: whoever prints it says it once.
		{"warning", Warnf("CONCURRENCY", "5", "too low"), `CONCURRENCY="5": too low`},
		// Terminal escapes and bidi overrides in a value are escaped, never printed.
		{"hostile value", Errorf("name", "a\x1b[31mb\u202ec", "bad"), `name="a\\x1b[31mb\\u202ec": bad`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
		})
	}
}

// Long values are cut at a character boundary, once: cutting again changes nothing.
func TestShorten(t *testing.T) {
	for _, s := range []string{strings.Repeat("é", 200), strings.Repeat("x", 1<<20), strings.Repeat("x", maxShown)} {
		got := Shorten(s)
		if len(got) > maxShown || !utf8.ValidString(got) || Shorten(got) != got {
			t.Errorf("Shorten of %d bytes gave %d bytes (valid UTF-8 %v), not idempotent: %v", len(s), len(got),
				utf8.ValidString(got), Shorten(got) != got)
		}
		if len(s) <= maxShown && got != s {
			t.Errorf("a short value was changed: %q", got)
		}
	}
	p := Errorf(strings.Repeat("K", 1000), strings.Repeat("v", 1000), "bad")
	b, _ := json.Marshal(p)
	if len(b) > 400 {
		t.Errorf("a problem with a long field and value encodes to %d bytes", len(b))
	}
}

func TestProblemsHelpers(t *testing.T) {
	ps := Problems{Errorf("a", "", "x"), Warnf("b", "", "y"), {Field: "c", Message: "no severity counts as an error"}}
	if got := fieldsOf(ps.Errors()); strings.Join(got, ",") != "a,c" {
		t.Errorf("Errors() = %v", got)
	}
	if got := fieldsOf(ps.Warnings()); strings.Join(got, ",") != "b" {
		t.Errorf("Warnings() = %v", got)
	}
	if ps.Warnings().Err() != nil || ps.Err() == nil {
		t.Error("Err() must be nil for warnings alone and set with errors")
	}
	if msg := ps.Err().Error(); msg != "a=\"\": x\nc=\"\": no severity counts as an error" {
		t.Errorf("Error() = %q", msg)
	}
	under := Problems{Errorf("MATOMO_URL", "", "x"), Errorf("[2].name", "", "y"), Errorf("", "", "z")}.Under("presets")
	if got := strings.Join(fieldsOf(under), ","); got != "presets.MATOMO_URL,presets[2].name,presets" {
		t.Errorf("Under() = %s", got)
	}
	if in := ps.InFile("f.json"); in[0].File != "f.json" || ps[0].File != "" {
		t.Error("InFile must set File on a copy")
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in, want string // want: a phrase of the error, "" for valid
	}{
		// Ordinary names, in any script, are fine.
		{"plain", "Nightly baseline (v2)", ""},
		{"other scripts", "Ünïcödé 名前 שם", ""},
		// NUL, escapes, tabs and line breaks are control characters.
		{"nul", "a\x00b", "control characters (found U+0000 at character 2)"},
		{"escape", "\x1b[2J", "control characters (found U+001B at character 1)"},
		{"newline", "two\nlines", "control characters"},
		// Names are used trimmed: a line break around one is white space, not part of it.
		{"trailing newline", " name\r\n", ""},
		{"c1", "a\u0085b", "control characters"},
		// The right-to-left override and the isolates reorder text.
		{"rlo", "invoice\u202Etxt.exe", "bidirectional override characters (found U+202E at character 8)"},
		{"isolate", "a\u2066b", "bidirectional override characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.in)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("want valid, got %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("want an error with %q, got %v", tt.want, err)
			}
		})
	}
}
