package compare

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// Lines is the comparison as text, a line each: the headline, each target's capacity, each
// verdict, and the notes. The loader prints them at the end of a run.
func Lines(r *Report) []string {
	out := []string{r.Headline}
	if len(r.Targets) > 1 {
		for _, t := range r.Targets {
			if t.Capacity != nil {
				out = append(out, "capacity: "+t.Name+": "+capacityText(t.Capacity))
			}
		}
	}
	for _, t := range r.Targets {
		for _, p := range t.Probes {
			out = append(out, "report timing: "+t.Name+": "+probeText(p))
		}
	}
	for _, v := range r.Verdicts {
		out = append(out, "verdict: "+v.Text)
	}
	for _, n := range r.Notes {
		out = append(out, "note: "+n)
	}
	return out
}

// WriteText prints Lines, one per line.
func WriteText(w io.Writer, r *Report) error {
	for _, l := range Lines(r) {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return fmt.Errorf("write comparison: %w", err)
		}
	}
	return nil
}

// verdictText says a verdict in words: "candidate: tracking p95 −38% (120 → 74 ms) at 1M visits/day".
func verdictText(v Verdict, minChange float64) string {
	s := v.Target + ": "
	if v.Outcome == OutcomeSame {
		s += fmt.Sprintf("%s %s (%s; under %s)", measureName(v), noDifference, fromTo(v), percent(minChange))
		if v.AtVisitsPerDay > 0 {
			s += " at " + count(v.AtVisitsPerDay) + " visits/day"
		}
		return s
	}
	return s + measureAt(v) + ": " + v.Outcome
}

// measureText is the change of a verdict's measure with its figures: "tracking p95 −38% (120 → 74 ms)".
func measureText(v Verdict) string {
	switch {
	case v.Metric == MetricSustained && v.BaselineValue == 0:
		return fmt.Sprintf("sustained rate %s visits/day where the baseline held no step", count(v.Value))
	case v.Metric == MetricSustained:
		return fmt.Sprintf("sustained rate ×%s (%s)", ratio(v.Value/v.BaselineValue), fromTo(v))
	case v.Metric == MetricErrors:
		return fmt.Sprintf("error share %s (%s)", pointsChange(v.Value-v.BaselineValue), fromTo(v))
	case v.BaselineValue == 0:
		return fmt.Sprintf("%s %s (%s)", measureName(v), signed(v.Value), fromTo(v))
	}
	return fmt.Sprintf("%s %s (%s)", measureName(v), percentChange(v.Change), fromTo(v))
}

func measureName(v Verdict) string {
	switch v.Metric {
	case MetricSustained:
		return "sustained rate"
	case MetricP95:
		return "tracking p95"
	case MetricErrors:
		return "error share"
	case MetricThroughput:
		return "hits tracked/s"
	case MetricReportP95:
		return v.Label + " p95"
	}
	return v.Metric
}

// fromTo shows the baseline's figure and the candidate's: "120 → 74 ms".
func fromTo(v Verdict) string {
	switch v.Unit {
	case "share":
		return percent(v.BaselineValue) + " → " + percent(v.Value)
	case "visits/day":
		return count(v.BaselineValue) + " → " + count(v.Value) + " visits/day"
	}
	return num(v.BaselineValue) + " → " + num(v.Value) + " " + v.Unit
}

// capacityText is what a search found for a target.
func capacityText(c *Capacity) string {
	s := "no step held"
	if c.Held {
		s = fmt.Sprintf("sustained %s visits/day (%s hits/s, p95 %s ms)", count(c.SustainedVisitsPerDay), num(c.SustainedHitsPerSec), num(c.SustainedP95ms))
	}
	if c.Broke {
		return s + "; broke: " + c.Why
	}
	return s + "; " + c.Why
}

// probeText says a Reporting API call's timings: "VisitsSummary.get day: p50 120 ms, p95 480 ms,
// max 900 ms (12 calls, 1 failed)".
func probeText(p ProbeSeries) string {
	s := fmt.Sprintf("%s: p50 %s ms, p95 %s ms, max %s ms (%d calls", p.Label, num(p.P50ms), num(p.P95ms), num(p.MaxMs), p.Count)
	if p.Failed > 0 {
		s += fmt.Sprintf(", %d failed", p.Failed)
	}
	return s + ")"
}

// breachText says a threshold breach: "p95 310 ms > 300 ms".
func breachText(b report.Breach) string {
	switch b.Threshold {
	case report.ThresholdP95:
		return fmt.Sprintf("p95 %s ms > %s ms", num(b.Observed), num(b.Limit))
	case report.ThresholdP99:
		return fmt.Sprintf("p99 %s ms > %s ms", num(b.Observed), num(b.Limit))
	case report.ThresholdErrors:
		return fmt.Sprintf("errors %s > %s", percent(b.Observed), percent(b.Limit))
	case report.ThresholdDropped:
		return fmt.Sprintf("dropped visits %s > %s", percent(b.Observed), percent(b.Limit))
	case report.Threshold5xx:
		return fmt.Sprintf("5xx answers %s > %s", percent(b.Observed), percent(b.Limit))
	case report.ThresholdNoSamples:
		return "no request answered"
	}
	return fmt.Sprintf("%s %s > %s", b.Threshold, num(b.Observed), num(b.Limit))
}

// count formats a rate of visits: 950, 12,500, 500k, 1M, 2.25M.
func count(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1e6:
		return trim(v/1e6, 2) + "M"
	case a >= 1e5:
		return trim(v/1e3, 0) + "k"
	}
	return group(int64(math.Round(v)))
}

// group writes an integer with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// num formats a measure: whole numbers from 100 up, one decimal from 10, two below.
func num(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 100:
		return group(int64(math.Round(v)))
	case a >= 10:
		return trim(v, 1)
	}
	return trim(v, 2)
}

// trim rounds half away from zero (as people do) and drops trailing zeros.
func trim(v float64, places int) string {
	p := math.Pow(10, float64(places))
	s := strconv.FormatFloat(math.Round(v*p)/p, 'f', places, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}

// percent formats a share: 0.052 → "5.2%", 0.00042 → "0.04%".
func percent(share float64) string {
	if a := math.Abs(share); a > 0 && a < 0.01 {
		return trim(share*100, 2) + "%"
	}
	return trim(share*100, 1) + "%"
}

// percentChange formats a relative change with its sign: −38%, +12%.
func percentChange(change float64) string { return signed(change*100) + "%" }

// pointsChange formats a difference of shares in percentage points: −5.1 pp.
func pointsChange(d float64) string { return signed(d*100) + " pp" }

// signed writes a number with a + or a − (U+2212) sign.
func signed(v float64) string {
	r := math.Round(v)
	if math.Abs(v) < 10 {
		r = math.Round(v*10) / 10
	}
	switch {
	case r > 0:
		return "+" + trim(r, 1)
	case r < 0:
		return "−" + trim(-r, 1)
	}
	return "±0"
}

// ratio formats a ratio of rates: 2.1, 0.48.
func ratio(v float64) string {
	if v >= 10 {
		return trim(v, 0)
	}
	if v >= 1 {
		return trim(v, 1)
	}
	return trim(v, 2)
}
