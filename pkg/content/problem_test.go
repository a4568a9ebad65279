package content

import (
	"errors"
	"strings"
	"testing"
)

func TestProblemError(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		// A URL-file problem names the line, the rule and the value.
		{"line and value", Problem{Line: 12, Value: "ftp://x", Message: "URL scheme must be http or https"},
			`line 12: URL scheme must be http or https (value "ftp://x")`},
		// A JSON problem names the field path.
		{"field", Problem{Line: 3, Field: "steps[2].url", Message: "is required for a pageview step"},
			"line 3 steps[2].url: is required for a pageview step"},
		// Warnings say so up front, and the file comes first when known.
		{"warning with file", Problem{File: "urls.txt", Message: "only 3 URLs", Warning: true},
			"warning: urls.txt: only 3 URLs"},
		// A problem about the whole file has no location prefix.
		{"no location", Problem{Message: "the list has no URLs"}, "the list has no URLs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProblemHelpers(t *testing.T) {
	ps := []Problem{{Message: "a"}, {Message: "b", Warning: true}, {Message: "c"}}
	if got := len(Errors(ps)); got != 2 {
		t.Errorf("Errors: %d, want 2", got)
	}
	if got := len(Warnings(ps)); got != 1 {
		t.Errorf("Warnings: %d, want 1", got)
	}
	if !HasErrors(ps) || HasErrors(Warnings(ps)) {
		t.Error("HasErrors misjudged")
	}
	if AsError(Warnings(ps)) != nil {
		t.Error("AsError of warnings only must be nil")
	}
	err := AsError(ps)
	var pe *ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 2 {
		t.Fatalf("AsError = %v, want a *ProblemsError with 2 problems", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "2 problems") || !strings.Contains(msg, "\n  c") {
		t.Errorf("ProblemsError message %q lists neither the count nor each problem", msg)
	}
	for _, p := range WithFile("f.json", ps) {
		if p.File != "f.json" {
			t.Errorf("WithFile left File = %q", p.File)
		}
	}
	if ps[0].File != "" {
		t.Error("WithFile modified its input")
	}
}

func TestProblemsCapAndTruncation(t *testing.T) {
	var ps problems
	long := strings.Repeat("é", 200)
	for range maxProblems + 7 {
		ps.errorf(1, "", long, "bad")
	}
	got := ps.result()
	if len(got) != maxProblems+1 {
		t.Fatalf("got %d problems, want %d plus a summary", len(got), maxProblems)
	}
	last := got[len(got)-1]
	if !strings.Contains(last.Message, "7 more problems") || last.Warning {
		t.Errorf("summary = %+v, want an error counting 7 more", last)
	}
	if v := got[0].Value; len(v) > maxValueLen+len("…") || !strings.HasSuffix(v, "…") {
		t.Errorf("value not truncated at a rune boundary: %d bytes", len(v))
	}
}
