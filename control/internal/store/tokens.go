package store

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// MainToken is the token key of the legacy single target's MATOMO_TOKEN_AUTH. Token keys name a token
// slot in TokenState and in ConfigUpdate.ClearTokens.
const MainToken = "MATOMO_TOKEN_AUTH"

// TargetToken returns the token key of the MATOMO_TARGETS entry called name. Tokens follow target
// names: a renamed target starts without a token rather than inheriting another one's.
func TargetToken(name string) string { return "target:" + name }

// tokenSlot is one place a token can be: its key and its plaintext in a config.
type tokenSlot struct {
	key, token string
}

// tokenSlots lists every token slot of c. Target names must be unique, or two tokens would share a key.
func tokenSlots(c config.Config) ([]tokenSlot, error) {
	slots := []tokenSlot{{MainToken, c.TokenAuth}}
	seen := map[string]bool{}
	for _, t := range c.Targets {
		if seen[t.Name] {
			return nil, fmt.Errorf("%w: two targets are named %q; target names must be unique", ErrInvalid, t.Name)
		}
		seen[t.Name] = true
		slots = append(slots, tokenSlot{TargetToken(t.Name), t.Token})
	}
	return slots, nil
}

// TokenState reports, for every token slot of c (MainToken and TargetToken of each target), whether a
// token is set. It is what responses show instead of the tokens ("token_set": true).
func TokenState(c config.Config) map[string]bool {
	st := map[string]bool{MainToken: c.TokenAuth != ""}
	for _, t := range c.Targets {
		st[TargetToken(t.Name)] = t.Token != ""
	}
	return st
}

// sealTokens returns the sealed-token map to store for c. A token given in c is sealed anew. A blank
// one keeps the sealed value in keep under the same key (write-only tokens: a form that cannot show a
// token must not wipe it), unless its key is in clear. Keys of keep with no slot in c are dropped.
func (s *sealer) sealTokens(c config.Config, keep map[string]string, clear []string) (map[string]string, error) {
	slots, err := tokenSlots(c)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, sl := range slots {
		switch {
		case sl.token != "":
			v, err := s.seal(sl.key, sl.token)
			if err != nil {
				return nil, err
			}
			out[sl.key] = v
		case keep[sl.key] != "" && !slices.Contains(clear, sl.key):
			out[sl.key] = keep[sl.key]
		}
	}
	return out, nil
}

// openTokens puts the tokens of the sealed map into c. A token already in c (a legacy row that held
// one in clear) is overwritten by the sealed one; sealed keys without a slot in c are ignored.
func (s *sealer) openTokens(c *config.Config, sealed map[string]string) error {
	if v := sealed[MainToken]; v != "" {
		tok, err := s.open(MainToken, v)
		if err != nil {
			return err
		}
		c.TokenAuth = tok
	}
	for i := range c.Targets {
		key := TargetToken(c.Targets[i].Name)
		if v := sealed[key]; v != "" {
			tok, err := s.open(key, v)
			if err != nil {
				return err
			}
			c.Targets[i].Token = tok
		}
	}
	return nil
}

func parseSealed(js string) (map[string]string, error) {
	m := map[string]string{}
	if js == "" {
		return m, nil
	}
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return nil, fmt.Errorf("%w: stored token map is not JSON", ErrDecrypt)
	}
	return m, nil
}

func formatSealed(m map[string]string) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode token map: %w", err)
	}
	return string(b), nil
}
