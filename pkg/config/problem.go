package config

import (
	"fmt"
	"strings"
)

// Severity tells an error, which fails validation, from a warning, which is printed but accepted.
type Severity string

// Severities of a Problem.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one thing wrong with a configuration: the setting it is about, the offending value
// (secrets masked) and the rule it breaks, in words a user can act on.
type Problem struct {
	Field    string   `json:"field"`
	Value    string   `json:"value"`
	Message  string   `json:"message"`
	Severity Severity `json:"severity"`
}

// String renders the problem as one line: FIELD="value": message.
func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return fmt.Sprintf("%s=%q: %s", p.Field, p.Value, p.Message)
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

// Errors returns the problems of severity error.
func (ps Problems) Errors() Problems { return ps.filter(SeverityError) }

// Warnings returns the problems of severity warning.
func (ps Problems) Warnings() Problems { return ps.filter(SeverityWarning) }

// Err returns the problems as an error when at least one is an error, nil otherwise.
func (ps Problems) Err() error {
	if len(ps.Errors()) == 0 {
		return nil
	}
	return ps.Errors()
}

func (ps Problems) filter(s Severity) Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

func errorf(field, value, format string, args ...any) Problem {
	return Problem{Field: field, Value: value, Message: fmt.Sprintf(format, args...), Severity: SeverityError}
}

func warnf(field, value, format string, args ...any) Problem {
	return Problem{Field: field, Value: value, Message: fmt.Sprintf(format, args...), Severity: SeverityWarning}
}
