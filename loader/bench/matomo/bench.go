package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// apiTimeout bounds one Reporting API call; reading a report may archive it first, which takes
// a while for thousands of visits.
const apiTimeout = 10 * time.Minute

// benchmark is one run's state: inputs, Matomo client, work directory and what was measured.
type benchmark struct {
	s      settings
	out    io.Writer
	client *matomo.Client
	days   []string
	stamp  int64 // unix time in the new sites' names
	sum    summary
}

// bench runs the steps in order and returns the summary it printed last.
func bench(ctx context.Context, s settings, out io.Writer, now time.Time) (*summary, error) {
	dir, err := os.MkdirTemp("", "trafficinator-bench-matomo-")
	if err != nil {
		return nil, err
	}
	client, err := matomo.NewClient(matomo.Target{Name: "bench", URL: s.BaseURL, Token: s.Token},
		matomo.Options{Timeout: apiTimeout, HTTPClient: newHTTPClient(2)})
	if err != nil {
		return nil, err
	}
	defer client.CloseIdleConnections()
	b := &benchmark{s: s, out: out, client: client, days: benchWindow(now, s.Days), stamp: now.Unix()}
	b.sum = summary{URL: s.BaseURL, Days: b.days, VisitsPerDay: s.Visits, Seed: s.Seed, WorkDir: dir}

	if b.sum.MatomoVersion, err = client.Version(ctx); err != nil {
		return nil, fmt.Errorf("asking the Matomo at %s for its version: %w", s.BaseURL, err)
	}
	fmt.Fprintf(out, "== Matomo %s at %s\n", b.sum.MatomoVersion, s.BaseURL)
	fmt.Fprintf(out, "== Window %s .. %s (%s, UTC), %d visits a day, seed %d; files in %s\n",
		b.days[0], b.days[len(b.days)-1], plural(len(b.days), "day"), s.Visits, s.Seed, dir)

	bodies, err := b.captureTraffic(ctx, dir)
	if err != nil {
		return nil, err
	}
	replaySites, loaderSite, err := b.createSites(ctx)
	if err != nil {
		return nil, err
	}
	if err := b.replayAll(ctx, bodies, replaySites); err != nil {
		return nil, err
	}
	bodies = nil // the loader run should not share the machine with a copy of the traffic it never reads
	if err := b.runRealLoader(ctx, dir, loaderSite); err != nil {
		return nil, err
	}
	b.compareReports(ctx, loaderSite)
	printSummary(out, &b.sum)
	return &b.sum, nil
}

// captureTraffic runs the loader against the loopback stand-in and returns its bulk bodies.
func (b *benchmark) captureTraffic(ctx context.Context, dir string) ([][]byte, error) {
	fmt.Fprintln(b.out, "== Capturing the loader's bulk bodies (loader -> loopback stand-in)")
	cp, err := startCapture(filepath.Join(dir, "bodies"))
	if err != nil {
		return nil, err
	}
	defer cp.Close()
	res, err := runLoader(ctx, b.job(cp.URL, 1, cp.Token, dir, "capture"))
	if err != nil {
		return nil, err
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("the loader failed against the stand-in (exit %d); see %s", res.ExitCode, res.LogPath)
	}
	caps, err := cp.Bodies()
	if err != nil {
		return nil, err
	}
	bodies, err := loadBodies(caps)
	if err != nil {
		return nil, err
	}
	for _, c := range caps {
		b.sum.CapturedHits += c.Hits
	}
	b.sum.CapturedBodies = len(caps)
	if len(caps) == 0 {
		return nil, fmt.Errorf("the loader sent nothing to the stand-in; see %s", res.LogPath)
	}
	fmt.Fprintf(b.out, "   %d bulk bodies, %d hits in %.1f s (loader log %s)\n",
		len(caps), b.sum.CapturedHits, res.Wall.Seconds(), res.LogPath)
	if res.Summary != nil && res.Summary.Total.HitsSent != int64(b.sum.CapturedHits) {
		fmt.Fprintf(b.out, "   note: the loader reports %d hits sent, the stand-in received %d\n",
			res.Summary.Total.HitsSent, b.sum.CapturedHits)
	}
	return bodies, nil
}

// job is a backfill of the benchmark's window into one site.
func (b *benchmark) job(url string, site int, token, dir, name string) loaderJob {
	return loaderJob{Bin: b.s.Loader, URL: url, SiteID: site, Token: token, Days: b.days,
		Visits: b.s.Visits, Seed: b.s.Seed, Dir: dir, Name: name}
}

