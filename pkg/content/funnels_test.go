package content

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// oneFunnel wraps funnel members (without braces) in a one-funnel array.
func oneFunnel(members string) string { return "[{" + members + "}]" }

const (
	okHead = `"name":"F","probability":0.5,`
	okPV   = `{"type":"pageview","url":"https://example.test/"}`
)

func TestParseFunnelsRules(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []want
	}{
		// A minimal funnel is valid.
		{"minimal", oneFunnel(okHead + `"steps":[` + okPV + `]`), nil},
		// The root must be an array.
		{"object root", `{}`, []want{{line: 1, value: "{…}", phrase: "must be a JSON array"}}},
		// Syntax errors carry the line.
		{"syntax", "[\n{\"name\": }\n]", []want{{line: 2, phrase: "not valid JSON"}}},
		// An empty file runs no funnels and says so.
		{"empty file", "  \n", []want{{phrase: "empty", warning: true}}},
		// Unknown funnel keys are errors naming the key.
		{"unknown funnel key", oneFunnel(okHead + `"weight":1,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].weight", phrase: `unknown key "weight"`}}},
		// Unknown step keys are errors naming the key.
		{"unknown step key", oneFunnel(okHead + `"steps":[{"type":"pageview","url":"https://e.test/","delay":3}]`),
			[]want{{line: 1, field: "[0].steps[0].delay", phrase: `unknown key "delay"`}}},
		// A missing name gets the default, with a warning.
		{"no name", oneFunnel(`"probability":0.5,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].name", phrase: "Unnamed Funnel", warning: true}}},
		// Names over 100 characters are errors.
		{"long name", oneFunnel(`"name":"` + strings.Repeat("n", 101) + `","probability":0.5,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].name", phrase: "at most 100"}}},
		// Names with terminal escapes, NUL or the right-to-left override are errors (the value is
		// shown escaped).
		{"escape in name", oneFunnel(`"name":"F\u001b[2J","probability":0.5,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].name", value: `F\x1b[2J`, phrase: "control characters"}}},
		{"rlo in name", oneFunnel(`"name":"gpj.\u202eexe","probability":0.5,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].name", phrase: "bidirectional override"}}},
		// Descriptions over 500 characters are errors.
		{"long description", oneFunnel(okHead + `"description":"` + strings.Repeat("d", 501) + `","steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].description", phrase: "at most 500"}}},
		// A missing probability defaults to 0, with a warning.
		{"no probability", oneFunnel(`"name":"F","steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].probability", phrase: "defaults to 0", warning: true}}},
		// Probability outside [0, 1] is an error.
		{"probability range", oneFunnel(`"name":"F","probability":1.2,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].probability", value: "1.2", phrase: "between 0 and 1"}}},
		// Negative priority is an error; fractional priority too.
		{"priority", oneFunnel(okHead + `"priority":-1,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].priority", value: "-1", phrase: "0 or more"}}},
		{"priority fraction", oneFunnel(okHead + `"priority":1.5,"steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].priority", value: "1.5", phrase: "whole number"}}},
		// Booleans must be booleans.
		{"enabled type", oneFunnel(okHead + `"enabled":"yes","steps":[` + okPV + `]`),
			[]want{{line: 1, field: "[0].enabled", value: "yes", phrase: "true or false"}}},
		// Steps are required and must not be empty.
		{"no steps", oneFunnel(okHead[:len(okHead)-1]),
			[]want{{line: 1, field: "[0].steps", phrase: "at least one step"}}},
		{"empty steps", oneFunnel(okHead + `"steps":[]`),
			[]want{{line: 1, field: "[0].steps", phrase: "at least one step"}}},
		// The first step must be a pageview.
		{"first not pageview", oneFunnel(okHead + `"steps":[{"type":"event","event_category":"a","event_action":"b","event_name":"c"}]`),
			[]want{{line: 1, field: "[0].steps[0].type", phrase: "first step must be a pageview"}}},
		// The step type is required and must be known.
		{"no type", oneFunnel(okHead + `"steps":[` + okPV + `,{"url":"https://e.test/"}]`),
			[]want{{line: 1, field: "[0].steps[1].type", phrase: "is required"}}},
		{"bad type", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"click"}]`),
			[]want{{line: 1, field: "[0].steps[1].type", value: "click", phrase: "one of pageview"}}},
		// Each step type's required fields.
		{"pageview url", oneFunnel(okHead + `"steps":[{"type":"pageview","url":""}]`),
			[]want{{line: 1, field: "[0].steps[0].url", phrase: "required for pageview steps"}}},
		{"event fields", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"event","event_category":"a"}]`),
			[]want{{line: 1, field: "[0].steps[1].event_action", phrase: "required for event steps"},
				{line: 1, field: "[0].steps[1].event_name", phrase: "required for event steps"}}},
		{"search keyword", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"site_search"}]`),
			[]want{{line: 1, field: "[0].steps[1].search_keyword", phrase: "required for site_search steps"}}},
		{"outlink target", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"outlink"}]`),
			[]want{{line: 1, field: "[0].steps[1].target_url", phrase: "required for outlink steps"}}},
		{"download target", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"download","target_url":null}]`),
			[]want{{line: 1, field: "[0].steps[1].target_url", phrase: "required for download steps"}}},
		// Step URLs must be absolute http(s) URLs; targets may be relative.
		{"step url", oneFunnel(okHead + `"steps":[{"type":"pageview","url":"/checkout"}]`),
			[]want{{line: 1, field: "[0].steps[0].url", value: "/checkout", phrase: "must be absolute"}}},
		{"target scheme", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"outlink","target_url":"ftp://x.test/f"}]`),
			[]want{{line: 1, field: "[0].steps[1].target_url", phrase: "scheme must be http or https"}}},
		// Numeric ranges of the original model.
		{"search results", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"site_search","search_keyword":"k","search_results":-2}]`),
			[]want{{line: 1, field: "[0].steps[1].search_results", value: "-2", phrase: "0 or more"}}},
		{"ecommerce amounts", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"ecommerce","ecommerce_tax":-1,"ecommerce_items":0}]`),
			[]want{{line: 1, field: "[0].steps[1].ecommerce_tax", phrase: "0 or more"},
				{line: 1, field: "[0].steps[1].ecommerce_items", phrase: "between 1 and 100"}}},
		{"currency", oneFunnel(okHead + `"steps":[` + okPV + `,{"type":"ecommerce","ecommerce_currency":"sek"}]`),
			[]want{{line: 1, field: "[0].steps[1].ecommerce_currency", value: "sek", phrase: "3-letter"}}},
		{"title length", oneFunnel(okHead + `"steps":[{"type":"pageview","url":"https://e.test/","title":"` + strings.Repeat("t", 121) + `"}]`),
			[]want{{line: 1, field: "[0].steps[0].title", phrase: "at most 120"}}},
		{"delay range", oneFunnel(okHead + `"steps":[{"type":"pageview","url":"https://e.test/","delay_seconds_min":-1,"delay_seconds_max":4000}]`),
			[]want{{line: 1, field: "[0].steps[0].delay_seconds_min", phrase: "between 0 and 3600"},
				{line: 1, field: "[0].steps[0].delay_seconds_max", phrase: "between 0 and 3600"}}},
		// A maximum delay below the minimum is raised, with a warning.
		{"delay order", oneFunnel(okHead + `"steps":[{"type":"pageview","url":"https://e.test/","delay_seconds_min":5,"delay_seconds_max":2}]`),
			[]want{{line: 1, field: "[0].steps[0].delay_seconds_max", value: "2", phrase: "raised", warning: true}}},
		// Problems point at the line of the offending value.
		{"line numbers", "[\n {\n  \"name\": \"F\",\n  \"probability\": 0.5,\n  \"steps\": [\n   {\"type\": \"pageview\",\n    \"url\": 7}\n  ]\n }\n]",
			[]want{{line: 7, field: "[0].steps[0].url", value: "7", phrase: "must be a string"},
				{line: 6, field: "[0].steps[0].url", phrase: "required for pageview steps"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := ParseFunnels([]byte(tt.input))
			checkProblems(t, ps, tt.want)
		})
	}
}

