package api

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/go-playground/validator/v10/non-standard/validators"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// maxDescriptionChars is the most characters in the description of a config or a preset.
const maxDescriptionChars = 500

// tagAliases are the validate tags of limits that have an owner elsewhere: request structs say
// "namelen", "desclen", "loaders" or "testtimeout", the validator and the OpenAPI document expand them here, and
// GET /api/schema serves the same numbers, so no number is written twice.
var tagAliases = map[string]string{
	"namelen":       "max=" + strconv.Itoa(config.MaxNameChars),
	"desclen":       "max=" + strconv.Itoa(maxDescriptionChars),
	"loaders":       "min=0,max=" + strconv.Itoa(runs.MaxLoaders), // 0 means runs.DefaultLoaders
	"testtimeout":   "min=1,max=" + strconv.Itoa(maxTestTimeout),
	"placements":    "max=" + strconv.Itoa(runs.MaxPlacement),
	"constraintlen": "max=" + strconv.Itoa(runs.MaxConstraintLen),
}

// expandRules returns a validate tag with its aliases replaced by the rules they stand for.
func expandRules(tag string) []string {
	var out []string
	for _, rule := range strings.Split(tag, ",") {
		if rules, ok := tagAliases[rule]; ok {
			out = append(out, strings.Split(rules, ",")...)
			continue
		}
		out = append(out, rule)
	}
	return out
}

// newValidator builds the one validator of the server (it caches struct metadata) and makes it
// report JSON field names.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	if err := v.RegisterValidation("notblank", validators.NotBlank); err != nil {
		panic("api: registering notblank: " + err.Error()) // a programming error, caught by every test
	}
	for alias, rules := range tagAliases {
		v.RegisterAlias(alias, rules)
	}
	safeName := func(fl validator.FieldLevel) bool { return config.CheckName(fl.Field().String()) == nil }
	if err := v.RegisterValidation("safename", safeName); err != nil {
		panic("api: registering safename: " + err.Error())
	}
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if name := jsonName(f); name != "-" {
			return name
		}
		return ""
	})
	return v
}

// validateStruct checks the validate tags of the struct dst points to and returns every failure.
func (s *Server) validateStruct(dst any) config.Problems {
	err := s.valid.Struct(dst)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return config.Problems{config.Errorf("", "", "invalid request")}
	}
	probs := make(config.Problems, 0, len(ves))
	for _, fe := range ves {
		field := fe.Namespace()
		if _, rest, ok := strings.Cut(field, "."); ok {
			field = rest // drop the struct's Go name
		}
		probs = append(probs, config.Errorf(field, valueText(fe.Value()), "%s", ruleText(fe)))
	}
	return probs
}

// valueText renders a field's value for a problem report, dereferencing pointers.
func valueText(v any) string {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return ""
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return ""
	}
	return fmt.Sprint(rv.Interface()) // config.Errorf cuts it
}

// ruleText says in words which rule a field broke.
func ruleText(fe validator.FieldError) string {
	isText := fe.Kind() == reflect.String
	switch fe.ActualTag() { // the rule an alias stands for
	case "required":
		return "is required"
	case "notblank":
		return "is required and must not be blank"
	case "min", "gte":
		if isText {
			return "must be at least " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at least " + fe.Param() + " items"
		}
		return "must be at least " + fe.Param()
	case "max", "lte":
		if isText {
			return "must be at most " + fe.Param() + " characters"
		}
		if fe.Kind() == reflect.Slice {
			return "must have at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param()
	case "oneof":
		return "must be one of " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "excluded_with":
		return "cannot be combined with " + fe.Param()
	case "safename":
		if err := config.CheckName(fmt.Sprint(fe.Value())); err != nil {
			return err.Error()
		}
	}
	return "breaks the rule " + fe.ActualTag()
}
