package webtest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
)

// uiFixture is what the browser steps share.
type uiFixture struct {
	ctl  control
	snk  dockertest.Sink
	p    *page
	run  string // the live run started by the UI
	back string // the backfill run started by the UI
}

// TestBrowser drives the UI in headless Chromium against a real control, real loader containers
// and a matomo-sink container: key dialog, config with a validation error and its fix, a live
// run whose counters rise, a backfill to 100%, and every tab without a console error. With
// -screenshots DIR it then writes a PNG of every tab, light and dark.
func TestBrowser(t *testing.T) {
	if testing.Short() && !dockertest.InCI() {
		t.Skip("needs Chromium and the Docker Engine; skipped with -short")
	}
	chromiumPath(t)
	scope := "test-web-" + dockertest.RandomHex(4)
	rt := dockertest.Runtime(t, scope)
	sinkRT := dockertest.Runtime(t, scope+"-sink") // another scope: the control must not adopt the sink
	loaderImage, sinkImage := images.Get(t, rt)
	f := &uiFixture{snk: dockertest.StartSink(t, sinkRT, sinkImage, sinkToken), ctl: startControl(t, rt, loaderImage)}
	f.p = newPage(t)

	steps := []struct {
		name string
		run  func(*testing.T, *uiFixture)
	}{
		{"key dialog", testKeyDialog},
		{"config with a validation error", testConfig},
		{"live run", testLiveRun},
		{"backfill", testBackfill},
		{"other tabs", testOtherTabs},
		{"targets editor", testTargetsEditor},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) {
			f.p.t = t
			s.run(t, f)
			f.p.noConsoleErrors(s.name)
		}) {
			return // later steps build on earlier ones
		}
	}
	if *screenshotsDir != "" {
		t.Run("screenshots", func(t *testing.T) {
			f.p.t = t
			takeScreenshots(t, f)
		})
	}
}

// testKeyDialog: / redirects to the UI, which asks for the key in a dialog and accepts only the
// right one.
func testKeyDialog(t *testing.T, f *uiFixture) {
	p := f.p
	p.open(f.ctl.url + "/")
	p.waitFor("the key dialog", `document.querySelector('#key-dialog').open`)
	if !strings.HasSuffix(p.text("title"), "Trafficinator") && !strings.Contains(p.text("title"), "Trafficinator") {
		t.Errorf("title %q", p.text("title"))
	}
	p.typeInto("#key-input", "not-the-key")
	p.click("#key-form button[type=submit]")
	p.waitFor("the rejection", `!document.querySelector('#key-error').hidden`)
	p.discard() // the browser logs the 403 of the wrong key
	p.fill("#key-input", "")
	p.typeInto("#key-input", apiKey)
	p.click("#key-form button[type=submit]")
	p.waitFor("the dashboard", `!document.querySelector('#key-dialog').open && document.querySelector('#runs-table') !== null`)
	loc := string(p.eval("location", `location.pathname + location.hash`))
	if !strings.Contains(loc, "/ui/#/dashboard") {
		t.Errorf("location %s, want /ui/#/dashboard", loc)
	}
	// The key is kept for this tab only (not ticked "remember").
	if got := string(p.eval("storage", `[!!sessionStorage.getItem('trafficinator.apiKey'), !!localStorage.getItem('trafficinator.apiKey')]`)); got != "[true,false]" {
		t.Errorf("key storage (session, local) = %s, want [true,false]", got)
	}
}

