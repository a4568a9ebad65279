package capacity

import (
	"fmt"
	"math"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Verdict returns the search's result: per target the highest rate held below the lowest rate
// broken, and why it broke; Best is the target that sustained the most, when one did.
func (s *Search) Verdict() report.Verdict {
	v := report.Verdict{Search: s.cfg.Search, Reason: s.reason, Steps: len(s.targets[0].runs)}
	for _, t := range s.targets {
		v.Targets = append(v.Targets, s.targetVerdict(t))
	}
	v.Best = best(v.Targets)
	return v
}

func (s *Search) targetVerdict(t *result) report.TargetVerdict {
	tv := report.TargetVerdict{Target: t.name, SustainedStep: -1, BrokeStep: -1}
	held, broke, ok := t.bounds()
	for _, st := range t.runs {
		if ok && !st.Held && st.VisitsPerDay == broke && tv.BrokeStep < 0 {
			tv.Broke, tv.BrokeAt, tv.BrokeStep, tv.Broken = true, broke, st.Index, st.Broken
		}
		if st.Held && held > 0 && st.VisitsPerDay == held && tv.SustainedStep < 0 {
			tv.Held, tv.SustainedVisitsPerDay, tv.SustainedHitsPerSec, tv.SustainedStep, tv.SustainedP95ms =
				true, held, st.HitsPerSec, st.Index, st.LatencyP95ms
		}
	}
	tv.Why = s.why(tv)
	return tv
}

// why says in a sentence what limited the target.
func (s *Search) why(tv report.TargetVerdict) string {
	switch {
	case len(s.targets[0].runs) == 0:
		return "no step was measured"
	case tv.Broke:
		parts := make([]string, len(tv.Broken))
		for i, b := range tv.Broken {
			parts[i] = DescribeBreach(b)
		}
		msg := strings.Join(parts, "; ") + " at " + Rate(tv.BrokeAt) + " visits/day"
		if !tv.Held {
			msg += "; no step held: lower CAPACITY_START_VISITS_PER_DAY"
		}
		return msg
	case !tv.Held:
		return "no step was measured to hold or break (" + s.reason + ")"
	case s.cfg.Search != config.SearchStages && tv.SustainedVisitsPerDay >= s.cfg.MaxPerDay:
		return "held every step up to CAPACITY_MAX_VISITS_PER_DAY (" + Rate(tv.SustainedVisitsPerDay) + " visits/day): its capacity is higher"
	case s.reason == ReasonStagesDone:
		return "held every stage, up to " + Rate(tv.SustainedVisitsPerDay) + " visits/day: its capacity is higher"
	default:
		return "held every step measured before the search ended (" + s.reason + "): its capacity is at least " + Rate(tv.SustainedVisitsPerDay) + " visits/day"
	}
}

// best is the target with the highest sustained rate, if it is higher than every other's.
func best(ts []report.TargetVerdict) string {
	if len(ts) < 2 {
		return ""
	}
	top, name, tie := -1.0, "", false
	for _, t := range ts {
		r := t.SustainedVisitsPerDay
		if !t.Broke {
			r = math.Inf(1) // never broke: at least as good as anything that did
			if t.SustainedVisitsPerDay == 0 {
				r = -1
			}
		}
		switch {
		case r > top:
			top, name, tie = r, t.Target, false
		case r == top:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return name
}

// DescribeBreach says a breach in words: "p95 412 ms > 300 ms".
func DescribeBreach(b report.Breach) string {
	switch b.Threshold {
	case report.ThresholdP95:
		return fmt.Sprintf("p95 %.0f ms > %.0f ms", b.Observed, b.Limit)
	case report.ThresholdP99:
		return fmt.Sprintf("p99 %.0f ms > %.0f ms", b.Observed, b.Limit)
	case report.ThresholdErrors:
		return fmt.Sprintf("errors %.2f%% > %.2f%%", b.Observed*100, b.Limit*100)
	case report.ThresholdDropped:
		return fmt.Sprintf("dropped visits %.2f%% > %.2f%%", b.Observed*100, b.Limit*100)
	case report.Threshold5xx:
		return fmt.Sprintf("5xx answers %.2f%% > %.2f%%", b.Observed*100, b.Limit*100)
	case report.ThresholdNoSamples:
		return fmt.Sprintf("no answer to %.0f hits", b.Limit)
	}
	return fmt.Sprintf("%s %g > %g", b.Threshold, b.Observed, b.Limit)
}

// Rate formats visits/day with thousands separators: 1,500,000.
func Rate(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
