package config

import (
	"strconv"
	"strings"
	"testing"
)

// targetField returns the sub-schema row of a target key.
func targetField(t *testing.T, name string) FieldInfo {
	t.Helper()
	for _, f := range TargetFields() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no target field %q", name)
	return FieldInfo{}
}

// Validate applies exactly the limits the target sub-schema serves: a value at a limit passes,
// one beyond it is refused, naming the key.
func TestTargetFieldsAreTheRules(t *testing.T) {
	name, weight, site := targetField(t, "name"), targetField(t, "weight"), targetField(t, "site_id")
	for _, tc := range []struct {
		name   string
		mutate func(*Target)
		bad    string // the key refused; "" when valid
	}{
		// A name of max_length characters, each of two bytes, is within the limit.
		{"longest name in characters", func(tg *Target) { tg.Name = strings.Repeat("å", name.MaxLength) }, ""},
		{"name one character too long", func(tg *Target) { tg.Name = strings.Repeat("a", name.MaxLength+1) }, "name"},
		{"empty name", func(tg *Target) { tg.Name = "" }, "name"},
		{"lowest weight", func(tg *Target) { tg.Weight = int(*weight.Min) }, ""},
		{"highest weight", func(tg *Target) { tg.Weight = int(*weight.Max) }, ""},
		{"weight below the minimum", func(tg *Target) { tg.Weight = int(*weight.Min) - 1 }, "weight"},
		{"weight above the maximum", func(tg *Target) { tg.Weight = int(*weight.Max) + 1 }, "weight"},
		{"site below the minimum", func(tg *Target) { tg.SiteID = int(*site.Min) - 1 }, "site_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 1, Enabled: true}}
			tc.mutate(&c.Targets[0])
			var got []string
			for _, p := range c.Validate().Errors() {
				if key, ok := strings.CutPrefix(p.Field, "MATOMO_TARGETS[0]."); ok {
					got = append(got, key)
				}
			}
			if (tc.bad == "" && len(got) > 0) || (tc.bad != "" && (len(got) != 1 || got[0] != tc.bad)) {
				t.Fatalf("problems about %v, want %q", got, tc.bad)
			}
		})
	}
}

// A target given without weight or enabled gets the sub-schema's defaults.
func TestTargetDefaultsAreTheSchemas(t *testing.T) {
	ts, err := ParseTargets(`[{"name":"a","url":"http://127.0.0.1/matomo.php","site_id":3}]`)
	if err != nil {
		t.Fatal(err)
	}
	if got := strconv.Itoa(ts[0].Weight); got != targetField(t, "weight").Default {
		t.Errorf("weight %s, schema default %s", got, targetField(t, "weight").Default)
	}
	if got := strconv.FormatBool(ts[0].Enabled); got != targetField(t, "enabled").Default {
		t.Errorf("enabled %s, schema default %s", got, targetField(t, "enabled").Default)
	}
	var keys []string
	for _, f := range TargetFields() {
		keys = append(keys, f.Name)
	}
	if got := strings.Join(keys, ","); got != "name,url,site_id,token_auth,weight,enabled" {
		t.Errorf("target keys %s", got)
	}
}