// testConfig: a new config pointing at the sink shows the API's error for a bad value inline,
// saves once fixed, and its connection test reads the sink's version.
func testConfig(t *testing.T, f *uiFixture) {
	p := f.p
	p.tab("config")
	p.waitFor("the config form", `document.querySelector('#config-form') !== null && document.querySelector('#cfg-MATOMO_URL') !== null`)
	s := schemaOf(t, f.ctl)
	p.propIs("#config-name", "maxLength", s.Limits.NameMaxChars)
	p.propIs("#config-desc", "maxLength", s.Limits.DescriptionMax)
	p.fill("#config-name", "e2e sink")
	p.fill("#cfg-MATOMO_URL", f.snk.URL+"/matomo.php")
	p.fill("#cfg-MATOMO_SITE_ID", "1")
	p.typeInto("#cfg-MATOMO_TOKEN_AUTH", sinkToken)
	for k, v := range map[string]string{
		"TARGET_VISITS_PER_DAY": "5184000", "PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0",
		"PAGEVIEWS_MIN": "1", "PAGEVIEWS_MAX": "3", "STATS_INTERVAL": "500ms", "SHUTDOWN_GRACE": "2s",
		"TIMEZONE": "UTC",
		// every planned visit counted by the sink on its day (see runs' sinkConfig)
		"RETURNING_VISITOR_PROBABILITY": "0", "BOT_PROBABILITY": "0",
	} {
		p.fill("#cfg-"+k, v)
	}
	p.fill("#cfg-CONCURRENCY", "0") // below the minimum of 1
	p.waitFor("the inline error", `(() => { const pr = document.querySelector('[data-name="CONCURRENCY"] .problem');
		return pr && !pr.hidden && document.querySelector('#cfg-CONCURRENCY').getAttribute('aria-invalid') === 'true' })()`)
	if msg := p.text(`[data-name="CONCURRENCY"] .problem`); msg == "" {
		t.Error("the CONCURRENCY problem has no text")
	}
	p.fill("#cfg-CONCURRENCY", "20")
	p.waitFor("the error to go", `document.querySelector('[data-name="CONCURRENCY"] .problem').hidden`)
	p.click("#save-config")
	p.waitFor("the saved config", `location.hash.includes('id=') && !location.hash.includes('id=new') && document.querySelector('#start-from-config') !== null`)
	// The token is write-only: never shown, only marked as set.
	if v := string(p.eval("token field", `document.querySelector('#cfg-MATOMO_TOKEN_AUTH').value`)); v != `""` {
		t.Errorf("the token field shows %s after saving", v)
	}
	p.waitFor("the token set mark", `document.querySelector('[data-name="MATOMO_TOKEN_AUTH"] .badge').textContent === 'set'`)
	p.click("#test-connection")
	p.waitFor("the connection result", `(document.querySelector('[data-test="matomo-version"]')?.textContent ?? '') !== ''`)
	if v := p.text(`[data-test="matomo-version"]`); v == "unknown" {
		t.Errorf("the connection test found no Matomo version")
	}
	// Reload returns to the same config.
	p.open(string(jsonUnquote(p.eval("href", `location.href`))))
	p.waitFor("the same config after reload", `document.querySelector('#config-name')?.value === 'e2e sink'`)
}

// testLiveRun: a live run started from the dashboard shows rising counters and stops after
// confirmation.
func testLiveRun(t *testing.T, f *uiFixture) {
	p := f.p
	p.tab("dashboard")
	p.click("#start-run")
	p.waitFor("the start dialog", `document.querySelector('#start-form') !== null`)
	s := schemaOf(t, f.ctl)
	p.propIs(`#start-form input[type="number"]`, "max", s.Limits.MaxLoaders)
	p.propIs(`#start-form input[type="number"]`, "value", s.Limits.DefaultLoaders)
	p.propIs(`#start-form input[type="text"]`, "maxLength", s.Limits.NameMaxChars)
	p.click("#start-submit")
	p.waitFor("the run's detail", `location.hash.includes('run=') && document.querySelector('#run-totals [data-counter="hits_tracked"]') !== null`)
	f.run = runParam(p)
	row := fmt.Sprintf(`#runs-table tr[data-run=%q]`, f.run)
	p.waitForLong("the run to be running", fmt.Sprintf(`document.querySelector(%s)?.dataset.state === 'running'`, jsString(row)), 60*time.Second)
	p.waitForLong("hits tracked", `Number(document.querySelector('#run-totals [data-counter="hits_tracked"]').textContent.replace(/[^0-9]/g, '')) > 0`, 60*time.Second)
	first := p.number(`#run-totals [data-counter="hits_tracked"]`)
	p.waitForLong("the counters to rise", fmt.Sprintf(`Number(document.querySelector('#run-totals [data-counter="hits_tracked"]').textContent.replace(/[^0-9]/g, '')) > %d`, first), 30*time.Second)
	p.waitFor("a chart point", `!document.querySelector('#chart-rate').getAttribute('aria-label').includes('no data')`)
	p.waitFor("the target row", `document.querySelector('#target-table tbody tr[data-target]') !== null`)
	// The achieved rate says what span it covers, beside the since-start rate.
	p.waitFor("the labelled rates", `/achieved \((last minute|over \d+s)\) \/ target · [0-9.,]+ since the start/.test(document.querySelector('#run-totals').textContent)`)
	p.click(row + ` button[data-action="stop"]`)
	p.confirm()
	p.waitForLong("the run to stop", fmt.Sprintf(`document.querySelector(%s)?.dataset.state === 'stopped'`, jsString(row)), 60*time.Second)
	if sum := f.snk.Summary(t); sum.Visits == 0 || sum.Invalid != 0 {
		t.Errorf("sink after the live run: %+v; want visits and no invalid hits", sum)
	}
}

