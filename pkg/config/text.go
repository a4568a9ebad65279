package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// CheckName checks a name the user gives something (a config, a preset, a funnel, a content set, a
// run, a target): names are shown in terminals, logs and the UI, so they must not hold control
// characters (NUL, terminal escapes, line breaks) or the bidirectional embeddings, overrides and
// isolates that make text read differently from what it is. Names are used trimmed, so white
// space around them does not count. The error names the first such character and its position in
// the trimmed name; it never repeats the name.
func CheckName(s string) error {
	pos := 0
	for _, r := range strings.TrimSpace(s) {
		pos++
		if kind := unsafeRune(r); kind != "" {
			return fmt.Errorf("must not contain %s (found %U at character %d)", kind, r, pos)
		}
	}
	return nil
}

// unsafeRune says which kind of character r is when a name must not contain it, or "".
func unsafeRune(r rune) string {
	switch {
	case unicode.IsControl(r):
		return "control characters"
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return "bidirectional override characters"
	}
	return ""
}

// escapeUnsafe writes the characters CheckName refuses as Go escapes (\x1b, \u202e), so that a
// problem that shows a hostile value cannot itself drive a terminal or reorder the text around it.
func escapeUnsafe(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return unsafeRune(r) != "" }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unsafeRune(r) == "" {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRuneToASCII(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}
