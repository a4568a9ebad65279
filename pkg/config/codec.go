package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // images are FROM scratch: TIMEZONE must load without the host's zoneinfo
)

// Decode builds a Config from environment variables read through lookup (os.LookupEnv in main, a map in
// tests). Unset variables keep their defaults, except SHARD_INDEX, which falls back to
// JOB_COMPLETION_INDEX, then to SHARD_SLOT − 1, when those are set. Every value that does not parse is reported, all at once,
// as Problems; the returned Config then holds the defaults for those settings so that Validate can still
// report everything else.
func Decode(lookup func(string) (string, bool)) (Config, error) {
	c := Default()
	var probs Problems
	for i := range fields {
		f := &fields[i]
		s, ok := lookup(f.info.Name)
		if !ok {
			continue
		}
		if err := f.parse(&c, s); err != nil {
			probs = append(probs, Errorf(f.info.Name, maskValue(f.info, s), "%v", err))
			_ = f.parse(&c, f.info.Default)
		}
	}
	probs = append(probs, shardFromEnv(&c, lookup)...)
	if len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

// Encode returns the environment ("NAME=value") that makes a loader run with c: every setting that has a
// value, in schema order. Decode(Encode(c)) == c.
func Encode(c Config) []string {
	env := make([]string, 0, len(fields))
	for i := range fields {
		if s, ok := fields[i].format(&c); ok {
			env = append(env, fields[i].info.Name+"="+s)
		}
	}
	return env
}

// ToMap returns the typed JSON form of c keyed by env name (numbers as numbers, booleans as booleans,
// MATOMO_TARGETS as an array). Unset optional settings are omitted. Tokens are included: callers that
// show or store the map redact first (Config.Redacted).
func ToMap(c Config) map[string]any {
	m := make(map[string]any, len(fields))
	for i := range fields {
		if v := fields[i].value(&c); v != nil {
			if _, ok := fields[i].format(&c); ok {
				m[fields[i].info.Name] = v
			}
		}
	}
	return m
}

// FromMap builds a Config from its JSON form (as the API receives it), starting from the defaults.
// Values may be typed (JSON numbers, booleans, an array for MATOMO_TARGETS) or strings that parse;
// a body decoded with json.Decoder.UseNumber (which keeps the digits of big integers) works as well.
// Unknown keys, wrong types and unparsable values are all reported at once, sorted by key.
func FromMap(m map[string]any) (Config, Problems) {
	c := Default()
	var probs Problems
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := fieldByName[k]
		if !ok {
			probs = append(probs, unknownSetting(k, m[k]))
			continue
		}
		s, err := jsonToEnv(f.info, m[k])
		if err == nil {
			err = f.parse(&c, s)
		}
		if err != nil {
			probs = append(probs, Errorf(k, jsonValueText(f.info, m[k]), "%v", err))
			_ = f.parse(&c, f.info.Default)
		}
	}
	return c, probs
}

// jsonToEnv turns a JSON value into the env string form of the setting described by info. A value of
// the wrong JSON type is an error that names the type expected and the type given.
func jsonToEnv(info FieldInfo, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		if info.Optional {
			return "", nil
		}
		return info.Default, nil
	case string:
		return x, nil
	case json.Number:
		return numberToEnv(info, x.String())
	case float64:
		return numberToEnv(info, formatFloat(x))
	case int, int64:
		return numberToEnv(info, fmt.Sprint(x))
	case bool:
		if info.Type != TypeBool {
			return "", wrongType(info, strconv.FormatBool(x))
		}
		return strconv.FormatBool(x), nil
	case []any:
		return listToEnv(info, x)
	case []float64:
		if info.Type != TypeFloatList {
			return "", wrongType(info, "an array")
		}
		return joinFloats(x), nil
	case []Target:
		if info.Type != TypeTargets {
			return "", wrongType(info, "an array")
		}
		b, err := json.Marshal(x)
		return string(b), err
	case map[string]any:
		return "", wrongType(info, "an object")
	}
	return "", wrongType(info, fmt.Sprintf("%T", v))
}

// numberToEnv accepts a JSON number for the numeric settings only: a number where a string or a
// boolean belongs is a mistake, not something to convert.
func numberToEnv(info FieldInfo, s string) (string, error) {
	switch info.Type {
	case TypeInt, TypeFloat, TypeDuration: // a duration given as a number is in seconds
		return s, nil
	}
	return "", wrongType(info, "a number")
}

// listToEnv accepts a JSON array for MATOMO_TARGETS and the lists of numbers.
func listToEnv(info FieldInfo, arr []any) (string, error) {
	switch info.Type {
	case TypeTargets:
		b, err := json.Marshal(arr)
		return string(b), err
	case TypeFloatList:
		parts := make([]string, len(arr))
		for i, e := range arr {
			switch n := e.(type) {
			case float64:
				parts[i] = formatFloat(n)
			case json.Number, string:
				parts[i] = fmt.Sprint(n)
			default:
				return "", fmt.Errorf("expected %s, got %s at item %d", typeWord(info), jsonKind(e), i)
			}
		}
		return strings.Join(parts, ","), nil
	}
	return "", wrongType(info, "an array")
}

