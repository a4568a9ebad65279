package content

import (
	"reflect"
	"testing"
)

func TestParseDimensions(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []want
	}{
		// Both value forms and an optional name and share parse cleanly.
		{"valid", `{"dimensions":[{"id":1,"scope":"visit","name":"Plan","values":["free",{"value":"pro","weight":3}]},{"id":4,"scope":"action","values":["a"]}]}`, nil},
		// Every problem at once, each with line and path.
		{"problems", "{\"dimensions\":[\n{\"id\":0,\"scope\":\"page\",\"values\":[]},\n{\"id\":1.5,\"share\":2,\"values\":[\" \",{\"weight\":1}]},\n{\"id\":2,\"scope\":\"visit\",\"values\":[\"a\",\"a\",{\"value\":\"b\",\"weight\":-1}],\"x\":1}\n]}",
			[]want{
				{line: 2, field: "dimensions[0].id", value: "0", phrase: "≥ 1"},
				{line: 2, field: "dimensions[0].scope", value: "page", phrase: `must be "visit" or "action"`},
				{line: 2, field: "dimensions[0].values", phrase: "at least one value"},
				{line: 3, field: "dimensions[1].id", value: "1.5", phrase: "whole number"},
				{line: 3, field: "dimensions[1].share", phrase: `unknown key "share"`},
				{line: 3, field: "dimensions[1].values[0]", phrase: "must not be blank"},
				{line: 3, field: "dimensions[1].values[1].value", phrase: "is required"},
				{line: 3, field: "dimensions[1].scope", phrase: "is required"},
				{line: 4, field: "dimensions[2].values[1]", value: "a", phrase: "already listed at dimensions[2].values[0]"},
				{line: 4, field: "dimensions[2].values[2].weight", value: "-1", phrase: "> 0"},
				{line: 4, field: "dimensions[2].x", phrase: `unknown key "x"`},
			}},
		// The same id twice is an error naming the first line.
		{"duplicate id", "{\"dimensions\":[\n{\"id\":3,\"scope\":\"visit\",\"values\":[\"a\"]},\n{\"id\":3,\"scope\":\"action\",\"values\":[\"b\"]}]}",
			[]want{{line: 3, field: "dimensions[1].id", phrase: "already defined on line 2"}}},
		// A file defining nothing is an error.
		{"empty", `{"dimensions":[]}`, []want{{field: "dimensions", phrase: "no dimensions"}}},
		{"no key", `{}`, []want{{field: "dimensions", phrase: "no dimensions"}}},
		// The root must be an object.
		{"root", `[1]`, []want{{line: 1, phrase: "must be a JSON object"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := ParseDimensions([]byte(tt.input))
			checkProblems(t, ps, tt.want)
		})
	}
}

func TestParseDimensionsValues(t *testing.T) {
	set, ps := ParseDimensions([]byte(DimensionsExample()))
	if len(ps) != 0 {
		t.Fatalf("example has problems: %v", ps)
	}
	want := DimensionSet{Dimensions: []Dimension{
		{ID: 1, Scope: ScopeVisit, Name: "Customer plan", Values: []DimensionValue{{"free", 70}, {"pro", 25}, {"enterprise", 5}}},
		{ID: 2, Scope: ScopeAction, Name: "Page author", Values: []DimensionValue{{"editorial", 1}, {"product team", 1}, {"guest author", 1}}},
	}}
	if !reflect.DeepEqual(set, want) {
		t.Fatalf("got %+v\nwant %+v", set, want)
	}
	if set.Dimensions[0].Param() != "dimension1" || !reflect.DeepEqual(set.IDs(), []int{1, 2}) ||
		!reflect.DeepEqual(set.Dimensions[0].Weights(), []float64{70, 25, 5}) {
		t.Errorf("helpers: %s %v %v", set.Dimensions[0].Param(), set.IDs(), set.Dimensions[0].Weights())
	}
	data, err := MarshalDimensions(set)
	if err != nil {
		t.Fatal(err)
	}
	again, ps := ParseDimensions(data)
	if ps.Err() != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("round trip: %+v %v", again, ps)
	}
}

func TestDimensionStats(t *testing.T) {
	set, _ := ParseDimensions([]byte(DimensionsExample()))
	if st := set.Stats(); st != (DimensionStats{Visit: 1, Action: 1, Values: 6}) {
		t.Errorf("stats %+v", st)
	}
}
