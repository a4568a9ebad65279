package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// readBody reads the whole request body, bounded by the body-limit middleware. A body over the
// limit is a 413.
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
			return nil, echo.ErrStatusRequestEntityTooLarge
		}
		return nil, echo.NewHTTPError(400, "the request body could not be read")
	}
	return b, nil
}

// bind decodes the request body into dst (a pointer to a struct) strictly and validates it. Every
// problem is reported at once: unknown keys (named, with the allowed ones), wrong types (field,
// expected and received type) and broken rules (validate tags).
func (s *Server) bind(c echo.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return s.bindBytes(body, dst)
}

// bindBytes is bind for a body already read.
func (s *Server) bindBytes(body []byte, dst any) error {
	if probs := s.decodeBytes(body, dst); len(probs) > 0 {
		return invalid("invalid request", probs)
	}
	return nil
}

// decode is bind for handlers that check more than the envelope (a config inside it): it returns
// the envelope's problems instead of failing, so that all problems can be reported together.
func (s *Server) decode(c echo.Context, dst any) (config.Problems, error) {
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	return s.decodeBytes(body, dst), nil
}

// withEnvelope adds the envelope's problems to err (a 400 from checking the content), or makes
// them the 400 when the content was fine.
func withEnvelope(envelope config.Problems, err error) error {
	var inv *invalidError
	switch {
	case errors.As(err, &inv):
		return invalid(inv.msg, append(envelope, inv.problems...))
	case err != nil:
		return err
	case len(envelope) > 0:
		return invalid("invalid request", envelope)
	}
	return nil
}

// decodeBytes decodes and checks body, returning every problem.
func (s *Server) decodeBytes(body []byte, dst any) config.Problems {
	probs, isObject := decodeObject(body, dst)
	if isObject {
		// The rules are checked too, except on fields already reported.
		seen := map[string]bool{}
		for _, p := range probs {
			seen[p.Field] = true
		}
		for _, p := range s.validateStruct(dst) {
			if !seen[p.Field] {
				probs = append(probs, p)
			}
		}
	}
	return probs
}

// decodeObject decodes a JSON object into the struct dst points to, field by field, so that one
// bad field does not hide the next. Numbers inside untyped values (map[string]any) stay
// json.Number, so large integers keep their digits. isObject is false when the body is not a JSON
// object at all.
func decodeObject(data []byte, dst any) (probs config.Problems, isObject bool) {
	if len(bytes.TrimSpace(data)) == 0 {
		return config.Problems{config.Errorf("", "", "the request body is empty; expected a JSON object")}, false
	}
	var raw map[string]json.RawMessage
	if p := decodeStrict(data, &raw); p != nil {
		return config.Problems{*p}, false
	}
	if raw == nil {
		return config.Problems{config.Errorf("", "", "expected a JSON object, got null")}, false
	}
	v := reflect.ValueOf(dst).Elem()
	fields := jsonFields(v.Type())
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		idx, ok := fields[k]
		if !ok {
			probs = append(probs, config.Errorf(k, "", "unknown field; allowed: %s", allowedFields(fields)))
			continue
		}
		fv := v.Field(idx)
		ptr := reflect.New(fv.Type())
		if p := decodeStrict(raw[k], ptr.Interface()); p != nil {
			probs = append(probs, config.Problems{*p}.Under(k)...)
			continue
		}
		fv.Set(ptr.Elem())
	}
	return probs, true
}

// decodeStrict decodes one JSON value, rejecting unknown object keys and trailing data, and turns
// the decoder's error into a Problem that names the field and the types.
func decodeStrict(data []byte, dst any) *config.Problem {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err, data)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return requestProblem("", "unexpected data after the JSON value")
	}
	return nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error, data []byte) *config.Problem {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset)
		return requestProblem("", "malformed JSON at line %d, column %d: %s", line, col,
			strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return requestProblem("", "malformed JSON: the value ends too early")
	case errors.As(err, &te):
		return requestProblem(te.Field, "expected %s, got %s", goTypeWord(te.Type), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return requestProblem(name, "unknown field")
	}
	return requestProblem("", "malformed JSON")
}

// requestProblem is an error about a field of the request, whose value is not quoted.
func requestProblem(field, format string, args ...any) *config.Problem {
	p := config.Errorf(field, "", format, args...)
	return &p
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// goTypeWord names a Go type the way a JSON user thinks of it.
func goTypeWord(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a JSON value"
}

// jsonFields maps the JSON names of a struct's exported fields to their indexes.
func jsonFields(t reflect.Type) map[string]int {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := jsonName(f)
		if name != "-" {
			m[name] = i
		}
	}
	return m
}

// jsonName is the name encoding/json uses for f.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" {
		return f.Name
	}
	return name
}

func allowedFields(fields map[string]int) string {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
