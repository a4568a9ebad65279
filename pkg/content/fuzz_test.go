package content

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// The fuzz targets check that the parsers never panic, that everything they return obeys
// the rules they enforce, and that valid funnels and events survive a round trip. Their
// seed corpora (testdata/fuzz) run as ordinary tests.

func FuzzParseURLs(f *testing.F) {
	f.Add("https://example.test/a\tTitle\n# c\n\nftp://x\n")
	f.Add("\ufeffhttp://h/p  t i t l e\r\nhttps://h/p\n")
	f.Fuzz(func(t *testing.T, input string) {
		set, ps := ParseURLs(strings.NewReader(input))
		for _, p := range set.Pages {
			if _, msg := checkPageURL(p.URL); msg != "" {
				t.Fatalf("accepted invalid URL %q: %s", p.URL, msg)
			}
		}
		checkProblemShape(t, ps)
	})
}

func FuzzParseEvents(f *testing.F) {
	f.Add([]byte(`{"click_events":[{"category":"a","action":"b","name":"c","value":1}],"random_events":[]}`))
	f.Add([]byte(DefaultEventsJSON()))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, ps := ParseEvents(data)
		checkProblemShape(t, ps)
		if ps.Err() != nil {
			return
		}
		out, err := MarshalEvents(set)
		if err != nil {
			t.Fatal(err)
		}
		again, ps2 := ParseEvents(out)
		if ps2.Err() != nil || !reflect.DeepEqual(normEvents(set), normEvents(again)) {
			t.Fatalf("round trip failed: %v\n%s", ps2, out)
		}
	})
}

func FuzzParseFunnels(f *testing.F) {
	f.Add([]byte(`[{"name":"F","probability":0.5,"steps":[{"type":"pageview","url":"https://e.test/"}]}]`))
	f.Add([]byte(`[{"steps":[{"type":"outlink","target_url":"../x","delay_seconds_max":1e400}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fs, ps := ParseFunnels(data)
		checkProblemShape(t, ps)
		for _, fn := range fs {
			if fn.Probability < 0 || fn.Probability > 1 || len(fn.Steps) == 0 {
				t.Fatalf("returned an invalid funnel %+v", fn)
			}
		}
		if ps.Err() != nil {
			return
		}
		out, err := MarshalFunnels(fs)
		if err != nil {
			t.Fatal(err)
		}
		again, ps2 := ParseFunnels(out)
		if ps2.Err() != nil || !reflect.DeepEqual(normFunnels(fs), normFunnels(again)) {
			t.Fatalf("round trip failed: %v\n%s", ps2, out)
		}
	})
}

func checkProblemShape(t *testing.T, ps config.Problems) {
	t.Helper()
	if len(ps) > maxProblems+1 {
		t.Fatalf("%d problems exceed the cap", len(ps))
	}
	for _, p := range ps {
		if p.Message == "" || p.Line < 0 || len(p.Value) > len(config.Shorten(p.Value)) {
			t.Fatalf("malformed problem %+v", p)
		}
		if strings.ContainsRune(p.String(), '\n') && !strings.ContainsRune(p.Field, '\n') {
			t.Fatalf("Error() of %+v spans lines", p)
		}
	}
}

// normEvents and normFunnels map nil and empty slices together; JSON cannot tell them apart.
func normEvents(s EventSet) EventSet {
	if len(s.Click) == 0 {
		s.Click = nil
	}
	if len(s.Random) == 0 {
		s.Random = nil
	}
	return s
}

func normFunnels(fs []Funnel) []Funnel {
	if len(fs) == 0 {
		return nil
	}
	return fs
}