// testBackfill: the Backfill tab estimates, starts a small backfill and follows it to 100%.
func testBackfill(t *testing.T, f *uiFixture) {
	p := f.p
	p.tab("backfill")
	p.waitFor("the planner", `document.querySelector('#bf-BACKFILL_DAYS_BACK') !== null && document.querySelector('#bf-config').value !== ''`)
	p.spyEstimates()
	s := schemaOf(t, f.ctl)
	p.propIs("#bf-name", "maxLength", s.Limits.NameMaxChars)
	// A config without a window starts from the schema's suggested one.
	p.waitFor("the suggested window", fmt.Sprintf(`document.querySelector('#bf-BACKFILL_DAYS_BACK').value === %s && document.querySelector('#bf-BACKFILL_DURATION_DAYS').value === %s`,
		jsString(fieldNamed(t, s.Fields, "BACKFILL_DAYS_BACK").Suggested), jsString(fieldNamed(t, s.Fields, "BACKFILL_DURATION_DAYS").Suggested)))
	p.check(`input[name="bf-window"][value="rel"]`, true)
	p.fill("#bf-BACKFILL_DAYS_BACK", "3")
	p.fill("#bf-BACKFILL_DURATION_DAYS", "2")
	p.fill("#bf-BACKFILL_MAX_VISITS_PER_DAY", "40")
	p.fill("#bf-BACKFILL_MAX_VISITS_TOTAL", "0")
	p.waitFor("the estimate", `document.querySelector('#est-visits')?.textContent === '80'`)
	if d := p.text("#est-days"); d != "2" {
		t.Errorf("estimated days %q, want 2", d)
	}
	// The figures shown are the server's answer, planned in the config's TIMEZONE.
	est := p.lastEstimate()
	if est.Visits != 80 || est.Days != 2 || p.number("#est-hits") != est.Hits ||
		!strings.HasPrefix(p.text("#est-range"), fmt.Sprintf("%s to %s in %s.", est.First, est.Last, est.Timezone)) {
		t.Errorf("the page shows %s requests, %q; the server answered %+v", p.text("#est-hits"), p.text("#est-range"), est)
	}
	p.fill("#bf-name", "e2e backfill")
	// The window's days only: the earlier visits of returning visitors lie before the window.
	windowVisits := func() int {
		n := 0
		for _, site := range f.snk.Summary(t).PerSite {
			for d, day := range site.Days {
				if d >= est.First && d <= est.Last {
					n += day.Visits
				}
			}
		}
		return n
	}
	before := windowVisits()
	p.click("#start-backfill")
	p.waitFor("the backfill run", `location.hash.includes('run=') && document.querySelector('#backfill-overall') !== null`)
	f.back = runParam(p)
	p.waitForLong("100%", `document.querySelector('#backfill-percent')?.textContent === '100%'`, 90*time.Second)
	p.waitForLong("the completed state", `document.querySelector('#backfill-run .badge')?.textContent === 'completed'`, 30*time.Second)
	p.waitFor("two full days", `(() => { const bars = [...document.querySelectorAll('#backfill-days progress')];
		return bars.length === 2 && bars.every((b) => b.value === 100) })()`)
	p.waitFor("the archiving hint or invalidation", `document.querySelector('#run-summary-box') !== null`)
	if got := windowVisits() - before; got != 80 {
		t.Errorf("the backfill sent %d visits of %s to %s to the sink, want 2 days × 40 = 80", got, est.First, est.Last)
	}
}

