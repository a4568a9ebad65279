package backfill

import (
	"encoding/json"
	"fmt"
	"slices"
)

// span is a range [From, To) of visit indices within a day.
type span struct{ From, To int64 }

// MarshalJSON writes a span as [from,to], which keeps state files short.
func (s span) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, "[%d,%d]", s.From, s.To), nil
}

// UnmarshalJSON reads [from,to].
func (s *span) UnmarshalJSON(b []byte) error {
	var a [2]int64
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("span: %w", err)
	}
	s.From, s.To = a[0], a[1]
	return nil
}

// spans is a sorted list of disjoint spans; adjacent spans are merged on insertion, so batches that
// tile a day collapse into a handful of spans.
type spans []span

// add inserts s, merging it with spans it touches or overlaps.
func (ss *spans) add(s span) {
	if s.To <= s.From {
		return
	}
	a := *ss
	i, _ := slices.BinarySearchFunc(a, s.From, func(x span, from int64) int {
		switch {
		case x.To < from:
			return -1
		case x.From > from:
			return 1
		}
		return 0
	})
	j := i
	for j < len(a) && a[j].From <= s.To {
		s.From, s.To = min(s.From, a[j].From), max(s.To, a[j].To)
		j++
	}
	*ss = slices.Replace(a, i, j, s)
}

// sub deletes the indices of s from the list, splitting a span that holds s inside it.
func (ss *spans) sub(s span) {
	if s.To <= s.From {
		return
	}
	out := (*ss)[:0:0]
	for _, x := range *ss {
		if x.To <= s.From || x.From >= s.To {
			out = append(out, x)
			continue
		}
		if x.From < s.From {
			out = append(out, span{x.From, s.From})
		}
		if x.To > s.To {
			out = append(out, span{s.To, x.To})
		}
	}
	*ss = out
}

// ofIndices turns ascending visit indices into spans, runs merged.
func ofIndices(idx []int64) spans {
	var out spans
	for _, i := range idx {
		if n := len(out); n > 0 && out[n-1].To == i {
			out[n-1].To++
			continue
		}
		out = append(out, span{i, i + 1})
	}
	return out
}

// contains reports whether index i lies in one of the spans.
func (ss spans) contains(i int64) bool {
	_, found := slices.BinarySearchFunc(ss, i, func(x span, i int64) int {
		switch {
		case x.To <= i:
			return -1
		case x.From > i:
			return 1
		}
		return 0
	})
	return found
}
