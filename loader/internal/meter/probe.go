package meter

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// probeHelp is the help of trafficinator_report_duration_seconds.
const probeHelp = "Latency of Reporting API calls timed by the report-timing probe (PROBE_ENABLED), in seconds, " +
	"by target, call (method, period and date) and outcome (ok or failed)."

// ProbeBuckets are the upper bounds (seconds) of the report latency histogram: reports take from
// milliseconds (archived) to minutes (archived on demand), so exponential from 5 ms by 1.5 up to
// about 11 minutes.
var ProbeBuckets = prometheus.ExponentialBuckets(0.005, 1.5, 30)

func newProbeVec() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "report_duration_seconds", Help: probeHelp, Buckets: ProbeBuckets,
	}, []string{"target", "call", "outcome"})
}

// ObserveProbe records the latency of one Reporting API call of the probe on a target. call is
// the probe's label of the call ("VisitsSummary.get day today"): the labels are as many as the
// configured calls times periods.
func (s *Set) ObserveProbe(target, call string, d time.Duration, ok bool) {
	outcome := "ok"
	if !ok {
		outcome = "failed"
	}
	s.probe.WithLabelValues(target, call, outcome).Observe(d.Seconds())
}
