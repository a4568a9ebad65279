package webtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// TestBrowserSwarm drives the UI of a control whose loaders run on a single-node Docker Swarm
// (made by the test when the engine has none): the start dialog offers placement, a live run of
// 3 loaders becomes one run whose detail names the Swarm service, and the dashboard's counters are
// the sum of the 3 replicas' own.
func TestBrowserSwarm(t *testing.T) {
	if testing.Short() && !dockertest.InCI() {
		t.Skip("needs Chromium and the Docker Engine; skipped with -short")
	}
	chromiumPath(t)
	scope := "test-web-swarm-" + dockertest.RandomHex(4)
	rt := dockertest.SwarmRuntime(t, scope)
	sinkRT := dockertest.Runtime(t, scope+"-sink")
	loaderImage, sinkImage := images.Get(t, sinkRT)
	f := &uiFixture{snk: dockertest.StartSink(t, sinkRT, sinkImage, sinkToken), ctl: startControl(t, rt, loaderImage)}
	f.p = newPage(t)
	for _, s := range []struct {
		name string
		run  func(*testing.T, *uiFixture)
	}{
		{"key dialog", testKeyDialog},
		{"config with a validation error", testConfig},
		{"live run of three replicas", testSwarmLiveRun},
	} {
		if !t.Run(s.name, func(t *testing.T) {
			f.p.t = t
			s.run(t, f)
			f.p.noConsoleErrors(s.name)
		}) {
			return
		}
	}
}

// testSwarmLiveRun starts 3 loaders placed on managers from the start dialog, watches the run
// rise and stops it; the counters shown are the run's, which are the sum of its loaders'
// summaries.
func testSwarmLiveRun(t *testing.T, f *uiFixture) {
	p := f.p
	p.tab("dashboard")
	p.waitFor("the swarm badge", `document.querySelector('#conn-status').textContent.includes('swarm')`)
	p.click("#start-run")
	p.waitFor("the start dialog with placement", `document.querySelector('#start-form textarea') !== null`)
	p.fill(`#start-form input[type="number"]`, "3")
	p.fill("#start-form textarea", "node.role==manager\n")
	p.click("#start-submit")
	p.waitFor("the run's detail", `location.hash.includes('run=') && document.querySelector('#run-totals [data-counter="hits_tracked"]') !== null`)
	f.run = runParam(p)
	row := fmt.Sprintf(`#runs-table tr[data-run=%q]`, f.run)
	p.waitForLong("the run to be running", fmt.Sprintf(`document.querySelector(%s)?.dataset.state === 'running'`, jsString(row)), 60*time.Second)
	p.waitForLong("hits tracked", `Number(document.querySelector('#run-totals [data-counter="hits_tracked"]').textContent.replace(/[^0-9]/g, '')) > 0`, 60*time.Second)
	if n := string(p.eval("rows", fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(row)))); n != "1" {
		t.Errorf("the dashboard lists the run %s times, want once", n)
	}
	p.waitFor("the service in the detail", `[...document.querySelectorAll('.panel-head p')].some((e) => e.textContent.includes('3 replicas of a Swarm service on node.role==manager'))`)
	p.click(row + ` button[data-action="stop"]`)
	p.confirm()
	p.waitForLong("the run to stop", fmt.Sprintf(`document.querySelector(%s)?.dataset.state === 'stopped'`, jsString(row)), 60*time.Second)
	v, err := f.ctl.svc.Get(t.Context(), f.run)
	if err != nil || v.Runtime != docker.ModeSwarm || v.Loaders != 3 || v.State != store.StateStopped {
		t.Fatalf("run %+v, %v; want a stopped swarm run of 3 loaders", v, err)
	}
	p.waitFor("the final counters", fmt.Sprintf(`Number(document.querySelector('#run-totals [data-counter="hits_tracked"]').textContent.replace(/[^0-9]/g, '')) === %d`, v.Total.HitsTracked))
	if sum, loaders := summariesOf(t, f, f.run); loaders != 3 || sum != v.Total.HitsTracked {
		t.Errorf("the run shows %d hits tracked; its %d loaders' summaries add up to %d (want 3 loaders, equal sums)", v.Total.HitsTracked, loaders, sum)
	}
}

// summariesOf adds up the hits tracked in the summary records of a finished run's loaders.
func summariesOf(t *testing.T, f *uiFixture, runID string) (tracked int64, loaders int) {
	t.Helper()
	lines, err := f.ctl.svc.Logs(t.Context(), runID, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for l := range lines {
		var s report.Summary
		if l.Stream != "stdout" || !strings.Contains(l.Text, `"summary"`) || json.Unmarshal([]byte(l.Text), &s) != nil {
			continue
		}
		tracked += s.Total.HitsTracked
		seen[l.Loader] = true
	}
	return tracked, len(seen)
}