func joinFloats(fs []float64) string {
	parts := make([]string, len(fs))
	for i, e := range fs {
		parts[i] = formatFloat(e)
	}
	return strings.Join(parts, ",")
}

func wrongType(info FieldInfo, got string) error {
	return fmt.Errorf("expected %s, got %s", typeWord(info), got)
}

// typeWord names, for a user, what a setting takes: the one vocabulary of type errors, in the JSON
// form ("expected a whole number, got true") and in the env form ("not a whole number") alike.
func typeWord(info FieldInfo) string { return typeWords[info.Type] }

var typeWords = map[string]string{
	TypeInt:       "a whole number",
	TypeFloat:     "a number",
	TypeBool:      "true or false",
	TypeString:    "a string",
	TypeEnum:      "a string",
	TypeSecret:    "a string",
	TypeDate:      "a date (YYYY-MM-DD)",
	TypeTargets:   "an array of targets",
	TypeFloatList: "a list of numbers",
	TypeDuration:  "a duration such as 10s or 1m30s, or a number of seconds",
}

// notA is the error of an env value that does not parse as typ.
func notA(typ string) error { return errors.New("not " + typeWords[typ]) }

// jsonKind names the JSON type of v for a type error.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "true or false"
	case float64, json.Number, int, int64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonValueText renders a JSON value for a problem report: scalars as written (secrets masked),
// MATOMO_TARGETS with its tokens blanked, and other arrays and objects not at all (the message names
// their type; they could hold anything).
func jsonValueText(info FieldInfo, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string, json.Number, float64, int, int64, bool:
		return maskValue(info, fmt.Sprint(x))
	}
	if info.Type == TypeTargets {
		b, _ := json.Marshal(v) // values decoded from JSON marshal again
		return redactTargetsJSON(string(b))
	}
	return ""
}

func unknownSetting(k string, v any) Problem {
	msg := "unknown setting"
	if s := suggest(k); s != "" {
		msg += "; did you mean " + s + "?"
	}
	val := jsonValueText(FieldInfo{}, v)
	if strings.Contains(strings.ToUpper(k), "TOKEN") {
		val = "***"
	}
	return Errorf(k, val, "%s", msg)
}

// suggest finds the setting a mistyped or snake_case key most likely meant.
func suggest(k string) string {
	up := strings.ToUpper(strings.TrimSpace(k))
	if _, ok := fieldByName[up]; ok {
		return up
	}
	best, bestD := "", 3
	for i := range fields {
		if d := editDistance(up, fields[i].info.Name); d < bestD {
			best, bestD = fields[i].info.Name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// maskValue hides secrets (and secrets inside MATOMO_TARGETS) in problem reports.
func maskValue(info FieldInfo, s string) string {
	switch {
	case info.Secret && s != "":
		return "***"
	case info.Type == TypeTargets:
		return redactTargetsJSON(s)
	}
	return s
}

// ParseTargets decodes the MATOMO_TARGETS JSON array. Missing weight means 1, missing enabled means true.
// Unknown keys are errors, so a typo cannot silently drop a token.
func ParseTargets(s string) ([]Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	type wire struct {
		Name    string `json:"name"`
		URL     string `json:"url"`
		SiteID  *int   `json:"site_id"`
		Token   string `json:"token_auth"`
		Weight  *int   `json:"weight"`
		Enabled *bool  `json:"enabled"`

		TokenFile string `json:"token_auth_file"`
	}
	var ws []wire
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ws); err != nil {
		return nil, fmt.Errorf("not a JSON array of targets: %s", Shorten(redactTargetsJSON(err.Error())))
	}
	if len(ws) == 0 {
		return nil, nil
	}
	out := make([]Target, len(ws))
	for i, w := range ws {
		t := Target{Name: strings.TrimSpace(w.Name), URL: strings.TrimSpace(w.URL), Token: w.Token,
			TokenFile: strings.TrimSpace(w.TokenFile), Weight: DefaultTargetWeight, Enabled: defaultTargetEnabled}
		if w.SiteID != nil {
			t.SiteID = *w.SiteID
		}
		if w.Weight != nil {
			t.Weight = *w.Weight
		}
		if w.Enabled != nil {
			t.Enabled = *w.Enabled
		}
		out[i] = t
	}
	return out, nil
}

// redactTargetsJSON blanks token values in a MATOMO_TARGETS string so it can appear in an error.
func redactTargetsJSON(s string) string {
	var raw []map[string]any
	if json.Unmarshal([]byte(s), &raw) == nil {
		for _, t := range raw {
			if _, ok := t["token_auth"]; ok {
				t["token_auth"] = "***"
			}
		}
		b, _ := json.Marshal(raw)
		return string(b)
	}
	if strings.Contains(s, "token_auth") {
		return "(invalid JSON; not shown because it may contain a token)"
	}
	return s
}

func loadLocation(name string) (*time.Location, error) {
	if strings.TrimSpace(name) == "" {
		return nil, fmt.Errorf("empty time zone")
	}
	return time.LoadLocation(name)
}
