package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// summary is everything measured, as printed at the end and as the -json document.
type summary struct {
	MatomoVersion     string         `json:"matomo_version"`
	URL               string         `json:"url"`
	Days              []string       `json:"days"`
	VisitsPerDay      int            `json:"visits_per_day"`
	Seed              int64          `json:"seed"`
	CapturedBodies    int            `json:"captured_bodies"`
	CapturedHits      int            `json:"captured_hits"`
	Replays           []replayResult `json:"replays"`
	CeilingHitsPerSec float64        `json:"ceiling_hits_per_s"`
	ReferenceSite     int            `json:"reference_replay_site"`
	LoaderSite        int            `json:"loader_site"`
	Loader            loaderSummary  `json:"loader"`
	RatioPercent      float64        `json:"loader_percent_of_ceiling"`
	Comparison        *comparison    `json:"comparison,omitempty"`
	Verdict           string         `json:"verdict"`
	WorkDir           string         `json:"work_dir"`
}

// loaderSummary is the loader run against the real Matomo.
type loaderSummary struct {
	SiteID          int     `json:"site_id"`
	ExitCode        int     `json:"exit_code"`
	Reason          string  `json:"reason"`
	WallSeconds     float64 `json:"wall_seconds"`
	HitsSent        int64   `json:"hits_sent"`
	HitsTracked     int64   `json:"hits_tracked"`
	HitsInvalid     int64   `json:"hits_invalid"`
	HitsDropped     int64   `json:"hits_dropped"`
	HitsFailed      int64   `json:"hits_failed"`
	Retries         int64   `json:"retries"`
	MaybeDuplicated int64   `json:"maybe_duplicated"`
	HitsPerSec      float64 `json:"hits_per_s"`          // tracked hits / wall seconds of the process
	ReportedPerSec  float64 `json:"reported_hits_per_s"` // tracked hits / the summary's seconds
	ProgressPerSec  float64 `json:"progress_hits_per_s"` // the last progress record's rate
	Log             string  `json:"log"`

	planned map[string]int
}

func newLoaderSummary(site int, r loaderResult) loaderSummary {
	l := loaderSummary{SiteID: site, ExitCode: r.ExitCode, WallSeconds: r.Wall.Seconds(), Log: r.LogPath,
		HitsPerSec: r.HitsPerSec(), ReportedPerSec: r.ReportedHitsPerSec()}
	if s := r.Summary; s != nil {
		l.Reason, l.MaybeDuplicated = s.Reason, s.MaybeDuplicated
		l.HitsSent, l.HitsTracked, l.HitsInvalid = s.Total.HitsSent, s.Total.HitsTracked, s.Total.HitsInvalid
		l.HitsDropped, l.HitsFailed, l.Retries = s.Total.HitsDropped, s.Total.HitsFailed, s.Total.Retries
	}
	if r.Progress != nil {
		l.ProgressPerSec = r.Progress.HitsPerSec
	}
	return l
}

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
}

// The replay table is printed a row at a time, as each replay ends, so its columns have fixed
// widths rather than a tabwriter's.
const replayFormat = "%9s %6s %7s %8s %8s %8s %8s %9s %8s %8s  %s"

func replayHeader(w io.Writer) {
	replayLine(w, "parallel", "site", "bodies", "hits", "tracked", "invalid", "non-2xx", "no reply", "seconds", "hits/s", "")
}

func replayRow(w io.Writer, r replayResult) {
	replayLine(w, fmt.Sprint(r.Parallel), fmt.Sprint(r.SiteID), fmt.Sprint(r.Bodies), fmt.Sprint(r.Hits),
		fmt.Sprint(r.Tracked), fmt.Sprint(r.Invalid), fmt.Sprint(r.Non2xx), fmt.Sprint(r.NoReply),
		fmt.Sprintf("%.1f", r.Seconds), fmt.Sprintf("%.0f", r.HitsPerSec), statusList(r.Statuses))
}

