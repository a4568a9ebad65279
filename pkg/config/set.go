package config

import "fmt"

// Set gives the setting name (its env var name) the value v, in its JSON form (a number, a boolean,
// a list) or its env form (a string), as FromMap reads it. The error says what is wrong with v;
// ranges and cross-field rules are Validate's.
func (c *Config) Set(name string, v any) error {
	f, ok := fieldByName[name]
	if !ok {
		return fmt.Errorf("unknown setting %s", name)
	}
	s, err := jsonToEnv(f.info, v)
	if err == nil {
		err = f.parse(c, s)
	}
	return err
}

// Format returns the env form of the setting name in c; ok is false when it is unset or unknown.
func (c *Config) Format(name string) (s string, ok bool) {
	f, found := fieldByName[name]
	if !found {
		return "", false
	}
	return f.format(c)
}
