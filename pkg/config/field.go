package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// FieldInfo describes one setting. It is what GET /api/schema serves, what the UI form is rendered
// from and what docs/configuration.md lists.
type FieldInfo struct {
	Name     string   `json:"name"`               // env var name, JSON key, UI field name
	Label    string   `json:"label"`              // short human name
	Help     string   `json:"help"`               // one or two sentences
	Group    string   `json:"group"`              // form section
	Type     string   `json:"type"`               // int, float, bool, string, enum, date, duration, secret, floatlist, targets
	Unit     string   `json:"unit,omitempty"`     // visits/day, seconds, minutes, ...
	Min      *float64 `json:"min,omitempty"`      // inclusive lower bound for numbers
	Max      *float64 `json:"max,omitempty"`      // inclusive upper bound for numbers
	Default  string   `json:"default"`            // env form of the default ("" = unset)
	Enum     []string `json:"enum,omitempty"`     // allowed values of an enum
	Optional bool     `json:"optional,omitempty"` // may be left unset (no default value)
	Secret   bool     `json:"secret,omitempty"`   // write-only: never shown, logged or returned
	Mode     string   `json:"mode,omitempty"`     // "live" or "backfill" when the setting matters in one mode only
	// MaxLength is the most characters of a text; 0 means no limit of its own.
	MaxLength int `json:"max_length,omitempty"`
	// Suggested is the value a form starts from where an unset optional setting is needed (such as
	// a backfill window); unlike Default, nothing assumes it when the setting is left out.
	Suggested string `json:"suggested,omitempty"`
}

// Field types.
const (
	TypeInt       = "int"
	TypeFloat     = "float"
	TypeBool      = "bool"
	TypeString    = "string"
	TypeEnum      = "enum"
	TypeDate      = "date"
	TypeDuration  = "duration"
	TypeSecret    = "secret"
	TypeFloatList = "floatlist"
	TypeTargets   = "targets"
)

// field binds a FieldInfo to its place in Config.
type field struct {
	info FieldInfo
	// parse sets the field from its env (string) form; "" means unset for optional fields.
	parse func(c *Config, s string) error
	// format returns the env form; ok is false for an unset optional field.
	format func(c *Config) (s string, ok bool)
	// value returns the typed JSON value (nil when unset).
	value func(c *Config) any
}

type meta struct {
	label, help, group, unit, mode string
	min, max                       *float64
	suggest                        string
}

func num(v float64) *float64 { return &v }

func (m meta) info(name, typ, def string) FieldInfo {
	return FieldInfo{Name: name, Label: m.label, Help: m.help, Group: m.group, Type: typ, Unit: m.unit,
		Min: m.min, Max: m.max, Default: def, Mode: m.mode, Suggested: m.suggest}
}

// integer is the whole-number types of Config fields.
type integer interface{ ~int | ~int64 }

// scalar binds a field that always has a value; parse and format convert its env form.
func scalar[T any](name, def, typ string, m meta, p func(*Config) *T, parse func(string) (T, error), format func(T) string) field {
	return field{
		info: m.info(name, typ, def),
		parse: func(c *Config, s string) error {
			v, err := parse(s)
			*p(c) = v
			return err
		},
		format: func(c *Config) (string, bool) { return format(*p(c)), true },
		value:  func(c *Config) any { return *p(c) },
	}
}

// optional binds a field that may be unset (nil); "" is its unset env form.
func optional[T any](name, typ string, m meta, p func(*Config) **T, parse func(string) (T, error), format func(T) string) field {
	f := field{
		info: m.info(name, typ, ""),
		parse: func(c *Config, s string) error {
			if s == "" {
				*p(c) = nil
				return nil
			}
			v, err := parse(s)
			if err != nil {
				return err
			}
			*p(c) = &v
			return nil
		},
		format: func(c *Config) (string, bool) {
			if *p(c) == nil {
				return "", false
			}
			return format(**p(c)), true
		},
		value: func(c *Config) any {
			if *p(c) == nil {
				return nil
			}
			return **p(c)
		},
	}
	f.info.Optional = true
	return f
}

func parseWhole[T integer](s string) (T, error) {
	v, err := parseInt(s)
	return T(v), err
}

func formatWhole[T integer](v T) string { return strconv.FormatInt(int64(v), 10) }

func intField(name, def string, m meta, p func(*Config) *int) field {
	return scalar(name, def, TypeInt, m, p, parseWhole[int], formatWhole[int])
}

