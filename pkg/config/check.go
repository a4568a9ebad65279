package config

import (
	"errors"
	"strings"
)

// Source is where Check reads a configuration from: environment variables (Env), as the loader
// takes them, or the JSON form the control's API takes (JSON).
type Source struct {
	lookup func(string) (string, bool)
	values map[string]any
}

// Env is a source of environment variables read through lookup (os.LookupEnv, or a map in tests).
func Env(lookup func(string) (string, bool)) Source { return Source{lookup: lookup} }

// JSON is a source of the JSON form of a config: keys are env names, values typed as the schema says
// or strings that parse (see FromMap).
func JSON(m map[string]any) Source { return Source{values: m} }

// parse reads the source without validating it.
func (s Source) parse() (Config, Problems) {
	if s.lookup == nil {
		return FromMap(s.values)
	}
	c, err := Decode(s.lookup)
	var ps Problems
	errors.As(err, &ps)
	return c, ps
}

// CheckOption changes what Check validates.
type CheckOption func(*checkOptions)

type checkOptions struct {
	prepare func(Config) Config
	ignore  func(Problem) bool
}

// ValidateAs makes Check validate prepare(c) in place of the config c it read, for a caller that
// runs or stores something else than what it was given: the control fills in a saved config's tokens
// that a form left blank, or sets a run's mode. Check still returns c.
func ValidateAs(prepare func(Config) Config) CheckOption {
	return func(o *checkOptions) { o.prepare = prepare }
}

// Ignore makes Check leave out the validation problems skip reports true for, for a caller that does
// not hold some rules against this config (a preset leaves its targets open). Problems of values that
// did not parse are always kept.
func Ignore(skip func(Problem) bool) CheckOption {
	return func(o *checkOptions) { o.ignore = skip }
}

// Check reads a configuration from src and validates it, returning the config and every problem at
// once: each value that did not parse (unknown settings and wrong types included), then each rule the
// result breaks, errors and warnings together (Problems.Err is nil when there are no errors).
//
// A rule about a setting that did not parse, or that measures another setting against it, is left
// out: the setting holds its default then, not what the user wrote, so the rule would only repeat
// the parse error or mislead. When MATOMO_TARGETS
// did not parse, the rules of the legacy MATOMO_URL and MATOMO_TOKEN_AUTH are left out too: the user
// meant targets, not the placeholder URL. The loader and the control's API both check configs here.
func Check(src Source, opts ...CheckOption) (Config, Problems) {
	var o checkOptions
	for _, opt := range opts {
		opt(&o)
	}
	c, probs := src.parse()
	unparsed := map[string]bool{}
	for _, p := range probs {
		unparsed[p.Field] = true
	}
	if unparsed["MATOMO_TARGETS"] {
		unparsed["MATOMO_URL"], unparsed["MATOMO_TOKEN_AUTH"] = true, true
	}
	validated := c
	if o.prepare != nil {
		validated = o.prepare(c)
	}
	for _, p := range validated.Validate() {
		if aboutUnparsed(p, unparsed) || (o.ignore != nil && o.ignore(p)) {
			continue
		}
		probs = append(probs, p)
	}
	return c, probs
}

// aboutUnparsed reports whether p is about a setting in unparsed, or measures its setting against one
// ("must not exceed PAGEVIEWS_MAX (6)" quotes a default the user did not write).
func aboutUnparsed(p Problem, unparsed map[string]bool) bool {
	if unparsed[p.Field] {
		return true
	}
	for name := range unparsed {
		if mentions(p.Message, name) {
			return true
		}
	}
	return false
}

// mentions reports whether msg names the setting name as a whole word.
func mentions(msg, name string) bool {
	isNameByte := func(b byte) bool { return b == '_' || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') }
	for i := 0; ; {
		j := strings.Index(msg[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		if (start == 0 || !isNameByte(msg[start-1])) && (end == len(msg) || !isNameByte(msg[end])) {
			return true
		}
		i = start + 1
	}
}
