package catalog

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Picker draws indices with fixed weights in constant time (Vose's alias method), so that
// choosing among 20,000 pages costs the same as choosing among 5.
type Picker struct {
	prob  []float64
	alias []int32
}

// NewPicker prepares draws proportional to weights. Weights must be finite and ≥ 0 with
// a positive sum.
func NewPicker(weights []float64) (*Picker, error) {
	n := len(weights)
	if n == 0 {
		return nil, errors.New("catalog: no weights")
	}
	if n > math.MaxInt32 {
		return nil, errors.New("catalog: too many weights")
	}
	sum := 0.0
	for i, w := range weights {
		if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("catalog: weight %d is %v; weights must be finite and ≥ 0", i, w)
		}
		sum += w
	}
	if sum <= 0 {
		return nil, errors.New("catalog: weights sum to 0")
	}
	p := &Picker{prob: make([]float64, n), alias: make([]int32, n)}
	scaled := make([]float64, n)
	var small, large []int32
	for i, w := range weights {
		scaled[i] = w / sum * float64(n)
		if scaled[i] < 1 {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		p.prob[s], p.alias[s] = scaled[s], l
		scaled[l] = scaled[l] + scaled[s] - 1
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	// What is left has probability 1 up to rounding error.
	for _, i := range append(small, large...) {
		p.prob[i], p.alias[i] = 1, i
	}
	return p, nil
}

// mustPicker is NewPicker for the embedded tables, whose weights are known to be valid.
func mustPicker(weights []float64) *Picker {
	p, err := NewPicker(weights)
	if err != nil {
		panic(err)
	}
	return p
}

// Pick draws an index; it uses two values of r and does not allocate.
func (p *Picker) Pick(r *rand.Rand) int {
	i := r.IntN(len(p.prob))
	if r.Float64() < p.prob[i] {
		return i
	}
	return int(p.alias[i])
}

// Len is the number of weights.
func (p *Picker) Len() int { return len(p.prob) }
