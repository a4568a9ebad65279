package api

import (
	"encoding/json"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// schemaGen derives OpenAPI 3.0 schemas from Go types: structs become named components (their JSON
// field names, validate rules as limits, doc tags as descriptions), so the document shows exactly
// what handlers decode and encode.
type schemaGen struct {
	components map[string]any
	names      map[reflect.Type]string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]any{}, names: map[reflect.Type]string{}}
}

var (
	timeType = reflect.TypeFor[time.Time]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// schema returns the schema of v's type.
func (g *schemaGen) schema(v any) map[string]any {
	return g.typeSchema(reflect.TypeOf(v))
}

func (g *schemaGen) typeSchema(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawType:
		return map[string]any{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.typeSchema(t.Elem())
		if _, isRef := s["$ref"]; !isRef {
			s["nullable"] = true
		}
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": g.typeSchema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object", "additionalProperties": true}
		}
		return map[string]any{"type": "object", "additionalProperties": g.typeSchema(t.Elem())}
	case reflect.Struct:
		return g.structRef(t)
	}
	return map[string]any{}
}

// structRef registers t as a component (once) and returns a reference to it.
func (g *schemaGen) structRef(t reflect.Type) map[string]any {
	name, ok := g.names[t]
	if !ok {
		name = componentName(t)
		g.names[t] = name
		g.components[name] = map[string]any{} // placeholder: recursive types refer to it
		props := map[string]any{}
		var required []string
		g.addFields(t, props, &required)
		obj := map[string]any{"type": "object", "properties": props}
		if len(required) > 0 {
			obj["required"] = required
		}
		g.components[name] = obj
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// addFields adds t's JSON fields; embedded structs contribute their fields, as encoding/json does.
func (g *schemaGen) addFields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "" {
			g.addFields(f.Type, props, required)
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := jsonName(f)
		if name == "-" {
			continue
		}
		s := g.typeSchema(f.Type)
		if _, isRef := s["$ref"]; !isRef {
			applyRules(s, f)
			if doc := f.Tag.Get("doc"); doc != "" {
				s["description"] = doc
			}
		}
		props[name] = s
		if rules := f.Tag.Get("validate"); strings.Contains(rules, "required") || strings.Contains(rules, "notblank") {
			*required = append(*required, name)
		}
	}
}

// applyRules turns validate tags into schema limits.
func applyRules(s map[string]any, f reflect.StructField) {
	applyRuleList(s, expandRules(f.Tag.Get("validate")))
}

// applyRuleList applies rules to s; after "dive" they concern an array's items.
func applyRuleList(s map[string]any, rules []string) {
	isText := s["type"] == "string"
	for i, rule := range rules {
		key, val, _ := strings.Cut(rule, "=")
		n, err := strconv.ParseFloat(val, 64)
		switch {
		case key == "dive":
			if items, ok := s["items"].(map[string]any); ok {
				applyRuleList(items, rules[i+1:])
			}
			return
		case key == "oneof":
			s["enum"] = strings.Fields(val)
		case err != nil:
		case (key == "min" || key == "gte") && isText:
			s["minLength"] = n
		case (key == "max" || key == "lte") && isText:
			s["maxLength"] = n
		case (key == "min" || key == "gte") && s["type"] == "array":
			s["minItems"] = n
		case (key == "max" || key == "lte") && s["type"] == "array":
			s["maxItems"] = n
		case key == "min" || key == "gte":
			s["minimum"] = n
		case key == "max" || key == "lte":
			s["maximum"] = n
		}
	}
}

// componentName names a struct type: types of this package by their name, others prefixed with
// their package ("runs.View" is RunsView) so that names cannot clash.
func componentName(t reflect.Type) string {
	pkg := path.Base(t.PkgPath())
	if pkg == "api" || pkg == "." {
		return t.Name()
	}
	r := []rune(pkg)
	r[0] = unicode.ToUpper(r[0])
	return string(r) + t.Name()
}
