package compare

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// wellFormed parses the page as XML (it is written to be both): every element closed, every
// attribute quoted, every entity known. It returns the elements' names and their text.
func wellFormed(t *testing.T, page []byte) (map[string]int, string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(page))
	d.Strict = true
	elems := map[string]int{}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, page)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			elems[v.Name.Local]++
		case xml.CharData:
			text.Write(v)
		}
	}
	return elems, text.String()
}

// The page is self-contained and well-formed, and it shows the verdicts, the figures and a chart
// per target and measure.
func TestHTMLCapacity(t *testing.T) {
	rs := capacityRun(2, 4, 5, true)
	rs = append(rs, recs(0,
		statsRec(30, target{"baseline", 300, 300, 0, 20, 110}, target{"candidate", 300, 300, 0, 12, 70}),
		statsRec(60, target{"baseline", 700, 690, 10, 25, 130}, target{"candidate", 700, 700, 0, 13, 75}),
		probe("baseline", "VisitsSummary.get day today", 30, 900, true),
		probe("candidate", "VisitsSummary.get day today", 30, 450, true))...)
	r := build(t, rs, Options{RunID: "abc123", Title: "new Matomo vs old"})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.Bytes()
	elems, text := wellFormed(t, page)
	for _, want := range []string{
		"Trafficinator comparison: new Matomo vs old",
		"candidate is faster than baseline: sustained rate ×2 (500k → 1M visits/day)",
		"candidate: tracking p95 −40% (120 → 72 ms) at 500k visits/day: better",
		"candidate: VisitsSummary.get day today p95 −50% (900 → 450 ms): better",
		"Sustained visits/day", "1M", "Report timings", "Capacity steps",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
	// Five per-target rows (hits/s, latency, errors, steps, reports) of two charts each, and a bar
	// chart; a line for hits/s, p50, p95, errors, steps and the report call of each target.
	if elems["figure"] != 11 || elems["svg"] < 11 || elems["polyline"] != 12 || elems["rect"] != 2 {
		t.Errorf("elements %v", elems)
	}
	for _, banned := range []string{"<script", "http://", "https://", "src=", "<link", "@import", "url("} {
		if bytes.Contains(page, []byte(banned)) {
			t.Errorf("page contains %q: not self-contained", banned)
		}
	}
}

// Text from the records is escaped: a hostile target name stays text.
func TestHTMLEscapes(t *testing.T) {
	evil := `<script>alert("x")</script>&"'`
	rs := recs(0, startRec("mirror", evil, "b"),
		statsRec(10, target{evil, 10, 10, 0, 1, 50}, target{"b", 10, 10, 0, 1, 20}),
		probe(evil, `Live.get <img src=x onerror=alert(1)>`, 10, 5, true))
	r := build(t, rs, Options{Title: `</title><script>`})
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "<script") || strings.Contains(page, "<img") {
		t.Fatalf("unescaped markup in the page:\n%s", page)
	}
	_, text := wellFormed(t, buf.Bytes())
	if !strings.Contains(text, evil) || !strings.Contains(text, "<img src=x") {
		t.Errorf("the names are not shown as text")
	}
}

// The policy allows the page's own style sheet, by its hash, and nothing else.
func TestContentSecurityPolicy(t *testing.T) {
	csp := ContentSecurityPolicy()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, build(t, mirrorRun(100, 90), Options{})); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	style := page[strings.Index(page, "<style>")+len("<style>") : strings.Index(page, "</style>")]
	sum := sha256.Sum256([]byte(style))
	if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
		t.Errorf("policy %q does not allow the page's style sheet (%s)", csp, want)
	}
	for _, want := range []string{"default-src 'none'", "style-src 'sha256-", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe") {
		t.Errorf("policy %q allows too much", csp)
	}
}

// The JSON export carries the verdicts and series under stable names.
func TestJSONExport(t *testing.T) {
	r := build(t, capacityRun(2, 4, 5, false), Options{RunID: "r1"})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Kind     string `json:"kind"`
		Faster   string `json:"faster"`
		Baseline string `json:"baseline"`
		Targets  []struct {
			Name     string        `json:"name"`
			Steps    []report.Step `json:"steps"`
			Capacity struct {
				Sustained float64 `json:"sustained_visits_per_day"`
			} `json:"capacity"`
		} `json:"targets"`
		Verdicts []struct {
			Metric, Outcome, Text string
		} `json:"verdicts"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Kind != KindCapacity || back.Faster != "candidate" || back.Baseline != "baseline" || len(back.Targets) != 2 ||
		len(back.Targets[1].Steps) != 5 || back.Targets[1].Capacity.Sustained != 1e6 || len(back.Verdicts) < 2 || back.Verdicts[0].Text == "" {
		t.Errorf("round trip %+v", back)
	}
}
