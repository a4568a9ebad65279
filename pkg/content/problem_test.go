package content

import (
	"strings"
	"testing"
)

// A file with thousands of mistakes gets the first maxProblems, a summary, and every value cut.
func TestProblemsCapAndTruncation(t *testing.T) {
	var ps problems
	long := strings.Repeat("é", 200)
	for range maxProblems + 7 {
		ps.errorf(1, "", long, "bad")
	}
	got := ps.result()
	if len(got) != maxProblems+1 {
		t.Fatalf("got %d problems, want %d plus a summary", len(got), maxProblems)
	}
	last := got[len(got)-1]
	if !strings.Contains(last.Message, "7 more problems") || last.IsWarning() {
		t.Errorf("summary = %+v, want an error counting 7 more", last)
	}
	if v := got[0].Value; len(v) >= len(long) || !strings.HasSuffix(v, "…") {
		t.Errorf("value not cut: %d bytes", len(v))
	}
}
