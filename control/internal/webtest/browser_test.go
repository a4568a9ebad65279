package webtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
)

// stepTimeout bounds one browser step (a click, a wait for text).
const stepTimeout = 45 * time.Second

// chromiumPath finds Debian's Chromium (or CHROMIUM_PATH).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	dockertest.Need(t, "no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)")
	return ""
}

// page is one headless Chromium tab. It records uncaught exceptions, console.error calls and
// browser log errors (a failed request, a Content-Security-Policy violation), which the test
// treats as failures.
type page struct {
	t   *testing.T
	ctx context.Context
	dir string // the browser's profile and temporary files, removed when the test ends

	mu       sync.Mutex
	problems []string
}

// newPage starts headless Chromium with a 1280×800 window; it is closed when the test ends. Its
// profile and its temporary files (the directory of its process-singleton socket, which a browser
// killed at the end leaves behind) go under the test's temporary directory, which is removed after
// the browser has exited: nothing stays in /tmp.
func newPage(t *testing.T) *page {
	t.Helper()
	dir := t.TempDir() // registered first, so removed after the browser's cleanup below
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 800),
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Env("TMPDIR="+dir),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	p := &page{t: t, dir: dir}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(p.listen))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	p.ctx = ctx
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return p
}

// listen runs in the tab's message loop: it only records.
func (p *page) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "uncaught exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		msg += fmt.Sprintf(" at %s:%d", d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		msg = "console.error: " + strings.Join(parts, " ")
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level != cdplog.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
	default:
		return
	}
	p.mu.Lock()
	p.problems = append(p.problems, msg)
	p.mu.Unlock()
}

// noConsoleErrors fails the test if the page threw or logged an error since the last check.
func (p *page) noConsoleErrors(where string) {
	p.t.Helper()
	p.mu.Lock()
	probs := p.problems
	p.problems = nil
	p.mu.Unlock()
	for _, m := range probs {
		p.t.Errorf("%s: %s", where, m)
	}
}

// discard forgets what was recorded so far (failed requests the test caused on purpose).
func (p *page) discard() {
	p.mu.Lock()
	p.problems = nil
	p.mu.Unlock()
}

// do runs actions, each bounded by stepTimeout.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail(what, err)
	}
}

// fail ends the test with the page's URL and visible text, to show what went wrong.
func (p *page) fail(what string, err error) {
	p.t.Helper()
	p.noConsoleErrors(what)
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 3000)`))
	p.t.Fatalf("%s: %v\npage: %s", what, err, state)
}

// open navigates to a URL and waits for the load.
func (p *page) open(url string) { p.do("open "+url, chromedp.Navigate(url)) }

// click clicks the first element that matches css, once it is visible. The element is first
// scrolled to the middle of the window, as a user would look at it: scrolled only just into view, it
// can sit under the sticky action bar at the bottom, and the click would land on the bar.
func (p *page) click(css string) {
	p.t.Helper()
	p.do("click "+css, chromedp.WaitVisible(chromedp.CSS(css)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%s).scrollIntoView({block: 'center'})`, jsString(css))),
		chromedp.Click(chromedp.CSS(css)))
}

// typeInto types text into a field with real key events.
func (p *page) typeInto(css, text string) {
	p.t.Helper()
	p.do("type into "+css, chromedp.WaitVisible(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), text))
}

// fill replaces a field's value and fires the input and change events, as a user's edit does.
func (p *page) fill(css, value string) {
	p.t.Helper()
	p.waitFor("field "+css, fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(css)))
	p.eval("fill "+css, fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.focus(); el.value = %s;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return true })()`,
		jsString(css), jsString(value)))
}

// check sets a checkbox or radio button.
func (p *page) check(css string, on bool) {
	p.t.Helper()
	p.eval("check "+css, fmt.Sprintf(`(() => { const el = document.querySelector(%s); if (el.checked !== %t) el.click(); return true })()`, jsString(css), on))
}

// waitFor waits until the JavaScript expression is truthy.
func (p *page) waitFor(what, expr string) {
	p.t.Helper()
	p.waitForLong(what, expr, stepTimeout)
}

// waitForLong is waitFor with its own time limit.
func (p *page) waitForLong(what, expr string, timeout time.Duration) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(100*time.Millisecond)))
	if err != nil {
		p.fail("wait for "+what, err)
	}
}

// eval evaluates an expression and returns its JSON result.
func (p *page) eval(what, expr string) json.RawMessage {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// text returns the text content of the first element that matches css ("" when none).
func (p *page) text(css string) string {
	p.t.Helper()
	var s string
	raw := p.eval("text of "+css, fmt.Sprintf(`(document.querySelector(%s)?.textContent ?? '').trim()`, jsString(css)))
	if err := json.Unmarshal(raw, &s); err != nil {
		p.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// number reads a formatted count ("1,234") from an element.
func (p *page) number(css string) int64 {
	p.t.Helper()
	var n int64
	raw := p.eval("number in "+css, fmt.Sprintf(`Number((document.querySelector(%s)?.textContent ?? '').replace(/[^0-9]/g, '') || '0')`, jsString(css)))
	if err := json.Unmarshal(raw, &n); err != nil {
		p.t.Fatalf("number in %s: %v", css, err)
	}
	return n
}

// tab clicks a tab of the navigation and waits for it to be current.
func (p *page) tab(name string) {
	p.t.Helper()
	p.click(fmt.Sprintf(`#tab-list a[data-tab=%q]`, name))
	p.waitFor("tab "+name, fmt.Sprintf(`document.querySelector('#main').dataset.tab === %s`, jsString(name)))
}

// confirm accepts the open confirmation dialog.
func (p *page) confirm() {
	p.t.Helper()
	p.click(`dialog[open] button[data-confirm]`)
	p.waitFor("the dialog to close", `!document.querySelector('dialog[open] button[data-confirm]')`)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The browser keeps its profile and temporary files in the test's temporary directory, which is
// removed when the test ends: a browser killed at the end leaves nothing in /tmp.
func TestBrowserLeavesNothingInTmp(t *testing.T) {
	if testing.Short() && !dockertest.InCI() {
		t.Skip("needs Chromium; skipped with -short")
	}
	chromiumPath(t)
	var dir string
	t.Run("browse", func(t *testing.T) {
		p := newPage(t)
		p.open("about:blank")
		dir = p.dir
		for _, pattern := range []string{"profile/*", "org.chromium.Chromium.*"} { // the singleton socket's directory
			if m, err := filepath.Glob(filepath.Join(dir, pattern)); err != nil || len(m) == 0 {
				t.Errorf("nothing matches %s in the test's directory: the browser keeps it elsewhere", pattern)
			}
		}
	})
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the browser's directory %s outlived its test: %v", dir, err)
	}
}
