package config

import (
	"strconv"
	"strings"
	"unicode"
)

// unsafeRune says which kind of unsafe character r is, or "" when it is safe to show.
func unsafeRune(r rune) string {
	switch {
	case unicode.IsControl(r):
		return "control characters"
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return "bidirectional override characters"
	}
	return ""
}

// escapeUnsafe writes control and bidi-override characters as Go escapes (\x1b, \u202e), so that a
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