// testOtherTabs opens every other tab and uses a main feature of each.
func testOtherTabs(t *testing.T, f *uiFixture) {
	p := f.p
	testPresets(t, f)

	p.tab("funnels")
	p.waitFor("the funnel editor", `document.querySelector('#funnel-template') !== null && document.querySelector('#funnel-steps') !== null`)
	p.eval("template", `(() => { const s = document.querySelector('#funnel-template'); s.value = 'Ecommerce Purchase'; s.dispatchEvent(new Event('change')); return true })()`)
	p.waitFor("the template's steps", `document.querySelectorAll('#funnel-steps .step').length === 6 && document.querySelector('#funnel-name').value === 'Ecommerce Purchase'`)
	p.click(`#funnel-steps .step[data-step="1"] button[aria-label="Duplicate step 2"]`)
	p.waitFor("the duplicate", `document.querySelectorAll('#funnel-steps .step').length === 7 && document.querySelectorAll('#funnel-preview li').length === 7`)
	p.click(`#funnel-steps .step[data-step="2"] button[aria-label="Remove step 3"]`)
	p.click("#save-funnel")
	p.waitFor("the saved funnel", `location.hash.includes('id=') && !location.hash.includes('id=new') && document.querySelectorAll('#funnel-steps .step').length === 6`)
	p.noConsoleErrors("funnels")

	p.tab("urls")
	p.waitForLong("the built-in URL preview", `Number((document.querySelector('#url-count')?.textContent ?? '').replace(/[^0-9]/g, '')) > 1000`, 30*time.Second)
	p.click("#new-urls")
	p.waitFor("a new URL set", `document.querySelector('#urls-content') !== null && location.hash.includes('id=new')`)
	p.fill("#urls-name", "shop")
	p.fill("#urls-content", "https://shop.test/\tHome\nhttps://shop.test/a/b/\tB\nnot a url\n")
	p.waitFor("the URL error with its line", `(document.querySelector('#urls-problems')?.textContent ?? '').includes('line 3')`)
	p.fill("#urls-content", "https://shop.test/\tHome\nhttps://shop.test/a/b/\tB\n")
	p.click("#save-urls")
	p.waitFor("the saved URL set", `!location.hash.includes('id=new') && document.querySelector('#url-count')?.textContent === '2'`)
	p.noConsoleErrors("urls")

	p.tab("events")
	p.waitFor("the built-in events", `Number(document.querySelector('#event-count')?.textContent ?? '0') > 0`)
	p.noConsoleErrors("events")

	p.tab("campaigns")
	p.waitFor("the built-in campaigns", `Number(document.querySelector('#campaign-count')?.textContent ?? '0') >= 10`)
	p.click("#new-campaigns")
	// The built-in set's editor has the same field ids: wait for the new, writable one.
	p.waitFor("a new campaign set", `location.hash.includes('id=new') && document.querySelector('#campaigns-content')?.readOnly === false`)
	p.fill("#campaigns-name", "q2")
	p.fill("#campaigns-content", "name,medium,weight\nspring,email,x\n")
	p.waitFor("the weight error with its line", `(document.querySelector('#campaigns-problems')?.textContent ?? '').includes('line 2')`)
	p.fill("#campaigns-content", "name,medium,weight\nspring,email,3\nbrand,cpc,1\n")
	p.click("#save-campaigns")
	p.waitFor("the saved campaign set", `!location.hash.includes('id=new') && document.querySelector('#campaign-count')?.textContent === '2'`)
	p.noConsoleErrors("campaigns")

	// No built-in dimension set: the tab opens a new set holding the example.
	p.tab("dimensions")
	p.waitFor("a new dimension set with the example", `location.hash.includes('id=new') && (document.querySelector('#dimensions-content')?.value ?? '').includes('"dimensions"')`)
	p.fill("#dimensions-name", "plans")
	p.click("#save-dimensions")
	p.waitFor("the saved dimension set", `!location.hash.includes('id=new') && document.querySelector('#dimension-count')?.textContent === '2'`)
	p.noConsoleErrors("dimensions")

	p.tab("logs")
	p.waitFor("the run selector", `document.querySelector('#log-run')?.value !== ''`)
	p.eval("choose the live run", fmt.Sprintf(`(() => { const s = document.querySelector('#log-run'); s.value = %s; s.dispatchEvent(new Event('change')); return true })()`, jsString(f.run)))
	p.check("#log-reports", true)
	p.waitForLong("log lines", `document.querySelectorAll('#log-view .log-line').length > 0`, 30*time.Second)
	p.fill("#log-search", "stats")
	p.waitFor("the search to apply", `location.hash.includes('q=stats') && [...document.querySelectorAll('#log-view .log-line')].every((l) => l.textContent.toLowerCase().includes('stats'))`)
	p.noConsoleErrors("logs")

	testShortcutsAndTheme(t, f)
}

