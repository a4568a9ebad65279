package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // images are FROM scratch: TIMEZONE must load without the host's zoneinfo
)

// Decode builds a Config from environment variables read through lookup (os.LookupEnv in main, a map in
// tests). Unset variables keep their defaults. Every value that does not parse is reported, all at once,
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
			probs = append(probs, errorf(f.info.Name, maskValue(f.info, s), "%v", err))
			_ = f.parse(&c, f.info.Default)
		}
	}
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
// Values may be typed (JSON numbers, booleans, an array for MATOMO_TARGETS) or strings that parse.
// Unknown keys, wrong types and unparsable values are all reported at once.
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
			probs = append(probs, errorf(k, maskValue(f.info, fmt.Sprint(m[k])), "%v", err))
			_ = f.parse(&c, f.info.Default)
		}
	}
	return c, probs
}

// jsonToEnv turns a JSON value into the env string form of the setting described by info.
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
		return x.String(), nil
	case float64:
		if info.Type != TypeInt && info.Type != TypeFloat && info.Type != TypeDuration {
			return "", fmt.Errorf("expected %s, got a number", typeWord(info))
		}
		if info.Type == TypeDuration {
			return formatFloat(x) + "s", nil
		}
		return formatFloat(x), nil
	case bool:
		if info.Type != TypeBool {
			return "", fmt.Errorf("expected %s, got a boolean", typeWord(info))
		}
		if x {
			return "true", nil
		}
		return "false", nil
	case []any, []Target, map[string]any:
		switch info.Type {
		case TypeTargets:
			b, err := json.Marshal(x)
			return string(b), err
		case TypeFloatList:
			if arr, ok := x.([]any); ok {
				parts := make([]string, len(arr))
				for i, e := range arr {
					parts[i] = fmt.Sprint(e)
				}
				return strings.Join(parts, ","), nil
			}
		}
		return "", fmt.Errorf("expected %s, got %T", typeWord(info), v)
	case []float64:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatFloat(e)
		}
		return strings.Join(parts, ","), nil
	}
	return fmt.Sprint(v), nil
}

func typeWord(info FieldInfo) string {
	switch info.Type {
	case TypeInt:
		return "a whole number"
	case TypeFloat:
		return "a number"
	case TypeBool:
		return "a boolean"
	case TypeTargets:
		return "an array of targets"
	case TypeFloatList:
		return "a list of numbers"
	case TypeDuration:
		return "a duration"
	}
	return "a string"
}

func unknownSetting(k string, v any) Problem {
	msg := "unknown setting"
	if s := suggest(k); s != "" {
		msg += "; did you mean " + s + "?"
	}
	val := fmt.Sprint(v)
	if strings.Contains(strings.ToUpper(k), "TOKEN") {
		val = "***"
	}
	return errorf(k, val, "%s", msg)
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
		return nil, fmt.Errorf("not a JSON array of targets: %s", redactTargetsJSON(err.Error()))
	}
	if len(ws) == 0 {
		return nil, nil
	}
	out := make([]Target, len(ws))
	for i, w := range ws {
		t := Target{Name: strings.TrimSpace(w.Name), URL: strings.TrimSpace(w.URL), Token: w.Token,
			TokenFile: strings.TrimSpace(w.TokenFile), Weight: 1, Enabled: true}
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
