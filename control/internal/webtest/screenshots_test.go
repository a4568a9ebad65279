package webtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// shot is one screenshot: a tab, the URL parameters that show it well, and what to wait for.
type shot struct {
	tab, title, params, ready, about string
}

// takeScreenshots writes <tab>-light.png and <tab>-dark.png (1280×800) of every tab, and an index,
// into -screenshots. A live run is kept running meanwhile, so the dashboard shows live charts.
func takeScreenshots(t *testing.T, f *uiFixture) {
	dir, err := filepath.Abs(*screenshotsDir)
	if err != nil {
		t.Fatal(err)
	}
	live := startRunAPI(t, f.ctl.url, map[string]any{"config_id": 1, "mode": "live", "name": "baseline, 60 visits/s"})
	t.Cleanup(func() { postAPI(t, f.ctl.url+"/api/runs/"+live+"/stop", nil) })
	shots := []shot{
		{"dashboard", "Dashboard", "run=" + live, `document.querySelector('#chart-rate')?.getAttribute('aria-label').includes('achieved') && document.querySelectorAll('#target-table tbody tr[data-target]').length > 0`,
			"All runs with live counters; the selected run's per-target health and live charts."},
		{"config", "Config", "id=1", `document.querySelector('#config-name')?.value !== ''`,
			"The form rendered from the schema, the targets editor and the connection test."},
		{"presets", "Presets", "", `document.querySelectorAll('#builtin-presets .card').length === 4`,
			"Built-in and user presets: apply, rename, delete, export, import."},
		{"backfill", "Backfill", "run=" + f.back, `document.querySelector('#backfill-estimate dl') !== null && document.querySelectorAll('#backfill-days progress').length > 0`,
			"Window, caps and rate with an estimate; per-day progress and the end summary."},
		{"funnels", "Funnels", "id=1", `document.querySelectorAll('#funnel-steps .step').length > 0`,
			"Typed steps with reorder, duplicate and a preview; templates and funnels.json import/export."},
		{"urls", "URLs", "id=builtin", `document.querySelector('#url-count') !== null`,
			"URL sets with validation, upload and the structure preview."},
		{"events", "Events", "id=builtin", `document.querySelector('#event-count') !== null`,
			"Event sets as JSON with validation and per-category counts."},
		{"scenarios", "Scenarios", "id=builtin", `document.querySelectorAll('#scenario-segments tbody tr').length === 4`,
			"Scenario files of audience segments with validation and a preview of one simulated day."},
		{"logs", "Logs", "run=" + live + "&reports=1", `document.querySelectorAll('#log-view .log-line').length > 5`,
			"Live logs over SSE with level filter, search, pause, copy and download."},
	}
	cmp := seedCapacityRun(t, f.ctl.st, "old vs new Matomo")
	shots = append(shots, compareShot(cmp))
	for _, theme := range []string{"light", "dark"} {
		setScheme(f.p, theme)
		for _, s := range shots {
			f.p.open(fmt.Sprintf("%s/ui/#/%s?%s", f.ctl.url, s.tab, s.params))
			f.p.waitForLong(s.tab+" to be ready", s.ready, 60*time.Second)
			settle(f.p)
			writeShot(t, f.p, s.tab+"-"+theme+".png", false)
			f.p.noConsoleErrors("screenshot of " + s.tab + " " + theme)
		}
	}
	writeIndex(t, dir, shots)
}

// compareShot is the Compare view of a (seeded) capacity search.
func compareShot(runID string) shot {
	return shot{"compare", "Compare", "run=" + runID, `document.querySelectorAll('#chart-sustained rect.bar').length > 0`,
		"A run's targets side by side: verdicts with their size, figures, charts per target, JSON and HTML export."}
}

// setScheme makes the page follow a light or a dark system theme.
func setScheme(p *page, theme string) {
	p.do("color scheme "+theme, chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: theme}}})
		return chromedp.Void{}, err
	}))
}

// settle waits for fonts and busy buttons, scrolls to the top, removes toasts and moves the mouse
// away (no hover state).
func settle(p *page) {
	p.waitFor("the page to settle", `document.fonts.status === 'loaded' && !document.querySelector('[aria-busy="true"]')`)
	p.eval("scroll to the top", `(() => { window.scrollTo(0, 0); document.querySelectorAll('.toast').forEach((t) => t.remove()); return true })()`)
	p.do("move the mouse away", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1279, 799))
}

// writeShot writes a PNG of the 1280×800 viewport (or of the whole page) into -screenshots.
func writeShot(t *testing.T, p *page, name string, full bool) {
	t.Helper()
	dir, err := filepath.Abs(*screenshotsDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	capture := chromedp.CaptureScreenshot()
	if full {
		capture = chromedp.FullScreenshot(100) // quality 100: PNG, not JPEG
	}
	png, err := chromedp.Run(ctx, capture)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeIndex writes docs/screenshots/README.md.
func writeIndex(t *testing.T, dir string, shots []shot) {
	var b strings.Builder
	b.WriteString("# Screenshots of the web UI\n\n")
	b.WriteString("<!-- Generated by `make screenshots` (control/internal/webtest). Do not edit by hand. -->\n\n")
	b.WriteString("Every tab at 1280×800, in the light and the dark theme, taken by the browser test against a real\n")
	b.WriteString("control with loader containers sending to a matomo-sink.\n\n")
	b.WriteString("| Tab | Light | Dark |\n|---|---|---|\n")
	for _, s := range shots {
		fmt.Fprintf(&b, "| **%s** — %s | ![%s, light](%s-light.png) | ![%s, dark](%s-dark.png) |\n", s.title, s.about, s.title, s.tab, s.title, s.tab)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startRunAPI starts a run through the API (not the UI) and returns its id.
func startRunAPI(t *testing.T, base string, body map[string]any) string {
	t.Helper()
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(postAPI(t, base+"/api/runs", body), &v); err != nil || v.ID == "" {
		t.Fatalf("start a run: %v", err)
	}
	return v.ID
}

// postAPI posts JSON with the API key and returns the body; a status of 400 or more fails the test.
func postAPI(t *testing.T, url string, body any) []byte {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(context.WithoutCancel(t.Context()), http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	if resp.StatusCode >= 400 {
		t.Errorf("POST %s: %s: %s", url, resp.Status, out.String())
	}
	return out.Bytes()
}
