package content

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseEvents(t *testing.T) {
	okRandom := `"random_events":[{"category":"Engagement","action":"Scroll","name":"Bottom","value":100}]`
	okClick := `"click_events":[{"category":"CTA","action":"Click","name":"Trial"}]`
	tests := []struct {
		name  string
		input string
		want  []want
	}{
		// A complete file with probabilities parses cleanly.
		{"valid", `{"click_events_probability":0.25,"random_events_probability":0.12,` + okClick + "," + okRandom + `}`, nil},
		// value may be null or missing.
		{"null value", `{"click_events":[{"category":"a","action":"b","name":"c","value":null}],` + okRandom + `}`, nil},
		// The root must be an object.
		{"array root", `[]`, []want{{line: 1, value: "[…]", phrase: "must be a JSON object"}}},
		// Syntax errors give the line.
		{"syntax", "{\n\"click_events\": [\n,]}", []want{{line: 3, phrase: "not valid JSON"}}},
		// Unknown top-level keys are errors naming the key.
		{"unknown top key", `{"clicks":[],` + okClick + "," + okRandom + `}`,
			[]want{{line: 1, field: "clicks", phrase: `unknown key "clicks"`}}},
		// Probabilities must be numbers within [0, 1].
		{"probability range", `{"click_events_probability":1.5,` + okClick + "," + okRandom + `}`,
			[]want{{line: 1, field: "click_events_probability", value: "1.5", phrase: "between 0 and 1"}}},
		// A string probability is a type error.
		{"probability type", `{"random_events_probability":"0.1",` + okClick + "," + okRandom + `}`,
			[]want{{line: 1, field: "random_events_probability", value: "0.1", phrase: "must be a number"}}},
		// High probabilities are warnings, with the original thresholds.
		{"probability high", `{"click_events_probability":0.6,"random_events_probability":0.31,` + okClick + "," + okRandom + `}`,
			[]want{{line: 1, field: "click_events_probability", phrase: "above 0.5", warning: true},
				{line: 1, field: "random_events_probability", phrase: "above 0.3", warning: true}}},
		// Each event needs non-empty category, action and name.
		{"missing and empty", "{\"click_events\":[\n{\"category\":\"a\",\"action\":\" \"}],\n" + okRandom + `}`,
			[]want{{line: 2, field: "click_events[0].action", phrase: "must not be empty"},
				{line: 2, field: "click_events[0].name", phrase: "is required"}}},
		// A non-string name is a type error.
		{"name type", `{"click_events":[{"category":"a","action":"b","name":3}],` + okRandom + `}`,
			[]want{{line: 1, field: "click_events[0].name", value: "3", phrase: "must be a string"}}},
		// value must be ≥ 0.
		{"negative value", `{"click_events":[{"category":"a","action":"b","name":"c","value":-1}],` + okRandom + `}`,
			[]want{{line: 1, field: "click_events[0].value", value: "-1", phrase: "≥ 0"}}},
		// Extra keys on an event are errors naming the key.
		{"extra event key", `{"click_events":[{"category":"a","action":"b","name":"c","label":"x"}],` + okRandom + `}`,
			[]want{{line: 1, field: "click_events[0].label", phrase: `unknown key "label"`}}},
		// Events must be objects and lists must be arrays.
		{"wrong shapes", `{"click_events":["x"],"random_events":{}}`,
			[]want{{line: 1, field: "click_events[0]", phrase: "must be a JSON object"},
				{line: 1, field: "random_events", phrase: "must be a JSON array"},
				{field: "random_events", phrase: "no events", warning: true}}},
		// A repeated key is an error.
		{"duplicate key", `{"click_events":[],"click_events":[],` + okRandom + `}`,
			[]want{{line: 1, field: "click_events", phrase: "more than once"},
				{field: "click_events", phrase: "no events", warning: true}}},
		// More than 100 events is a warning.
		{"too many", `{"click_events":[` + manyEvents(101) + `],` + okRandom + `}`,
			[]want{{line: 1, field: "click_events", phrase: "101 events", warning: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := ParseEvents([]byte(tt.input))
			checkProblems(t, ps, tt.want)
		})
	}
}

func manyEvents(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"category":"c%d","action":"a","name":"n"}`, i%7)
	}
	return strings.Join(items, ",")
}

func TestParseEventsValues(t *testing.T) {
	set, ps := ParseEvents([]byte(`{"click_events_probability":0.2,"click_events":[{"category":"CTA","action":"Click","name":"Trial"}],
		"random_events":[{"category":"Perf","action":"Load","name":"Page","value":1200.5}]}`))
	if ps.Err() != nil {
		t.Fatalf("unexpected problems: %v", ps)
	}
	v := 1200.5
	p := 0.2
	want := EventSet{ClickProbability: &p,
		Click:  []Event{{Category: "CTA", Action: "Click", Name: "Trial"}},
		Random: []Event{{Category: "Perf", Action: "Load", Name: "Page", Value: &v}}}
	if !reflect.DeepEqual(set, want) {
		t.Errorf("got %+v, want %+v", set, want)
	}
	data, err := MarshalEvents(set)
	if err != nil {
		t.Fatal(err)
	}
	again, ps := ParseEvents(data)
	if len(ps) != 0 || !reflect.DeepEqual(again, set) {
		t.Errorf("round trip changed the set: %+v (problems %v)", again, ps)
	}
}

func TestEventStats(t *testing.T) {
	set := EventSet{
		Click:  []Event{{Category: "UI"}, {Category: "UI"}, {Category: "CTA"}},
		Random: []Event{{Category: "UI"}, {Category: "Error"}},
	}
	want := EventStats{Click: 3, Random: 2, Categories: []EventCategoryStat{
		{"UI", 2, 1}, {"CTA", 1, 0}, {"Error", 0, 1}}}
	if got := set.Stats(); !reflect.DeepEqual(got, want) {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}