func int64Field(name, def string, m meta, p func(*Config) *int64) field {
	return scalar(name, def, TypeInt, m, p, parseWhole[int64], formatWhole[int64])
}

func optIntField(name string, m meta, p func(*Config) **int) field {
	return optional(name, TypeInt, m, p, parseWhole[int], formatWhole[int])
}

func optInt64Field(name string, m meta, p func(*Config) **int64) field {
	return optional(name, TypeInt, m, p, parseWhole[int64], formatWhole[int64])
}

func floatField(name, def string, m meta, p func(*Config) *float64) field {
	return scalar(name, def, TypeFloat, m, p, parseFloat, formatFloat)
}

func optFloatField(name string, m meta, p func(*Config) **float64) field {
	return optional(name, TypeFloat, m, p, parseFloat, formatFloat)
}

func boolField(name, def string, m meta, p func(*Config) *bool) field {
	return scalar(name, def, TypeBool, m, p, parseBool, strconv.FormatBool)
}

func stringField(name, def, typ string, m meta, p func(*Config) *string, enum ...string) field {
	f := field{
		info: m.info(name, typ, def),
		parse: func(c *Config, s string) error {
			s = strings.TrimSpace(s)
			if typ == TypeEnum {
				for _, e := range enum {
					if strings.EqualFold(s, e) {
						s = e
						break
					}
				}
			}
			*p(c) = s
			return nil
		},
		format: func(c *Config) (string, bool) { return *p(c), *p(c) != "" || def != "" },
		value:  func(c *Config) any { return *p(c) },
	}
	f.info.Enum = enum
	f.info.Secret = typ == TypeSecret
	f.info.Optional = def == "" && typ != TypeEnum
	return f
}

func durationField(name, def string, m meta, p func(*Config) *time.Duration) field {
	return field{
		info: m.info(name, TypeDuration, def),
		parse: func(c *Config, s string) error {
			v, err := parseDuration(s)
			*p(c) = v
			return err
		},
		format: func(c *Config) (string, bool) { return p(c).String(), true },
		value:  func(c *Config) any { return p(c).String() },
	}
}

func floatListField(name, def string, m meta, p func(*Config) *[]float64) field {
	f := field{
		info: m.info(name, TypeFloatList, def),
		parse: func(c *Config, s string) error {
			var out []float64
			for _, part := range strings.Split(s, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				v, err := parseFloat(part)
				if err != nil {
					return fmt.Errorf("not %s: item %q is %w", typeWords[TypeFloatList], Shorten(part), err)
				}
				out = append(out, v)
			}
			*p(c) = out
			return nil
		},
		format: func(c *Config) (string, bool) {
			parts := make([]string, len(*p(c)))
			for i, v := range *p(c) {
				parts[i] = formatFloat(v)
			}
			return strings.Join(parts, ","), len(parts) > 0 || def != ""
		},
		value: func(c *Config) any {
			if len(*p(c)) == 0 && def == "" {
				return nil
			}
			return append([]float64{}, *p(c)...)
		},
	}
	f.info.Optional = def == ""
	return f
}

func targetsField(name string, m meta) field {
	f := field{
		info:  m.info(name, TypeTargets, ""),
		parse: func(c *Config, s string) error { ts, err := ParseTargets(s); c.Targets = ts; return err },
		format: func(c *Config) (string, bool) {
			if len(c.Targets) == 0 {
				return "", false
			}
			b, _ := json.Marshal(c.Targets) // a []Target always marshals
			return string(b), true
		},
		value: func(c *Config) any {
			if c.Targets == nil {
				return nil
			}
			return append([]Target{}, c.Targets...)
		},
	}
	f.info.Optional = true
	return f
}

func parseInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	v, err := strconv.ParseInt(s, 10, 64)
	if err == nil {
		return v, nil
	}
	// Accept integral floats ("100.0", "1e6"): env files and JSON numbers produce them.
	f, ferr := strconv.ParseFloat(s, 64)
	if ferr == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), nil
	}
	return 0, notA(TypeInt)
}

func parseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, notA(TypeFloat)
	}
	return v, nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// parseBool accepts the spellings the original tool accepted anywhere (1/0, true/false, yes/no, on/off, y/n).
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on", "y", "t":
		return true, nil
	case "0", "false", "no", "off", "n", "f", "":
		return false, nil
	}
	return false, notA(TypeBool)
}

// parseDuration accepts Go durations ("10s", "1m30s") and plain numbers of seconds ("10", "2.5").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, notA(TypeDuration)
}
