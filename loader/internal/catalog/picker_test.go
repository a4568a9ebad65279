package catalog

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestNewPickerRejects(t *testing.T) {
	tests := []struct {
		name    string
		weights []float64
	}{
		// Nothing to pick from.
		{"empty", nil},
		// A negative weight has no meaning.
		{"negative", []float64{1, -1}},
		// NaN and infinity would poison the table.
		{"nan", []float64{math.NaN()}},
		{"inf", []float64{math.Inf(1), 1}},
		// All-zero weights give no distribution.
		{"zero sum", []float64{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewPicker(tt.weights); err == nil {
				t.Errorf("NewPicker(%v) succeeded, want an error", tt.weights)
			}
		})
	}
}

func TestPickerDistribution(t *testing.T) {
	weights := []float64{1, 2, 3, 4, 0, 10}
	p, err := NewPicker(weights)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200_000
	counts := make([]int, len(weights))
	for range n {
		counts[p.Pick(r)]++
	}
	for i, w := range weights {
		want := w / 20
		got := float64(counts[i]) / n
		if math.Abs(got-want) > 0.005 {
			t.Errorf("index %d drawn %.4f of the time, want %.4f", i, got, want)
		}
	}
	if counts[4] != 0 {
		t.Errorf("a zero weight was drawn %d times", counts[4])
	}
}