// testShortcutsAndTheme: number keys switch tabs, "t" cycles the theme (system, light, dark), and
// a finished run can be removed after confirmation.
func testShortcutsAndTheme(t *testing.T, f *uiFixture) {
	p := f.p
	p.eval("blur", `(() => { document.activeElement?.blur(); return true })()`)
	p.do("press 1", chromedp.KeyEvent("1"))
	p.waitFor("the dashboard by keyboard", `document.querySelector('#main').dataset.tab === 'dashboard'`)
	for _, want := range []string{"light", "dark", ""} {
		p.do("press t", chromedp.KeyEvent("t"))
		p.waitFor("theme "+want, fmt.Sprintf(`(document.documentElement.dataset.theme ?? '') === %s`, jsString(want)))
	}
	row := fmt.Sprintf(`#runs-table tr[data-run=%q]`, f.run)
	p.click(row + ` button[data-action="remove"]`)
	p.confirm()
	p.waitFor("the run to be removed", fmt.Sprintf(`document.querySelector(%s) === null`, jsString(row)))
}

// testPresets: the four built-ins show; a preset saved from the config can be renamed; applying
// a built-in fills the config form without saving it, keeping the target.
func testPresets(t *testing.T, f *uiFixture) {
	p := f.p
	p.tab("presets")
	p.waitFor("the built-in presets", `document.querySelectorAll('#builtin-presets .card').length === 4`)
	if v := p.text(`#builtin-presets .card[data-preset="medium"] dd`); v != "10,000" && v != "10000" {
		t.Errorf("medium preset shows %q visits/day, want 10,000", v)
	}
	p.click("#save-preset")
	p.waitFor("the save dialog", `document.querySelector('dialog[open] form') !== null`)
	p.typeInto(`dialog[open] input[type="text"]`, "fast sink")
	p.click(`dialog[open] button[type="submit"]`)
	p.waitFor("the user preset", `[...document.querySelectorAll('#user-presets .card h3')].some((h) => h.textContent === 'fast sink')`)
	p.click(`#user-presets .card button[aria-label="Rename preset fast sink"]`)
	p.waitFor("the rename dialog", `document.querySelector('dialog[open] input[type="text"]') !== null`)
	p.fill(`dialog[open] input[type="text"]`, "fast sink (renamed)")
	p.click(`dialog[open] button[type="submit"]`)
	p.waitFor("the renamed preset", `[...document.querySelectorAll('#user-presets .card h3')].some((h) => h.textContent === 'fast sink (renamed)')`)
	p.click(`#builtin-presets .card[data-preset="medium"] button[aria-label="Apply preset medium"]`)
	p.waitFor("the preset in the form", `document.querySelector('#cfg-TARGET_VISITS_PER_DAY')?.value === '10000' && !document.querySelector('.dirty').hidden`)
	if url := string(jsonUnquote(p.eval("url field", `document.querySelector('#cfg-MATOMO_URL').value`))); url != f.snk.URL+"/matomo.php" {
		t.Errorf("applying a preset changed the target to %q", url)
	}
	p.noConsoleErrors("presets")
}

