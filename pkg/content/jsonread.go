package content

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"sort"
	"strconv"
)

// The JSON content files are read member by member instead of with json.Unmarshal into
// structs, so that every problem can name its JSON path and line, unknown or duplicate
// keys are caught, and one bad field does not hide the others.

// jval is a JSON value with its byte offset in the document.
type jval struct {
	raw json.RawMessage
	off int
}

// member is one key of a JSON object, in document order.
type member struct {
	key string
	val jval
}

// jdoc reads one JSON document and records problems against it.
type jdoc struct {
	data []byte
	nl   []int // offsets of '\n'
	ps   *problems
}

// parseJSON checks that data is one JSON value and returns it; a syntax error is recorded
// with its line number.
func parseJSON(data []byte, ps *problems) (*jdoc, jval, bool) {
	d := &jdoc{data: data, ps: ps}
	for i, b := range data {
		if b == '\n' {
			d.nl = append(d.nl, i)
		}
	}
	var root json.RawMessage
	if err := json.Unmarshal(data, &root); err != nil {
		var se *json.SyntaxError
		line := 0
		if errors.As(err, &se) {
			line = d.line(int(se.Offset) - 1)
		}
		ps.errorf(line, "", "", "not valid JSON: %v", err)
		return d, jval{}, false
	}
	start := len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
	return d, jval{raw: root, off: start}, true
}

// line is the 1-based line of a byte offset.
func (d *jdoc) line(off int) int {
	if off < 0 {
		off = 0
	}
	return sort.SearchInts(d.nl, off) + 1
}

func (d *jdoc) errorf(v jval, path, format string, args ...any) {
	d.ps.errorf(d.line(v.off), path, valueText(v.raw), format, args...)
}

func (d *jdoc) warnf(v jval, path, format string, args ...any) {
	d.ps.warnf(d.line(v.off), path, valueText(v.raw), format, args...)
}

// valueText is how a value is quoted in a problem: strings without their quotes, objects
// and arrays elided.
func valueText(raw json.RawMessage) string {
	switch kind(raw) {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '{':
		return "{…}"
	case '[':
		return "[…]"
	}
	return string(raw)
}

// kind is the first byte of a JSON value: '{', '[', '"', 't', 'f', 'n' or a number's first
// character.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isNull(v jval) bool { return kind(v.raw) == 'n' }

// object splits an object into members; a non-object is recorded as an error, and a
// repeated key as an error naming it (JSON parsers disagree on which copy wins).
func (d *jdoc) object(v jval, path string) ([]member, bool) {
	if kind(v.raw) != '{' {
		d.errorf(v, path, "must be a JSON object")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var out []member
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out, false
		}
		key, _ := tok.(string)
		start := skipSeparators(v.raw, int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return out, false
		}
		m := member{key: key, val: jval{raw: raw, off: v.off + start}}
		if seen[key] {
			d.errorf(m.val, join(path, key), "key %q appears more than once", key)
			continue
		}
		seen[key] = true
		out = append(out, m)
	}
	return out, true
}

// array splits an array into its elements; a non-array is recorded as an error.
func (d *jdoc) array(v jval, path string) ([]jval, bool) {
	if kind(v.raw) != '[' {
		d.errorf(v, path, "must be a JSON array")
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(v.raw))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	var out []jval
	for dec.More() {
		start := skipSeparators(v.raw, int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return out, false
		}
		out = append(out, jval{raw: raw, off: v.off + start})
	}
	return out, true
}

// skipSeparators advances past whitespace, ':' and ',' to the start of the next value.
func skipSeparators(raw []byte, i int) int {
	for i < len(raw) {
		switch raw[i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			i++
		default:
			return i
		}
	}
	return i
}

// str reads a string; null reads as absent.
func (d *jdoc) str(v jval, path string) (string, bool) {
	if isNull(v) {
		return "", false
	}
	var s string
	if kind(v.raw) != '"' || json.Unmarshal(v.raw, &s) != nil {
		d.errorf(v, path, "must be a string")
		return "", false
	}
	return s, true
}

// number reads a finite number; null reads as absent.
func (d *jdoc) number(v jval, path string) (float64, bool) {
	if isNull(v) {
		return 0, false
	}
	k := kind(v.raw)
	if k != '-' && (k < '0' || k > '9') {
		d.errorf(v, path, "must be a number")
		return 0, false
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(v.raw)), 64)
	if err != nil || math.IsInf(f, 0) {
		d.errorf(v, path, "number is out of range")
		return 0, false
	}
	return f, true
}

// integer reads a whole number; null reads as absent.
func (d *jdoc) integer(v jval, path string) (int, bool) {
	f, ok := d.number(v, path)
	if !ok {
		return 0, false
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		d.errorf(v, path, "must be a whole number")
		return 0, false
	}
	return int(f), true
}

// boolean reads true or false; null reads as absent.
func (d *jdoc) boolean(v jval, path string) (bool, bool) {
	switch kind(v.raw) {
	case 'n':
		return false, false
	case 't':
		return true, true
	case 'f':
		return false, true
	}
	d.errorf(v, path, "must be true or false")
	return false, false
}

// join appends a key to a JSON path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index appends an array index to a JSON path.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// fmtFloat renders a number the way JSON would.
func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
