package content

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// want describes an expected problem: where, whether it is a warning, and a phrase of
// its message.
type want struct {
	line    int
	field   string
	value   string
	phrase  string
	warning bool
}

func (w want) String() string {
	return fmt.Sprintf("{line %d field %q value %q warning %v: %q}", w.line, w.field, w.value, w.warning, w.phrase)
}

func (w want) matches(p config.Problem) bool {
	return p.Line == w.line && p.Field == w.field && p.IsWarning() == w.warning &&
		(w.value == "" || p.Value == w.value) && strings.Contains(p.Message, w.phrase)
}

// checkProblems asserts that got holds exactly the wanted problems, in order.
func checkProblems(t *testing.T, got config.Problems, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(wants), listProblems(got))
		return
	}
	for i, w := range wants {
		if !w.matches(got[i]) {
			t.Errorf("problem %d = %+v, want %v", i, got[i], w)
		}
	}
}

func listProblems(ps config.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "  %+v\n", p)
	}
	return b.String()
}

// urlLines returns n valid URL lines, enough to keep the URL-count warnings quiet.
func urlLines(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "https://example.test/filler/page-%d\n", i)
	}
	return b.String()
}