// testTargetsEditor: a config with two mirrored targets, a token for one of them only, a
// connection test per target, saved with each target's token state.
func testTargetsEditor(t *testing.T, f *uiFixture) {
	p := f.p
	p.tab("config")
	p.click("#new-config")
	p.waitFor("a new config", `location.hash.includes('id=new') && document.querySelector('#config-name')?.value === ''`)
	p.fill("#config-name", "mirror")
	p.check(`input[type="radio"][value="many"]`, true)
	p.waitFor("the first target row", `document.querySelectorAll('#target-rows .target-row').length === 1`)
	p.click(`#target-rows ~ .row button`) // + Add target
	p.waitFor("the second target row", `document.querySelectorAll('#target-rows .target-row').length === 2`)
	// The rows' limits and defaults are the schema's target fields; the one target became the
	// first row under the name its stats had.
	s := schemaOf(t, f.ctl)
	name, weight := fieldNamed(t, s.TargetFields, "name"), fieldNamed(t, s.TargetFields, "weight")
	first, second := `#target-rows .target-row:nth-child(1)`, `#target-rows .target-row:nth-child(2)`
	p.propIs(first+` input[type="text"]`, "value", name.Suggested)
	p.propIs(second+` input[type="text"]`, "maxLength", name.MaxLength)
	p.propIs(second+` input[type="number"]:not([max])`, "min", *fieldNamed(t, s.TargetFields, "site_id").Min)
	p.propIs(second+` input[type="number"][max]`, "min", *weight.Min)
	p.propIs(second+` input[type="number"][max]`, "max", *weight.Max)
	p.propIs(second+` input[type="number"][max]`, "value", weight.Default)
	p.propIs(second+` input[type="checkbox"]`, "checked", fieldNamed(t, s.TargetFields, "enabled").Default)
	for i, name := range []string{"baseline", "optimised"} {
		row := fmt.Sprintf(`#target-rows .target-row:nth-child(%d)`, i+1)
		p.fill(row+` input[type="text"]`, name)
		p.fill(row+` input[type="url"]`, f.snk.URL+"/matomo.php")
		p.fill(row+` input[type="number"]:not([max])`, fmt.Sprint(i+1))   // sites 1 and 2: mirroring one site twice is refused
		p.fill(row+` input[type="number"][max="100"]`, fmt.Sprint(3-2*i)) // weights 3 and 1
	}
	p.typeInto(`#target-rows .target-row:nth-child(1) input[type="password"]`, sinkToken)
	p.eval("mirror mode", `(() => { const s = document.querySelector('#cfg-TARGET_MODE'); s.value = 'mirror'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)
	p.click(`#target-rows .target-row:nth-child(1) button[data-action="test"]`)
	p.waitFor("the first target's check", `(document.querySelector('#target-rows .target-row:nth-child(1) [data-test="matomo-version"]')?.textContent ?? '') !== ''`)
	p.click("#save-config")
	p.waitFor("the saved config", `!location.hash.includes('id=new') && document.querySelectorAll('#target-rows .target-row').length === 2`)
	p.waitFor("the token marks", `[...document.querySelectorAll('#target-rows .target-row .badge')].map((b) => b.textContent).join() === 'set,not set'`)
	if mode := string(jsonUnquote(p.eval("mode", `document.querySelector('#cfg-TARGET_MODE').value`))); mode != "mirror" {
		t.Errorf("target mode after saving: %q, want mirror", mode)
	}
}

// runParam reads the run id from the URL fragment.
func runParam(p *page) string {
	p.t.Helper()
	raw := p.eval("run param", `new URLSearchParams(location.hash.split('?')[1] || '').get('run') || ''`)
	id := string(jsonUnquote(raw))
	if id == "" {
		p.t.Fatal("no run in the URL")
	}
	return id
}

// jsonUnquote turns a JSON string result into its text.
func jsonUnquote(raw []byte) []byte {
	s := strings.TrimSpace(string(raw))
	if len(s) >= 2 && s[0] == '"' {
		s = strings.ReplaceAll(s[1:len(s)-1], `\"`, `"`)
	}
	return []byte(s)
}