func TestParseFunnelsNormalisation(t *testing.T) {
	input := `[
	 {"name":"Late","probability":0.1,"priority":5,"steps":[{"type":"pageview","url":"https://e.test/","delay_seconds_min":3}]},
	 {"name":"Off","probability":0.9,"priority":1,"enabled":false,"exit_after_completion":false,"steps":[{"type":"pageview","url":"https://e.test/"}]},
	 {"name":"First","probability":0.3,"steps":[{"type":"pageview","url":"https://e.test/"}]},
	 {"name":"Second","probability":0.2,"steps":[{"type":"pageview","url":"https://e.test/"}]}
	]`
	fs, ps := ParseFunnels([]byte(input))
	if len(ps) != 0 {
		t.Fatalf("unexpected problems:\n%s", listProblems(ps))
	}
	var names []string
	for _, f := range fs {
		names = append(names, f.Name)
	}
	// Sorted by priority; equal priorities keep file order.
	if want := []string{"First", "Second", "Off", "Late"}; !reflect.DeepEqual(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
	if !fs[0].Enabled || !fs[0].ExitAfterCompletion {
		t.Error("enabled and exit_after_completion must default to true")
	}
	if fs[2].Enabled || fs[2].ExitAfterCompletion {
		t.Error("a disabled funnel must be kept and marked disabled")
	}
	if s := fs[3].Steps[0]; s.DelaySecondsMin != 3 || s.DelaySecondsMax != 3 {
		t.Errorf("delay max must default to min: %v..%v", s.DelaySecondsMin, s.DelaySecondsMax)
	}
	if got := EnabledFunnels(fs); len(got) != 3 || got[2].Name != "Late" {
		t.Errorf("EnabledFunnels = %v", got)
	}
}

func TestParseFunnelsClampsProbability(t *testing.T) {
	fs, ps := ParseFunnels([]byte(oneFunnel(`"name":"F","probability":7,"steps":[` + okPV + `]`)))
	if ps.Err() == nil {
		t.Fatal("probability 7 must be an error")
	}
	if len(fs) != 0 {
		t.Fatal("an invalid funnel must not be returned by ParseFunnels")
	}
	f, _ := ParseFunnel([]byte(`{"name":"F","probability":7,"steps":[` + okPV + `]}`))
	if f.Probability != 1 {
		t.Errorf("probability = %v, want it clamped to 1", f.Probability)
	}
}

func TestParseFunnelSingle(t *testing.T) {
	_, ps := ParseFunnel([]byte(`{"name":"F","probability":0.5,"steps":[{"type":"pageview"},{"type":"outlink"}]}`))
	checkProblems(t, ps, []want{
		{line: 1, field: "steps[0].url", phrase: "required for pageview steps"},
		{line: 1, field: "steps[1].target_url", phrase: "required for outlink steps"},
	})
}

func TestFunnelsRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/funnels_templates.json")
	if err != nil {
		t.Fatal(err)
	}
	first, ps := ParseFunnels(data)
	if len(ps) != 0 {
		t.Fatalf("template file has problems:\n%s", listProblems(ps))
	}
	if len(first) != 3 || first[0].Name != "Ecommerce Purchase" {
		t.Fatalf("parsed %d funnels, first %q", len(first), first[0].Name)
	}
	eco := first[0].Steps[3]
	if eco.EcommerceItems == nil || *eco.EcommerceItems != 2 || eco.EcommerceCurrency != "EUR" ||
		eco.EcommerceSubtotal != nil || *eco.EcommerceRevenue != 129.5 {
		t.Errorf("ecommerce step fields lost: %+v", eco)
	}
	out, err := MarshalFunnels(first)
	if err != nil {
		t.Fatal(err)
	}
	second, ps := ParseFunnels(out)
	if len(ps) != 0 {
		t.Fatalf("marshalled file has problems:\n%s\n%s", listProblems(ps), out)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("round trip changed the funnels:\n%+v\n%+v", first, second)
	}
	if !strings.Contains(string(out), `"exit_after_completion": false`) {
		t.Error("false booleans must be written out, not omitted")
	}
}