// createSites adds one fresh site per replay parallelism and one for the loader.
func (b *benchmark) createSites(ctx context.Context) (replay []int, loader int, err error) {
	add := func(kind string) (int, error) {
		name := fmt.Sprintf("trafficinator-bench-%s-%d", kind, b.stamp)
		id, err := b.client.AddSite(ctx, name, "https://example.test", true, "UTC")
		if err != nil {
			return 0, fmt.Errorf("create site %s: %w", name, err)
		}
		return id, nil
	}
	var names []string
	for _, p := range b.s.Parallel {
		id, err := add(fmt.Sprintf("replay-p%d", p))
		if err != nil {
			return nil, 0, err
		}
		replay = append(replay, id)
		names = append(names, fmt.Sprintf("replay p%d = %d", p, id))
	}
	if loader, err = add("loader"); err != nil {
		return nil, 0, err
	}
	b.sum.LoaderSite = loader
	fmt.Fprintf(b.out, "== New sites (UTC, ecommerce): %s, loader = %d\n", strings.Join(names, ", "), loader)
	return replay, loader, nil
}

// replayAll posts the captured bodies into each replay site, at its parallelism.
func (b *benchmark) replayAll(ctx context.Context, bodies [][]byte, sites []int) error {
	fmt.Fprintln(b.out, "== Replaying the captured bodies (one POST each, no retries)")
	bulkURL := b.s.BaseURL + "/matomo.php?queuedtracking=0" // where the loader posts its bulks
	replayHeader(b.out)
	for i, p := range b.s.Parallel {
		retargeted, hits, err := retarget(bodies, sites[i], b.s.Token)
		if err != nil {
			return err
		}
		hc := newHTTPClient(p)
		r := replay(ctx, hc, bulkURL, retargeted, hits, p)
		hc.CloseIdleConnections()
		r.SiteID = sites[i]
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("replay at parallelism %d: %w", p, err)
		}
		b.sum.Replays = append(b.sum.Replays, r)
		replayRow(b.out, r)
	}
	var ref int
	b.sum.CeilingHitsPerSec, ref = ceiling(b.sum.Replays)
	b.sum.ReferenceSite = b.sum.Replays[ref].SiteID
	return nil
}

// runRealLoader backfills the same window into the loader's site and times it.
func (b *benchmark) runRealLoader(ctx context.Context, dir string, site int) error {
	fmt.Fprintf(b.out, "== Loader backfill into site %d (default settings, same window, visits and seed)\n", site)
	res, err := runLoader(ctx, b.job(b.s.BaseURL, site, b.s.Token, dir, "loader"))
	if err != nil {
		return err
	}
	b.sum.Loader = newLoaderSummary(site, res)
	b.sum.Loader.planned = res.planned(b.days, b.s.Visits)
	printLoader(b.out, b.sum.Loader, res.Errors)
	if c := b.sum.CeilingHitsPerSec; c > 0 {
		b.sum.RatioPercent = 100 * b.sum.Loader.HitsPerSec / c
	}
	return ctx.Err()
}

// compareReports reads Matomo's reports of the reference replay site and the loader site and
// prints the per-day table. A failure here is reported, not fatal: the rates stand.
func (b *benchmark) compareReports(ctx context.Context, loaderSite int) {
	ref := b.sum.ReferenceSite
	fmt.Fprintf(b.out, "== Matomo's reports (VisitsSummary.get, period=day): loader site %d, replay site %d\n", loaderSite, ref)
	reports, err := readReports(ctx, b.client, []int{ref, loaderSite}, b.days)
	if err != nil {
		b.sum.Verdict = "reports unavailable"
		fmt.Fprintf(b.out, "   cannot read the reports: %v\n", err)
		fmt.Fprintln(b.out, "   "+archiveHint(ref, loaderSite, b.days))
		return
	}
	c := compare(b.days, b.sum.Loader.planned, reports[loaderSite], reports[ref])
	b.sum.Comparison = &c
	b.sum.Verdict = c.Verdict()
	printComparison(b.out, c)
	if c.Empty {
		fmt.Fprintln(b.out, "   Both sites report no visits: browser-triggered archiving may be off.")
		fmt.Fprintln(b.out, "   "+archiveHint(ref, loaderSite, b.days))
	}
}

// archiveHint is the command that builds the reports when Matomo does not archive on demand.
func archiveHint(a, b int, days []string) string {
	return fmt.Sprintf("Build them with: ./console core:archive --force-idsites=%d,%d --force-date-range=%s,%s and read VisitsSummary.get for those sites and days",
		a, b, days[0], days[len(days)-1])
}
