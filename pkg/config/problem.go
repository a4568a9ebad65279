package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Severity tells an error, which fails validation, from a warning, which is printed but accepted.
type Severity string

// Severities of a Problem.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// maxShown bounds, in bytes, how much of a value or a field name a Problem carries, so that a huge
// input (a 1 MB SEED, a long line of a URL file) cannot turn an error report into a copy of itself.
const maxShown = 120

// Problem is one thing wrong with a configuration, a content file or a request: where it is (the
// setting or JSON path, and for files the file and line), the offending value as written (secrets
// masked, long values cut, control and bidi-override characters escaped) and the rule it breaks, in
// words a user can act on. Build problems with Errorf and Warnf, which cut and escape. It is the one problem
// type of the project: the config codec and validation, the content parsers, the control's API and
// its run planning all report with it.
type Problem struct {
	// Field is the setting ("SEED") or a JSON path ("MATOMO_TARGETS[1].url", "steps[2].url").
	Field string `json:"field"`
	// Value is the offending value as written; "" when there is none.
	Value string `json:"value"`
	// Message states the rule that was broken.
	Message string `json:"message"`
	// Severity is SeverityError or SeverityWarning; empty counts as an error.
	Severity Severity `json:"severity"`
	// File names the file the problem was found in, when the reporter knows it.
	File string `json:"file,omitempty"`
	// Line is the 1-based line in that file, or 0 when the problem has no single line.
	Line int `json:"line,omitempty"`
}

// Errorf returns an error-severity Problem about field and value; format and args state the rule.
func Errorf(field, value, format string, args ...any) Problem {
	return newProblem(SeverityError, field, value, fmt.Sprintf(format, args...))
}

// Warnf returns a warning-severity Problem about field and value; format and args state the rule.
func Warnf(field, value, format string, args ...any) Problem {
	return newProblem(SeverityWarning, field, value, fmt.Sprintf(format, args...))
}

func newProblem(s Severity, field, value, msg string) Problem {
	return Problem{Field: shown(field), Value: shown(value), Message: msg, Severity: s}
}

// shown is how a problem carries a field or value: hostile characters escaped, long text cut.
func shown(s string) string {
	return Shorten(escapeUnsafe(s))
}

// IsWarning reports whether p is only a warning.
func (p Problem) IsWarning() bool { return p.Severity == SeverityWarning }

// String renders the problem as one line, without its severity (callers print that once):
// `FIELD="value": rule` for a setting or a path, `file line 3 steps[0].url="": rule` with a location,
// and `file line 3: rule (value "…")` for a line that has no field.
func (p Problem) String() string {
	var b strings.Builder
	where := make([]string, 0, 3)
	if p.File != "" {
		where = append(where, Shorten(p.File))
	}
	if p.Line > 0 {
		where = append(where, "line "+strconv.Itoa(p.Line))
	}
	if p.Field != "" {
		where = append(where, Shorten(p.Field))
	}
	b.WriteString(strings.Join(where, " "))
	if p.Field != "" {
		fmt.Fprintf(&b, "=%q", Shorten(p.Value))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Field == "" && p.Value != "" {
		fmt.Fprintf(&b, " (value %q)", Shorten(p.Value))
	}
	return b.String()
}

// Problems is every problem found at once. As an error it lists only the errors, one per line.
type Problems []Problem

// Error implements error; it joins the errors (not the warnings), one per line.
func (ps Problems) Error() string {
	var b strings.Builder
	for _, p := range ps.Errors() {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.IsWarning() {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns the problems that are warnings.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.IsWarning() {
			out = append(out, p)
		}
	}
	return out
}

// Err returns the errors as an error (a Problems) when there is at least one, nil otherwise:
// warnings alone never fail.
func (ps Problems) Err() error {
	if errs := ps.Errors(); len(errs) > 0 {
		return errs
	}
	return nil
}

// InFile returns a copy of ps with File set on every problem, for reports that merge the findings of
// several files.
func (ps Problems) InFile(file string) Problems {
	return ps.each(func(p *Problem) { p.File = file })
}

// Under returns a copy of ps whose fields are placed under the request field that held them:
// "config" and "MATOMO_URL" make "config.MATOMO_URL", "presets" and "[2].name" make "presets[2].name".
func (ps Problems) Under(prefix string) Problems {
	return ps.each(func(p *Problem) { p.Field = joinField(prefix, p.Field) })
}

func (ps Problems) each(change func(*Problem)) Problems {
	if ps == nil {
		return nil
	}
	out := make(Problems, len(ps))
	for i, p := range ps {
		change(&p)
		out[i] = p
	}
	return out
}

// joinField joins a field and a path inside it ("config" + "MATOMO_URL" = "config.MATOMO_URL",
// "presets" + "[2]" = "presets[2]").
func joinField(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

// Shorten cuts s to at most maxShown bytes, at a character boundary, marking the cut with "…". It is
// how every problem shows a value, and is idempotent.
func Shorten(s string) string {
	const mark = "…"
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
