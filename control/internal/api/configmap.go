package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// parseConfigMap builds a Config from the API's JSON form (keys are env names; values typed as the
// schema says, or strings that parse). Every unknown key, wrong type and unparsable value is a
// problem; the problems do not include validation (see checkConfig).
func parseConfigMap(m map[string]any) (config.Config, config.Problems) {
	clean := make(map[string]any, len(m))
	var probs config.Problems
	for k, v := range m {
		info, known := config.Lookup(k)
		if !known {
			clean[k] = v // FromMap names it as unknown, with a suggestion
			continue
		}
		v, p := normalizeValue(info, v)
		if p != nil {
			probs = append(probs, *p)
			continue
		}
		clean[k] = v
	}
	c, ps := config.FromMap(clean)
	probs = append(probs, ps...)
	slices.SortStableFunc(probs, func(a, b config.Problem) int { return strings.Compare(a.Field, b.Field) })
	return c, probs
}

// normalizeValue prepares one JSON value for config.FromMap. The body was decoded with UseNumber so
// that big integers keep their digits: numbers stay json.Number for numeric settings and become
// float64 elsewhere, so FromMap reports "expected a string, got a number". Objects and arrays are
// only accepted by the settings that take them.
func normalizeValue(info config.FieldInfo, v any) (any, *config.Problem) {
	switch x := v.(type) {
	case json.Number:
		if info.Type == config.TypeInt || info.Type == config.TypeFloat || info.Type == config.TypeDuration {
			return x, nil
		}
		f, _ := strconv.ParseFloat(x.String(), 64)
		return f, nil
	case map[string]any:
		if info.Type != config.TypeTargets {
			return nil, typeProblem(info, "an object")
		}
	case []any:
		if info.Type != config.TypeTargets && info.Type != config.TypeFloatList {
			return nil, typeProblem(info, "an array")
		}
	}
	return v, nil
}

func typeProblem(info config.FieldInfo, got string) *config.Problem {
	want := map[string]string{
		config.TypeInt: "a whole number", config.TypeFloat: "a number", config.TypeBool: "true or false",
		config.TypeDuration: "a duration such as 10s", config.TypeFloatList: "a list of numbers",
		config.TypeTargets: "an array of targets",
	}[info.Type]
	if want == "" {
		want = "a string"
	}
	return &config.Problem{Field: info.Name, Value: got, Message: fmt.Sprintf("expected %s, got %s", want, got),
		Severity: config.SeverityError}
}

// checkConfig parses and validates a config map. stored, when not nil, is the saved config being
// replaced: its tokens stand in for blank ones (unless cleared) during validation, because that is
// what the saved result will hold. It returns the parsed config (blank tokens left blank: the store
// keeps the stored ones) and the warnings, or a 400 listing every error.
func checkConfig(m map[string]any, stored *config.Config, clear []string) (config.Config, []Problem, error) {
	if m == nil {
		return config.Config{}, nil, nil // missing or mistyped: the envelope's problems say so
	}
	c, parseProbs := parseConfigMap(m)
	merged := c
	if stored != nil {
		merged = withStoredTokens(c, *stored, clear)
	}
	bad := map[string]bool{}
	for _, p := range parseProbs {
		bad[p.Field] = true
	}
	all := parseProbs
	for _, p := range merged.Validate() {
		if !bad[p.Field] {
			all = append(all, p)
		}
	}
	errs, warns := fromConfig(all)
	if len(errs) > 0 {
		return c, warns, invalid("invalid configuration", errs, warns)
	}
	return c, warns, nil
}

// withStoredTokens fills the blank tokens of c from stored, slot by slot (the legacy token, and each
// target's by name), except the slots named in clear.
func withStoredTokens(c, stored config.Config, clear []string) config.Config {
	if c.TokenAuth == "" && !slices.Contains(clear, store.MainToken) {
		c.TokenAuth = stored.TokenAuth
	}
	if len(c.Targets) == 0 {
		return c
	}
	byName := map[string]string{}
	for _, t := range stored.Targets {
		byName[t.Name] = t.Token
	}
	ts := slices.Clone(c.Targets)
	for i, t := range ts {
		if t.Token == "" && !slices.Contains(clear, store.TargetToken(t.Name)) {
			ts[i].Token = byName[t.Name]
		}
	}
	c.Targets = ts
	return c
}

// checkTokenKeys accepts only the token slot names of store.TokenState.
func checkTokenKeys(keys []string) []Problem {
	var probs []Problem
	for i, k := range keys {
		if k != store.MainToken && (!strings.HasPrefix(k, "target:") || k == "target:") {
			probs = append(probs, Problem{Field: fmt.Sprintf("clear_tokens[%d]", i), Value: truncateText(k, 40),
				Message: "unknown token slot; use MATOMO_TOKEN_AUTH or target:<target name>"})
		}
	}
	return probs
}

// redactedMap is the JSON form of c without any token.
func redactedMap(c config.Config) map[string]any {
	return config.ToMap(c.Redacted())
}