func replayLine(w io.Writer, cells ...any) {
	fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf(replayFormat, cells...), " "))
}

// statusList names the non-2xx statuses, e.g. "(500×3)".
func statusList(st map[int]int) string {
	if len(st) == 0 {
		return ""
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(st)) {
		parts = append(parts, fmt.Sprintf("%d×%d", code, st[code]))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func printLoader(w io.Writer, l loaderSummary, errs []string) {
	fmt.Fprintf(w, "   exit %d (%s) after %.1f s: %d hits sent, %d tracked, %d invalid, %d dropped, %d failed, %d retries",
		l.ExitCode, orNone(l.Reason), l.WallSeconds, l.HitsSent, l.HitsTracked, l.HitsInvalid, l.HitsDropped, l.HitsFailed, l.Retries)
	if l.MaybeDuplicated > 0 {
		fmt.Fprintf(w, ", %d visits maybe duplicated", l.MaybeDuplicated)
	}
	fmt.Fprintf(w, "\n   %.0f hits/s wall-clock (the loader's own figures: %.0f hits/s over its run, last progress %.0f hits/s)\n",
		l.HitsPerSec, l.ReportedPerSec, l.ProgressPerSec)
	for _, e := range errs {
		fmt.Fprintln(w, "   loader error record:", e)
	}
	fmt.Fprintln(w, "   loader log:", l.Log)
}

func orNone(s string) string {
	if s == "" {
		return "no summary"
	}
	return s
}

func printComparison(w io.Writer, c comparison) {
	tw := newTable(w)
	fmt.Fprintln(tw, "date\tplanned\tloader visits\tloader actions\treplay visits\treplay actions\tmatch\t")
	for _, r := range append(slices.Clone(c.Rows), c.Totals) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%d\t%s\t\n", r.Date, r.Planned, visitsCell(r.Loader), r.Loader.Actions,
			visitsCell(r.Replay), r.Replay.Actions, yesNo(r.Match))
	}
	_ = tw.Flush()
	if t := c.Totals; !c.Exact && !c.Empty {
		fmt.Fprintf(w, "   loader site vs plan: %+d visits; vs replay: %+d actions (more: hits recorded twice; fewer: hits lost)\n",
			t.Loader.Visits-t.Planned, t.Loader.Actions-t.Replay.Actions)
		if t.Replay.Visits != t.Planned {
			fmt.Fprintf(w, "   replay site vs plan: %+d visits (the reference itself is off: see its non-2xx replies)\n",
				t.Replay.Visits-t.Planned)
		}
	}
}

// visitsCell marks a day Matomo sent no row for.
func visitsCell(d dayCounts) string {
	if d.Empty {
		return "none"
	}
	return fmt.Sprint(d.Visits)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

func printSummary(w io.Writer, s *summary) {
	fmt.Fprintln(w, "== Summary")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "   Matomo\t%s\n", s.MatomoVersion)
	fmt.Fprintf(tw, "   traffic\t%s x %d visits, %d hits in %d bulks\n", plural(len(s.Days), "day"), s.VisitsPerDay, s.CapturedHits, s.CapturedBodies)
	for _, r := range s.Replays {
		fmt.Fprintf(tw, "   replay, %d parallel\t%.0f hits/s (%d non-2xx, %d without reply)\n", r.Parallel, r.HitsPerSec, r.Non2xx, r.NoReply)
	}
	fmt.Fprintf(tw, "   ceiling\t%.0f hits/s\n", s.CeilingHitsPerSec)
	fmt.Fprintf(tw, "   loader\t%.0f hits/s (exit %d)\n", s.Loader.HitsPerSec, s.Loader.ExitCode)
	fmt.Fprintf(tw, "   loader/ceiling\t%.1f%%\n", s.RatioPercent)
	fmt.Fprintf(tw, "   verdict\t%s\n", s.Verdict)
	_ = tw.Flush()
}

// plural is "1 day", "4 days".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
