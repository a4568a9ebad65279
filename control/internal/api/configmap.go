package api

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// checkConfig checks a config map with config.Check, as the loader checks its environment.
// stored, when not nil, is the saved config being replaced: its tokens stand in for blank ones
// (unless cleared) during validation, because that is what the saved result will hold. It returns
// the parsed config (blank tokens left blank: the store keeps the stored ones) and the warnings, or
// a 400 listing every problem.
func checkConfig(m map[string]any, stored *config.Config, clear []string) (config.Config, config.Problems, error) {
	if m == nil {
		return config.Config{}, nil, nil // missing or mistyped: the envelope's problems say so
	}
	var opts []config.CheckOption
	if stored != nil {
		opts = append(opts, config.ValidateAs(func(c config.Config) config.Config { return withStoredTokens(c, *stored, clear) }))
	}
	c, ps := config.Check(config.JSON(m), opts...)
	if ps.Err() != nil {
		return c, ps.Warnings(), invalid("invalid configuration", ps)
	}
	return c, ps.Warnings(), nil
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
func checkTokenKeys(keys []string) config.Problems {
	var probs config.Problems
	for i, k := range keys {
		if k != store.MainToken && (!strings.HasPrefix(k, "target:") || k == "target:") {
			probs = append(probs, config.Errorf(fmt.Sprintf("clear_tokens[%d]", i), k,
				"unknown token slot; use MATOMO_TOKEN_AUTH or target:<target name>"))
		}
	}
	return probs
}

// redactedMap is the JSON form of c without any token.
func redactedMap(c config.Config) map[string]any {
	return config.ToMap(c.Redacted())
}
