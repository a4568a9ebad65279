package matomotest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// bulkBody is a parsed bulk tracking request.
type bulkBody struct {
	// requests are raw query strings; elements without parameters are already dropped, as Matomo
	// drops them (so invalid_indices count only the kept ones).
	requests []string
	token    string
	noImage  bool
}

// parseBulk reads a bulk body. ok is false when the body is not valid JSON; Matomo then tracks
// nothing and still answers success. The common shape (an object whose "requests" are strings) is
// read by a small scanner; anything else goes through encoding/json.
func parseBulk(b []byte) (body bulkBody, ok bool) {
	if body, ok := fastBulk(b); ok {
		return body, true
	}
	return slowBulk(b)
}

// slowBulk is the general path: any JSON, request elements as strings or objects.
func slowBulk(b []byte) (bulkBody, bool) {
	var body bulkBody
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return body, json.Valid(b)
	}
	var elems []json.RawMessage
	_ = json.Unmarshal(top["requests"], &elems)
	for _, e := range elems {
		if q := elementQuery(e); q != "" {
			body.requests = append(body.requests, q)
		}
	}
	_ = json.Unmarshal(top["token_auth"], &body.token)
	body.noImage = isZero(top["send_image"])
	return body, true
}

// elementQuery turns one element of "requests" into a query string ("" = dropped).
func elementQuery(e json.RawMessage) string {
	var s string
	if json.Unmarshal(e, &s) == nil {
		return requestQuery(s)
	}
	dec := json.NewDecoder(bytes.NewReader(e))
	dec.UseNumber()
	var obj map[string]any
	if dec.Decode(&obj) != nil {
		return ""
	}
	vals := url.Values{}
	for k, v := range obj {
		switch t := v.(type) {
		case string:
			vals.Set(k, t)
		case json.Number:
			vals.Set(k, t.String())
		case bool:
			if t {
				vals.Set(k, "1")
			} else {
				vals.Set(k, "")
			}
		}
	}
	return vals.Encode()
}

// requestQuery is what PHP's parse_url gives as the query of a request string: the part after
// the first '?' and before any '#'.
func requestQuery(s string) string {
	_, q, found := strings.Cut(s, "?")
	if !found {
		return ""
	}
	q, _, _ = strings.Cut(q, "#")
	return q
}

// isZero reports whether a JSON value is the number 0 or the string "0".
func isZero(m json.RawMessage) bool {
	var v any
	if json.Unmarshal(m, &v) != nil {
		return false
	}
	switch t := v.(type) {
	case float64:
		return t == 0
	case string:
		return t == "0"
	}
	return false
}

// fastBulk scans {"requests":["?...", ...], "token_auth":"...", ...} without building a generic
// JSON tree. It gives up (ok=false) on anything outside that shape, which sends the body to
// slowBulk; it never decides on its own that a body is malformed.
func fastBulk(b []byte) (body bulkBody, ok bool) {
	s := scanner{b: b}
	if !s.expect('{') {
		return body, false
	}
	if s.peek() == '}' {
		s.i++
		return body, s.atEnd()
	}
	for {
		key, ok := s.str()
		if !ok || !s.expect(':') || !s.member(key, &body) {
			return body, false
		}
		switch s.next() {
		case ',':
			continue
		case '}':
			return body, s.atEnd()
		default:
			return body, false
		}
	}
}

// scanner walks JSON bytes.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// next consumes and returns the next non-space byte.
func (s *scanner) next() byte {
	c := s.peek()
	if c != 0 {
		s.i++
	}
	return c
}

func (s *scanner) expect(c byte) bool { return s.next() == c }

func (s *scanner) atEnd() bool { return s.peek() == 0 && s.i == len(s.b) }

// member reads the value of one top-level key into body.
func (s *scanner) member(key string, body *bulkBody) bool {
	switch key {
	case "requests":
		return s.requests(body)
	case "token_auth":
		if s.peek() != '"' {
			return s.scalar()
		}
		tok, ok := s.str()
		body.token = tok
		return ok
	case "send_image":
		if s.peek() == '"' {
			v, ok := s.str()
			body.noImage = v == "0"
			return ok
		}
		start := s.i
		if !s.scalar() {
			return false
		}
		f, err := strconv.ParseFloat(string(s.b[start:s.i]), 64)
		body.noImage = err == nil && f == 0
		return true
	}
	return s.scalar()
}

// requests reads the array of request strings.
func (s *scanner) requests(body *bulkBody) bool {
	body.requests = body.requests[:0]
	if !s.expect('[') {
		return false
	}
	if s.peek() == ']' {
		s.i++
		return true
	}
	for {
		if s.peek() != '"' {
			return false // objects and other elements: general path
		}
		r, ok := s.str()
		if !ok {
			return false
		}
		if q := requestQuery(r); q != "" {
			body.requests = append(body.requests, q)
		}
		switch s.next() {
		case ',':
		case ']':
			return true
		default:
			return false
		}
	}
}

// str reads a JSON string and decodes its escapes.
func (s *scanner) str() (string, bool) {
	if s.peek() != '"' {
		return "", false
	}
	s.i++
	start, escaped := s.i, false
	for {
		end := bytes.IndexByte(s.b[s.i:], '"')
		if end < 0 {
			return "", false
		}
		s.i += end + 1
		// The quote ends the string unless an odd number of backslashes precedes it.
		n := 0
		for j := s.i - 2; j >= start && s.b[j] == '\\'; j-- {
			n++
		}
		escaped = escaped || n > 0 || bytes.IndexByte(s.b[start:s.i-1], '\\') >= 0
		if n%2 == 0 {
			break
		}
	}
	seg := s.b[start : s.i-1]
	if !escaped {
		return string(seg), true
	}
	return unquote(seg)
}

// unquote decodes the escapes of a JSON string body. Go's encoder writes '&' as \u0026, so
// nearly every bulk from a Go client has escapes; decoding them here, a run of plain bytes at a
// time, avoids a trip through encoding/json per request string.
func unquote(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\\')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		b = b[i:]
		if len(b) < 2 {
			return "", false
		}
		n := 2
		if len(b) >= 6 && string(b[1:6]) == "u0026" {
			// '&' as Go's encoder escapes it: the common case by far.
			out = append(out, '&')
			b = b[6:]
			continue
		}
		switch b[1] {
		case '"', '\\', '/':
			out = append(out, b[1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			var r rune
			if r, n = unicodeEscape(b); n == 0 {
				return "", false
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
		b = b[n:]
	}
	return string(out), true
}

// unicodeEscape reads \uXXXX (and a following low surrogate) at the start of b; n is the number
// of bytes used, 0 when malformed.
func unicodeEscape(b []byte) (r rune, n int) {
	r1, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if !utf16.IsSurrogate(r1) {
		return r1, 6
	}
	if r2, ok := hex4(b[6:]); ok {
		if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
			return r, 12
		}
	}
	return utf8.RuneError, 6
}

// hex4 reads "\uXXXX".
func hex4(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// scalar skips a string, number, true, false or null; nested values are left to the general path.
func (s *scanner) scalar() bool {
	switch c := s.peek(); {
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		for s.i < len(s.b) && strings.IndexByte("+-.eE0123456789", s.b[s.i]) >= 0 {
			s.i++
		}
		return true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
			s.i += len(lit)
			return true
		}
	}
	return false
}
