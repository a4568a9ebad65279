package config

import (
	"encoding/json"
	"strings"
	"testing"
)

const testURL = "http://127.0.0.1:9/matomo.php"

// fieldsOf lists the fields of ps, in order.
func fieldsOf(ps Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Field
	}
	return out
}

// Check reports each value that did not parse once, and no rule about it; the env and the JSON
// source behave alike.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		// want is the fields of the errors, in order; phrase must be in the first error.
		want   []string
		phrase string
	}{
		// A fine env config has no errors.
		{"env ok", Env(mapLookup(map[string]string{"MATOMO_URL": testURL})), nil, ""},
		// A fine JSON config has no errors.
		{"json ok", JSON(map[string]any{"MATOMO_URL": testURL, "CONCURRENCY": json.Number("20")}), nil, ""},
		// PAGEVIEWS_MAX did not parse: its default (6) is below PAGEVIEWS_MIN, but that is not what
		// the user wrote, so only the parse error is reported.
		{"env unparsed skips its rules", Env(mapLookup(map[string]string{"MATOMO_URL": testURL,
			"PAGEVIEWS_MIN": "9", "PAGEVIEWS_MAX": "lots"})), []string{"PAGEVIEWS_MAX"}, "not a whole number"},
		// The same through JSON.
		{"json unparsed skips its rules", JSON(map[string]any{"MATOMO_URL": testURL,
			"PAGEVIEWS_MIN": 9.0, "PAGEVIEWS_MAX": "lots"}), []string{"PAGEVIEWS_MAX"}, "not a whole number"},
		// Broken MATOMO_TARGETS: the user meant targets, so the placeholder MATOMO_URL is not
		// held against them (the control used to report it, the loader did not).
		{"env broken targets", Env(mapLookup(map[string]string{"MATOMO_TARGETS": `[{"name":`})),
			[]string{"MATOMO_TARGETS"}, "not a JSON array of targets"},
		{"json broken targets", JSON(map[string]any{"MATOMO_TARGETS": map[string]any{"name": "a"}}),
			[]string{"MATOMO_TARGETS"}, "expected an array of targets, got an object"},
		// Wrong JSON types name what the setting takes and what was given.
		{"json bool for a number", JSON(map[string]any{"MATOMO_URL": testURL, "CONCURRENCY": true}),
			[]string{"CONCURRENCY"}, "expected a whole number, got true"},
		{"json number for a bool", JSON(map[string]any{"MATOMO_URL": testURL, "AUTO_START": json.Number("1")}),
			[]string{"AUTO_START"}, "expected true or false, got a number"},
		{"json number for a string", JSON(map[string]any{"MATOMO_URL": 12.0}),
			[]string{"MATOMO_URL"}, "expected a string, got a number"},
		{"json array for a string", JSON(map[string]any{"MATOMO_URL": testURL, "TIMEZONE": []any{"CET"}}),
			[]string{"TIMEZONE"}, "expected a string, got an array"},
		// Unknown keys are reported with a suggestion, and rules still run on the rest.
		{"json unknown and invalid", JSON(map[string]any{"MATOMO_URL": testURL, "concurency": 5.0, "PAGEVIEWS_MIN": 0.0}),
			[]string{"concurency", "PAGEVIEWS_MIN"}, "did you mean CONCURRENCY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := Check(tt.src)
			errs := ps.Errors()
			if strings.Join(fieldsOf(errs), ",") != strings.Join(tt.want, ",") {
				t.Fatalf("error fields %v, want %v:\n%v", fieldsOf(errs), tt.want, errs)
			}
			if tt.phrase != "" && !strings.Contains(errs[0].Message, tt.phrase) {
				t.Errorf("first error %q lacks %q", errs[0].Message, tt.phrase)
			}
		})
	}
}

// ValidateAs validates another config than the one returned; Ignore drops rules, never parse errors.
func TestCheckOptions(t *testing.T) {
	src := JSON(map[string]any{"MATOMO_URL": testURL, "BACKFILL_ENABLED": true,
		"BACKFILL_START_DATE": "2026-01-01", "BACKFILL_END_DATE": "2026-01-02", "SEED": "x"})
	_, ps := Check(src)
	if strings.Join(fieldsOf(ps.Errors()), ",") != "SEED,MATOMO_TOKEN_AUTH" {
		t.Fatalf("without options: %v", ps)
	}
	withToken := func(c Config) Config { c.TokenAuth = "stored"; return c }
	c, ps := Check(src, ValidateAs(withToken))
	if strings.Join(fieldsOf(ps.Errors()), ",") != "SEED" || c.TokenAuth != "" {
		t.Fatalf("ValidateAs: %v, returned token %q", ps, c.TokenAuth)
	}
	_, ps = Check(src, Ignore(func(p Problem) bool { return strings.HasPrefix(p.Field, "MATOMO_") || p.Field == "SEED" }))
	if strings.Join(fieldsOf(ps.Errors()), ",") != "SEED" {
		t.Fatalf("Ignore must keep parse errors and drop the rules it names: %v", ps)
	}
}

// The env form and the JSON form of a setting use the same words for what it takes.
func TestTypeWordsAgree(t *testing.T) {
	tests := []struct {
		setting string
		env     string
		json    any
	}{
		{"CONCURRENCY", "x", true},                // whole number
		{"TARGET_VISITS_PER_DAY", "x", false},     // number
		{"AUTO_START", "maybe", 1.0},              // true or false
		{"HTTP_TIMEOUT", "soon", true},            // duration
		{"ECOMMERCE_SHIPPING_RATES", "a,b", true}, // list of numbers
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			info, _ := Lookup(tt.setting)
			word := typeWord(info)
			_, envPs := Check(Env(mapLookup(map[string]string{"MATOMO_URL": testURL, tt.setting: tt.env})))
			_, jsonPs := Check(JSON(map[string]any{"MATOMO_URL": testURL, tt.setting: tt.json}))
			for _, ps := range []Problems{envPs, jsonPs} {
				if len(ps.Errors()) != 1 || !strings.Contains(ps.Errors()[0].Message, word) {
					t.Errorf("want one error saying %q, got %v", word, ps)
				}
			}
		})
	}
}

// A huge value is cut in every problem, in the env form and the JSON form.
func TestHugeValuesAreCut(t *testing.T) {
	huge := strings.Repeat("9", 1<<20) + "x"
	_, envPs := Check(Env(mapLookup(map[string]string{"MATOMO_URL": testURL, "SEED": huge})))
	_, jsonPs := Check(JSON(map[string]any{"MATOMO_URL": testURL, "SEED": huge, huge: 1.0}))
	for _, ps := range []Problems{envPs, jsonPs} {
		if len(ps) == 0 {
			t.Fatal("no problem reported")
		}
		for _, p := range ps {
			if line := p.String(); len(line) > 400 || len(p.Value) > maxShown || len(p.Field) > maxShown {
				t.Errorf("problem of %d bytes (value %d, field %d): %.200s", len(line), len(p.Value), len(p.Field), line)
			}
		}
	}
}
