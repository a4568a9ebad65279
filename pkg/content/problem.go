package content

import (
	"fmt"
	"strconv"
	"strings"
)

// maxValueLen bounds how much of an offending value a Problem carries, so that a huge
// line or JSON value cannot turn an error report into a copy of the file.
const maxValueLen = 120

// maxProblems bounds how many problems one parse reports; a file with a systematic
// mistake (say, 50,000 duplicate lines) gets a readable report ending in a summary.
const maxProblems = 500

// Problem is one finding about a content file. Errors make the file unusable; warnings
// (Warning true) describe something legal but probably unintended.
type Problem struct {
	// File names the file the problem was found in, when the caller knows it.
	File string `json:"file,omitempty"`
	// Line is the 1-based line number, or 0 when the problem has no single line.
	Line int `json:"line,omitempty"`
	// Field is a JSON path such as "steps[2].url" or "click_events[3].name".
	Field string `json:"field,omitempty"`
	// Value is the offending value as written (truncated when long).
	Value string `json:"value,omitempty"`
	// Message states the rule that was broken.
	Message string `json:"message"`
	// Warning marks a problem that does not make the file unusable.
	Warning bool `json:"warning,omitempty"`
}

// Error renders the problem as one line: where, what, and the value.
func (p Problem) Error() string {
	var b strings.Builder
	if p.Warning {
		b.WriteString("warning: ")
	}
	loc := make([]string, 0, 3)
	if p.File != "" {
		loc = append(loc, p.File)
	}
	if p.Line > 0 {
		loc = append(loc, "line "+strconv.Itoa(p.Line))
	}
	if p.Field != "" {
		loc = append(loc, p.Field)
	}
	if len(loc) > 0 {
		b.WriteString(strings.Join(loc, " "))
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Value != "" {
		fmt.Fprintf(&b, " (value %q)", p.Value)
	}
	return b.String()
}

// Errors returns the problems that are not warnings.
func Errors(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns the problems that are warnings.
func Warnings(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// HasErrors reports whether any problem is an error.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// WithFile returns a copy of ps with File set on every problem, for callers that merge
// the findings of several files into one report.
func WithFile(file string, ps []Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		p.File = file
		out[i] = p
	}
	return out
}

// ProblemsError is the error form of a file's error-level problems, so a loader can fail
// with every problem listed while callers can still reach the structured list.
type ProblemsError struct {
	Problems []Problem
}

// Error lists every problem on its own line.
func (e *ProblemsError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	n := len(e.Problems)
	noun := "problems"
	if n == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("%d %s:\n  %s", n, noun, strings.Join(lines, "\n  "))
}

// AsError returns a *ProblemsError holding the error-level problems of ps, or nil when
// there are none (warnings alone never fail).
func AsError(ps []Problem) error {
	errs := Errors(ps)
	if len(errs) == 0 {
		return nil
	}
	return &ProblemsError{Problems: errs}
}

// problems accumulates findings with a cap, so every parser reports the same way.
type problems struct {
	list          []Problem
	dropped       int
	droppedErrors int
	errors        int
}

func (ps *problems) add(p Problem) {
	if !p.Warning {
		ps.errors++
	}
	if len(ps.list) >= maxProblems {
		ps.dropped++
		if !p.Warning {
			ps.droppedErrors++
		}
		return
	}
	p.Value = truncate(p.Value)
	ps.list = append(ps.list, p)
}

func (ps *problems) errorf(line int, field, value, format string, args ...any) {
	ps.add(Problem{Line: line, Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) warnf(line int, field, value, format string, args ...any) {
	ps.add(Problem{Line: line, Field: field, Value: value, Message: fmt.Sprintf(format, args...), Warning: true})
}

// result returns the list, with a closing summary when some problems were dropped.
func (ps *problems) result() []Problem {
	if ps.dropped == 0 {
		return ps.list
	}
	out := append([]Problem(nil), ps.list...)
	return append(out, Problem{
		Message: fmt.Sprintf("%d more problems not listed (%d of them errors); fix the ones above first",
			ps.dropped, ps.droppedErrors),
		Warning: ps.droppedErrors == 0,
	})
}

func truncate(s string) string {
	if len(s) <= maxValueLen {
		return s
	}
	cut := maxValueLen
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
