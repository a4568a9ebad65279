package catalog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/content"
)

// urlSet returns a flat site of n article pages.
func urlSet(t testing.TB, n int) content.URLSet {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "https://example.test/page-%d\n", i)
	}
	set, ps := content.ParseURLs(strings.NewReader(b.String()))
	if err := ps.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

func eventSet() content.EventSet { return content.DefaultEvents() }
