package webtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
)

// TestBrowserCompare opens the Compare view of a finished capacity search (the records of a real
// search, testdata/capacity-search.jsonl, seeded into the store as the control stores a loader's)
// from the run's detail, and checks the verdict,
// the figures and the charts per target; then it compares against the other baseline, exports
// the HTML page, and finds the run in the Compare tab's list. No loader runs: the view reads
// only what the store holds. With -screenshots DIR it writes compare-light.png and
// compare-dark.png there.
func TestBrowserCompare(t *testing.T) {
	if testing.Short() && !dockertest.InCI() {
		t.Skip("needs Chromium and the Docker Engine; skipped with -short")
	}
	chromiumPath(t)
	rt := dockertest.Runtime(t, "test-web-compare-"+dockertest.RandomHex(4))
	ctl := startControl(t, rt, "trafficinator/loader:unused")
	id := seedCapacityRun(t, ctl.st, "old vs new Matomo")
	p := newPage(t)
	login(p, ctl.url)

	p.open(fmt.Sprintf("%s/ui/#/dashboard?run=%s", ctl.url, id))
	p.click("#run-compare")
	p.waitFor("the verdict", `document.querySelector('#compare-headline')?.textContent.includes('faster')`)
	if loc := string(p.eval("location", `location.hash`)); !strings.Contains(loc, "#/compare?run="+id) {
		t.Errorf("location %s", loc)
	}
	want := "tuned is faster than current: sustained rate ×1.5 (338k → 506k visits/day); tracking p95 −95% (257 → 13.1 ms) at 338k visits/day."
	if got := p.text("#compare-headline"); got != want {
		t.Errorf("headline %q,\n want %q", got, want)
	}
	verdicts := p.text("#compare-verdicts")
	for _, w := range []string{"tuned: sustained rate ×1.5 (338k → 506k visits/day): better",
		"tuned: VisitsSummary.get day today p95 −75% (874 → 216 ms): better", "tuned: Goals.get day today p95"} {
		if !strings.Contains(verdicts, w) {
			t.Errorf("verdicts %q lack %q", verdicts, w)
		}
	}
	if table := p.text("#compare-table"); !strings.Contains(table, "506k") || !strings.Contains(table, "p95 615 ms > 300 ms at 506,250 visits/day") {
		t.Errorf("figures %q", table)
	}
	counts := map[string]int{}
	raw := p.eval("charts", `(() => { const n = (css) => document.querySelectorAll(css).length; return {
		figures: n('#chart-throughput figure svg.svgchart'), latency: n('#chart-latency polyline.line'),
		errors: n('#chart-errors polyline'), stepsOpen: n('#chart-steps circle.hollow'), stepsHeld: n('#chart-steps circle:not(.hollow)'),
		bars: n('#chart-sustained rect.bar'), probes: n('#chart-probes polyline'),
		captions: [...document.querySelectorAll('#chart-latency figcaption')].map((c) => c.textContent).join('|').length } })()`)
	if err := json.Unmarshal(raw, &counts); err != nil {
		t.Fatal(err)
	}
	// Two targets side by side; p50 and p95 each; "current" broke at 2 of 6 steps, "tuned" at 1;
	// one bar each; three report calls each.
	wantCounts := map[string]int{"figures": 2, "latency": 4, "errors": 2, "stepsOpen": 3, "stepsHeld": 9, "bars": 2, "probes": 6}
	for k, v := range wantCounts {
		if counts[k] != v {
			t.Errorf("%s: %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	if label := p.text("#chart-sustained svg title"); label != "Sustained visits/day per target" {
		t.Errorf("bar chart title %q", label)
	}
	if *screenshotsDir != "" {
		shootCompare(t, p)
	}
	p.noConsoleErrors("compare view")

	// The other target as the baseline turns the verdicts around.
	p.eval("baseline", `(() => { const s = document.querySelector('#compare-baseline'); s.value = 'tuned'; s.dispatchEvent(new Event('change')); return true })()`)
	p.waitFor("the other baseline", `location.hash.includes('baseline=tuned') && document.querySelector('#compare-headline').textContent.includes("current's sustained rate ×0.67")`)
	if n := p.eval("worse", `document.querySelectorAll('#compare-verdicts li.worse').length`); string(n) == "0" {
		t.Error("no verdict says worse against the better baseline")
	}

	// The exports download without an error.
	p.click("#compare-html")
	p.click("#compare-json")
	p.waitFor("the exports", `!document.querySelector('#compare-html').disabled && !document.querySelector('#compare-json').disabled`)
	p.noConsoleErrors("exports")

	// The Compare tab lists the run.
	p.tab("compare")
	p.waitFor("the list of runs", fmt.Sprintf(`document.querySelector('#compare-runs tr[data-run=%q] a') !== null`, id))
	p.click(fmt.Sprintf(`#compare-runs tr[data-run=%q] a`, id))
	p.waitFor("the view again", `document.querySelector('#compare-headline') !== null && !location.hash.includes('baseline')`)
	p.noConsoleErrors("compare tab")
}

// login opens the UI and enters the API key in its dialog.
func login(p *page, base string) {
	p.t.Helper()
	p.open(base + "/ui/")
	p.waitFor("the key dialog", `document.querySelector('#key-dialog').open`)
	p.typeInto("#key-input", apiKey)
	p.click("#key-form button[type=submit]")
	p.waitFor("the dashboard", `!document.querySelector('#key-dialog').open && document.querySelector('#runs-table') !== null`)
}

// shootCompare writes the Compare view, light and dark (the viewport, as every tab's screenshot),
// and the whole page in the light theme (compare-full.png, for docs/capacity.md).
func shootCompare(t *testing.T, p *page) {
	t.Helper()
	for _, theme := range []string{"light", "dark"} {
		setScheme(p, theme)
		settle(p)
		writeShot(t, p, "compare-"+theme+".png", false)
	}
	setScheme(p, "light")
	settle(p)
	writeShot(t, p, "compare-full.png", true)
}
