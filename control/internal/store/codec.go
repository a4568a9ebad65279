package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// encodeValues is the stored form of c: config.ToMap of the redacted config, so no token is ever
// written in clear whatever the caller passes.
func encodeValues(c config.Config) (string, error) {
	b, err := json.Marshal(config.ToMap(c.Redacted()))
	if err != nil {
		return "", fmt.Errorf("encode config: %w", err)
	}
	return string(b), nil
}

// decodeValues reads a stored config of schema version v, migrating it to config.SchemaVersion.
// Numbers are kept as json.Number so large seeds survive exactly.
func decodeValues(v int, js string) (config.Config, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(js)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return config.Config{}, fmt.Errorf("stored config is not a JSON object: %w", err)
	}
	m, err := config.Migrate(v, m)
	if err != nil {
		return config.Config{}, fmt.Errorf("migrate stored config: %w", err)
	}
	c, probs := config.FromMap(m)
	if err := probs.Err(); err != nil {
		return config.Config{}, fmt.Errorf("stored config (schema version %d) does not load: %w", v, err)
	}
	return c, nil
}

// sealedConfig is a config in its stored form: values without tokens, and the sealed tokens.
type sealedConfig struct {
	values string
	tokens string
}

// sealConfig encodes c for storage; keep and clear work as in sealer.sealTokens.
func (s *Store) sealConfig(c config.Config, keep map[string]string, clear []string) (sealedConfig, error) {
	values, err := encodeValues(c)
	if err != nil {
		return sealedConfig{}, err
	}
	sealed, err := s.sealer.sealTokens(c, keep, clear)
	if err != nil {
		return sealedConfig{}, err
	}
	tokens, err := formatSealed(sealed)
	if err != nil {
		return sealedConfig{}, err
	}
	return sealedConfig{values: values, tokens: tokens}, nil
}

// openConfig decodes a stored config (migrating it) and decrypts its tokens.
func (s *Store) openConfig(version int, values, tokens string) (config.Config, error) {
	c, err := decodeValues(version, values)
	if err != nil {
		return config.Config{}, err
	}
	sealed, err := parseSealed(tokens)
	if err != nil {
		return config.Config{}, err
	}
	if err := s.sealer.openTokens(&c, sealed); err != nil {
		return config.Config{}, err
	}
	return c, nil
}
