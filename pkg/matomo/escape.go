package matomo

// queryUnreserved marks the bytes url.QueryEscape leaves alone (ALPHA, DIGIT, "-", "_", ".", "~").
// Space becomes "+" and everything else "%XX", so the output is identical to url.QueryEscape.
var queryUnreserved = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['-'], t['_'], t['.'], t['~'] = true, true, true, true
	return t
}()

const upperHex = "0123456789ABCDEF"

// appendEscaped appends s query-escaped. Most generated values (ids, many titles) need no
// escaping, so it copies runs of safe bytes in one append.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if queryUnreserved[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscapedByte(dst, c)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

func appendEscapedByte(dst []byte, c byte) []byte {
	if c == ' ' {
		return append(dst, '+')
	}
	return append(dst, '%', upperHex[c>>4], upperHex[c&15])
}

// appendJSONStringEscaped appends s as a JSON string literal, query-escaped, in one pass.
// JSON needs escaping only for '"', '\\' and control bytes; UTF-8 passes through (as %XX).
func appendJSONStringEscaped(dst []byte, s string) []byte {
	dst = append(dst, "%22"...)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case queryUnreserved[c]:
			dst = append(dst, c)
		case c == '"' || c == '\\':
			dst = append(dst, "%5C"...)
			dst = appendEscapedByte(dst, c)
		case c < 0x20:
			// \u00XX, with the backslash escaped for the query.
			dst = append(dst, "%5Cu00"...)
			dst = append(dst, upperHex[c>>4], upperHex[c&15])
		default:
			dst = appendEscapedByte(dst, c)
		}
	}
	return append(dst, "%22"...)
}

// appendJSONString appends s as a JSON string literal (for the bulk body's token_auth).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
