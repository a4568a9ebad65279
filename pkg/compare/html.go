package compare

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"strings"
)

// pageStyle is the page's only style sheet; ContentSecurityPolicy allows exactly it.
const pageStyle = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1320px;padding:0 16px;color:#18181b;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:0 0 4px}
.meta,.tick,.legend,.note{color:#52525b}.tick{font-size:11px;fill:#52525b}
.headline{font-size:16px;font-weight:600;padding:10px 12px;border-left:4px solid #2563eb;background:#eff6ff}
ul.verdicts{padding-left:20px}li.better{color:#166534}li.worse{color:#991b1b}li.same{color:#3f3f46}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #e4e4e7;padding:4px 10px;text-align:right}
th:first-child,td:first-child{text-align:left}.row{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;border:1px solid #e4e4e7;border-radius:6px;padding:8px;max-width:440px}figcaption{font-weight:600;margin-bottom:4px}
.legend span{margin-right:12px;white-space:nowrap;display:inline-block}.base{font-weight:400;color:#52525b}`

// ContentSecurityPolicy is the policy to serve HTML pages with: no scripts, no requests, and
// only the page's own style sheet.
func ContentSecurityPolicy() string {
	sum := sha256.Sum256([]byte(pageStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
		"'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// WriteHTML writes the comparison as one self-contained HTML page: verdicts, a table of the
// targets' figures and inline SVG charts of each target side by side on shared scales. It needs
// no script, style sheet, font or image from anywhere, so it can be attached to a ticket. Every
// text from the records is escaped; the page is well-formed XML as well as HTML.
func WriteHTML(w io.Writer, r *Report) error {
	var b strings.Builder
	esc := html.EscapeString
	title := "Trafficinator comparison"
	if r.Title != "" {
		title += ": " + r.Title
	} else if r.RunID != "" {
		title += ": run " + r.RunID
	}
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>")
	b.WriteString(`<meta name="viewport" content="width=device-width, initial-scale=1"/>`)
	fmt.Fprintf(&b, "<title>%s</title><style>%s</style></head><body>", esc(title), pageStyle)
	fmt.Fprintf(&b, `<header><h1>%s</h1><p class="meta">%s</p></header>`, esc(title), esc(metaLine(r)))
	writeVerdicts(&b, r)
	writeTable(&b, r)
	for _, row := range chartRows(r) {
		fmt.Fprintf(&b, `<section class="charts"><h2>%s</h2><div class="row">`, esc(row.title))
		for i, c := range row.charts {
			name := row.names[i]
			if name == "" {
				name = row.title
			}
			fmt.Fprintf(&b, `<figure data-target="%s"><figcaption>%s</figcaption>`, esc(name), esc(name))
			writeSVG(&b, c)
			b.WriteString(`</figure>`)
		}
		b.WriteString(`</div></section>`)
	}
	b.WriteString(`<p class="note">Made by Trafficinator from the run's report records. A difference under ` +
		esc(percent(r.MinChange)) + ` (or under 1 ms, or 0.1 percentage points of errors) is reported as no significant difference.</p>`)
	b.WriteString("</body></html>\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write comparison page: %w", err)
	}
	return nil
}

// metaLine describes the run in one line.
func metaLine(r *Report) string {
	parts := []string{}
	if r.RunID != "" {
		parts = append(parts, "run "+r.RunID)
	}
	kind := map[string]string{KindCapacity: "capacity search", KindMirror: "mirror run", KindWeighted: "weighted run", KindSingle: "one target"}[r.Kind]
	if r.Search != "" {
		kind += " (" + r.Search + ")"
	}
	parts = append(parts, kind)
	if r.Mode != "" {
		parts = append(parts, r.Mode)
	}
	if r.VisitsPerDay > 0 {
		parts = append(parts, count(r.VisitsPerDay)+" visits/day intended")
	}
	if r.Started != nil {
		parts = append(parts, "started "+r.Started.Format("2006-01-02 15:04:05 UTC"))
	}
	parts = append(parts, "ran "+clock(r.Seconds))
	if r.Loaders > 1 {
		parts = append(parts, fmt.Sprintf("%d loaders", r.Loaders))
	}
	if r.Baseline != "" {
		parts = append(parts, "baseline: "+r.Baseline)
	}
	return strings.Join(parts, " · ")
}

func writeVerdicts(b *strings.Builder, r *Report) {
	esc := html.EscapeString
	fmt.Fprintf(b, `<section id="verdicts"><h2>Verdict</h2><p class="headline">%s</p>`, esc(r.Headline))
	if len(r.Verdicts) > 0 {
		b.WriteString(`<ul class="verdicts">`)
		for _, v := range r.Verdicts {
			fmt.Fprintf(b, `<li class="%s" data-metric="%s">%s</li>`, esc(v.Outcome), esc(v.Metric), esc(v.Text))
		}
		b.WriteString(`</ul>`)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(b, `<p class="note">%s</p>`, esc(n))
	}
	b.WriteString(`</section>`)
}

// writeTable writes the targets' figures, a column per target.
func writeTable(b *strings.Builder, r *Report) {
	esc := html.EscapeString
	b.WriteString(`<section id="figures"><h2>Figures</h2><table><thead><tr><th scope="col">Measure</th>`)
	for _, t := range r.Targets {
		base := ""
		if t.Baseline {
			base = ` <span class="base">(baseline)</span>`
		}
		fmt.Fprintf(b, `<th scope="col">%s%s</th>`, esc(t.Name), base)
	}
	b.WriteString(`</tr></thead><tbody>`)
	for _, row := range tableRows(r) {
		fmt.Fprintf(b, `<tr><th scope="row">%s</th>`, esc(row[0]))
		for _, cell := range row[1:] {
			fmt.Fprintf(b, `<td>%s</td>`, esc(cell))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></section>`)
}

// tableRows are the figures table's rows: a measure, then a cell per target.
func tableRows(r *Report) [][]string {
	row := func(label string, f func(Target) string) []string {
		out := []string{label}
		for _, t := range r.Targets {
			out = append(out, f(t))
		}
		return out
	}
	rows := [][]string{
		row("Hits sent", func(t Target) string { return group(t.Totals.HitsSent) }),
		row("Hits tracked", func(t Target) string { return group(t.Totals.HitsTracked) }),
		row("Tracked hits/s (whole run)", func(t Target) string { return num(t.Totals.HitsPerSec) }),
		row("Invalid + failed hits", func(t Target) string { return group(t.Totals.HitsInvalid + t.Totals.HitsFailed) }),
		row("Error share", func(t Target) string { return percent(t.Totals.ErrorShare) }),
		row("Dropped visits", func(t Target) string { return group(t.Totals.VisitsDropped) }),
		row("Tracking p50 ms", func(t Target) string { return num(t.Totals.LatencyP50ms) }),
		row("Tracking p95 ms", func(t Target) string { return num(t.Totals.LatencyP95ms) }),
	}
	if r.Kind == KindCapacity {
		rows = append(rows,
			row("Sustained visits/day", func(t Target) string {
				return capField(t, func(c *Capacity) string { return count(c.SustainedVisitsPerDay) })
			}),
			row("Sustained hits/s", func(t Target) string {
				return capField(t, func(c *Capacity) string { return num(c.SustainedHitsPerSec) })
			}),
			row("Broke", func(t Target) string { return capField(t, func(c *Capacity) string { return c.Why }) }))
	}
	if hasProbes(r) {
		rows = append(rows, row("Reports timed (failed)", func(t Target) string {
			return fmt.Sprintf("%d (%d)", t.Totals.ReportsTimed, t.Totals.ReportsFailed)
		}))
	}
	return rows
}

func capField(t Target, f func(*Capacity) string) string {
	if t.Capacity == nil {
		return "–"
	}
	return f(t.Capacity)
}

func hasProbes(r *Report) bool {
	for _, t := range r.Targets {
		if len(t.Probes) > 0 {
			return true
		}
	}
	return false
}
