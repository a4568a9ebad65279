package webtest

import (
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/api"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/control/internal/web"
)

// startControlNoDocker is the control with its UI, its API and a real SQLite store but no run
// service: enough for the editors, which never start a container.
func startControlNoDocker(t *testing.T) control {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "control.db"), store.Options{})
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := api.New(api.Deps{Store: st, APIKey: apiKey, Log: log, UI: web.FS()})
	if err != nil {
		t.Fatalf("api.New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.CloseStreams()
		ts.Close()
	})
	return control{url: ts.URL}
}

// TestBrowserScenarios edits a scenario in headless Chromium: the built-in example previews a
// day, a copy with a wrong share and an unknown device class shows both problems at their paths
// and lines, the fix clears them, saving stores it, and the preview shows the simulated day with
// its spike and its segments.
func TestBrowserScenarios(t *testing.T) {
	ctl := startControlNoDocker(t)
	p := newPage(t)
	p.open(ctl.url + "/ui/#/scenarios")
	p.waitFor("the key dialog", `document.querySelector('#key-dialog').open`)
	p.typeInto("#key-input", apiKey)
	p.click("#key-form button[type=submit]")
	p.waitFor("the built-in scenario", `document.querySelector('#scenarios-content')?.value.includes('loyal buyers')`)
	p.waitFor("its preview", `document.querySelectorAll('#scenario-segments tbody tr').length === 4 && document.querySelectorAll('#scenario-hours .hour').length >= 23`)

	// A copy, broken twice.
	p.click(`a[href*="copy=builtin"]`)
	p.waitFor("the copy", `location.hash.includes('id=new') && document.querySelector('#scenarios-name')?.disabled === false &&
		document.querySelector('#scenarios-content').value.includes('loyal buyers') && document.querySelector('#scenario-segments')`)
	p.fill("#scenarios-name", "shop")
	p.eval("break it", `(() => { const el = document.querySelector('#scenarios-content');
		el.value = el.value.replace('share: 0.45', 'share: 0.5').replace('devices: [desktop, mobile]', 'devices: [desktop, phone]');
		el.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	p.waitFor("both problems", `document.querySelectorAll('#scenarios-problems .errors li').length === 2`)
	problems := p.text("#scenarios-problems")
	for _, want := range []string{"line 43, segments[2].devices.phone: must be one of desktop, mobile, tablet (value: phone)",
		"segments: the shares add up to 1.05; they must add up to 1 (value: 0.5 + 0.3 + 0.15 + 0.1)"} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems %q lack %q", problems, want)
		}
	}
	p.waitFor("no preview while broken", `document.querySelector('#scenario-day')?.textContent.includes('Fix the problems')`)

	// Fixed: the problems go, the file saves, and the preview shows a Tuesday with a newsletter.
	p.eval("fix it", `(() => { const el = document.querySelector('#scenarios-content');
		el.value = el.value.replace('share: 0.5', 'share: 0.45').replace('devices: [desktop, phone]', 'devices: [desktop, mobile]');
		el.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)
	p.waitFor("no problems", `document.querySelectorAll('#scenarios-problems li').length === 0 && document.querySelector('#scenario-shares')`)
	p.check("#scenarios-default", true)
	p.click("#save-scenarios")
	p.waitFor("the saved scenario", `location.hash.includes('id=') && !location.hash.includes('id=new') && document.querySelector('#scenarios-name').value === 'shop'`)
	p.fill("#scenario-date", "2026-12-08")
	p.waitFor("the Tuesday", `document.querySelector('#scenario-day')?.textContent.includes('Tuesday 2026-12-08')`)
	if got := p.number("#scenario-visits"); got != 20000 {
		t.Errorf("the day has %d visits, want TARGET_VISITS_PER_DAY's 20000", got)
	}
	if got := p.text("#scenario-segments tbody tr:nth-child(2) td:nth-child(3)"); got != "6,000" {
		t.Errorf("researchers: %q visits, want 6,000", got)
	}
	if got := p.text("#scenario-devices"); !strings.Contains(got, "mobile 55.3%") {
		t.Errorf("all devices %q, want mobile 55.3%%", got)
	}
	p.noConsoleErrors("scenarios")

	// The start dialog offers the scenario, preselecting the default one.
	postAPI(t, ctl.url+"/api/configs", map[string]any{"name": "local", "config": map[string]any{"MATOMO_URL": "http://127.0.0.1:9/matomo.php"}})
	p.tab("dashboard")
	p.click("#start-run")
	p.waitFor("the start dialog", `document.querySelector('#start-scenario') !== null`)
	opts := p.eval("scenario options", `[...document.querySelectorAll('#start-scenario option')].map((o) => o.textContent).join('|')`)
	if string(opts) != `"the default scenario|shop (default)"` {
		t.Errorf("scenario options %s", opts)
	}
	p.discard() // without a Docker Engine the dashboard's run list fails, as it should
}
