package config

import (
	"fmt"
	"strings"
)

// legacyKeys maps the original control UI's snake_case form keys (schema version 0) to env names.
// Every other snake_case key maps by upper-casing.
var legacyKeys = map[string]string{
	"matomo_url":        "MATOMO_URL",
	"matomo_site_id":    "MATOMO_SITE_ID",
	"matomo_token_auth": "MATOMO_TOKEN_AUTH",
}

// Migrate brings a stored config map of schema version `from` up to SchemaVersion. Version 0 is the
// original tool's preset format (snake_case keys such as target_visits_per_day); version 1 uses env names.
func Migrate(from int, m map[string]any) (map[string]any, error) {
	switch {
	case from == SchemaVersion:
		return m, nil
	case from == 0:
		out := make(map[string]any, len(m))
		for k, v := range m {
			name, ok := legacyKeys[k]
			if !ok {
				name = strings.ToUpper(k)
			}
			if _, known := fieldByName[name]; !known {
				continue // the original stored UI-only keys; they carry no setting
			}
			out[name] = v
		}
		return out, nil
	case from > SchemaVersion:
		return nil, fmt.Errorf("config schema version %d is newer than this program's %d", from, SchemaVersion)
	}
	return nil, fmt.Errorf("unknown config schema version %d", from)
}
