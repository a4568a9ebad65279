// Package probe times Reporting API calls on every target of a live run, during the load and
// after it: how long VisitsSummary.get, Actions.getPageUrls and the like take as the traffic
// grows, the "reports got slow at N visits/day" curve.
//
// The probe only reads. Every method it calls must pass config.IsReadMethod (Module.get or
// Module.getSomething), checked when it is made and again before each call; the one exception
// is CoreAdminHome.invalidateArchivedReports for today, and only when the user opted in
// (PROBE_INVALIDATE), so that each call re-archives. The token travels in the POST body, as with
// every call of pkg/matomo, never in a URL or a log line.
package probe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// Client is what the probe needs of a target; *matomo.Client implements it.
type Client interface {
	// CallAPI calls a Reporting API method, token in the POST body.
	CallAPI(ctx context.Context, method string, params url.Values, out any) error
	// InvalidateArchivedReports is called only with PROBE_INVALIDATE.
	InvalidateArchivedReports(ctx context.Context, siteIDs []int, dates []string) ([]string, error)
}

var _ Client = (*matomo.Client)(nil)

// Target is one target the probe times.
type Target struct {
	Name   string
	SiteID int
	Client Client
}

// Phases of a probe record.
const (
	PhaseLoad  = "load"
	PhaseAfter = "after"
)

// ErrWrite means a method that is not a read was asked of the probe.
var ErrWrite = errors.New("probe: not a read method")

// Deps are what a Probe works with.
type Deps struct {
	Clock engines.Clock
	// Start is the run's start, for the records' elapsed_s.
	Start time.Time
	Out   *report.Writer
	Log   *slog.Logger
	// Meter, when set, gets every latency (trafficinator_report_duration_seconds).
	Meter *meter.Set
	// Location is the time zone "today" is taken in for the invalidation (TIMEZONE).
	Location *time.Location
}

// call is one method for one period.
type call struct {
	method, period, date, label string
}

// Probe times the calls of its configuration on its targets.
type Probe struct {
	cfg     config.Probe
	targets []Target
	calls   []call
	deps    Deps
	round   int

	mu    sync.Mutex
	times map[string]map[string]*timings // target → label → timings
}

type timings struct {
	ms     []float64
	failed int
}

// New checks cfg's calls (reads only) and returns a Probe over targets.
func New(cfg config.Probe, targets []Target, deps Deps) (*Probe, error) {
	if deps.Clock == nil {
		deps.Clock = engines.SystemClock{}
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Location == nil {
		deps.Location = time.UTC
	}
	p := &Probe{cfg: cfg, targets: targets, deps: deps, times: map[string]map[string]*timings{}}
	for _, m := range cfg.ProbeCalls() {
		if !config.IsReadMethod(m) {
			return nil, fmt.Errorf("%w: %q", ErrWrite, m)
		}
		for _, pd := range cfg.ProbePeriods() {
			p.calls = append(p.calls, call{method: m, period: pd.Period, date: pd.Date, label: m + " " + pd.Period + " " + pd.Date})
		}
	}
	if len(p.calls) == 0 {
		return nil, errors.New("probe: no call to time (PROBE_CALLS, PROBE_PERIODS)")
	}
	for _, t := range targets {
		p.times[t.Name] = map[string]*timings{}
	}
	return p, nil
}

// Labels returns the labels of the calls, in the order they are made.
func (p *Probe) Labels() []string {
	out := make([]string, len(p.calls))
	for i, c := range p.calls {
		out[i] = c.label
	}
	return out
}

// Run makes a round every PROBE_INTERVAL, the first at once, until ctx ends; rate says the
// visit rate intended at the time, for the records.
func (p *Probe) Run(ctx context.Context, rate func() float64) {
	for {
		p.Round(ctx, PhaseLoad, rate())
		if engines.Wait(ctx, p.deps.Clock, p.cfg.Interval) != nil {
			return
		}
	}
}

// After makes PROBE_AFTER_ROUNDS rounds, PROBE_INTERVAL apart with the first at once, or fewer
// if ctx ends first.
func (p *Probe) After(ctx context.Context) {
	for i := range p.cfg.AfterRounds {
		if i > 0 && engines.Wait(ctx, p.deps.Clock, p.cfg.Interval) != nil {
			return
		}
		if ctx.Err() != nil {
			return
		}
		p.Round(ctx, PhaseAfter, 0)
	}
}

// Round makes every call on every target once (targets side by side, calls one after the
// other on a target, so that one call's archiving does not slow the next one's timing), and
// prints a Probe record per call.
func (p *Probe) Round(ctx context.Context, phase string, perDay float64) {
	round := p.round
	p.round++
	var wg sync.WaitGroup
	for _, t := range p.targets {
		wg.Go(func() { p.roundOn(ctx, t, round, phase, perDay) })
	}
	wg.Wait()
}

func (p *Probe) roundOn(ctx context.Context, t Target, round int, phase string, perDay float64) {
	invalidated := false
	if p.cfg.Invalidate {
		today := p.deps.Clock.Now().In(p.deps.Location).Format(time.DateOnly)
		if _, err := t.Client.InvalidateArchivedReports(ctx, []int{t.SiteID}, []string{today}); err != nil {
			p.deps.Log.Warn("probe: cannot invalidate today's archives", "target", t.Name, "error", err.Error())
		} else {
			invalidated = true
		}
	}
	for _, c := range p.calls {
		if ctx.Err() != nil {
			return
		}
		rec := p.time(ctx, t, c)
		if ctx.Err() != nil {
			return // cut short by the end of the phase: not a timing
		}
		rec.Round, rec.Phase, rec.VisitsPerDay, rec.Invalidated = round, phase, perDay, invalidated
		p.keep(t.Name, rec)
		if err := p.deps.Out.Write(report.TypeProbe, &rec); err != nil {
			p.deps.Log.Error("cannot write a probe record", "error", err.Error())
		}
	}
}

// time makes one call and times it.
func (p *Probe) time(ctx context.Context, t Target, c call) report.Probe {
	rec := report.Probe{Target: t.Name, Call: c.method, Label: c.label, Period: c.period, Date: c.date}
	if !config.IsReadMethod(c.method) { // New checked; this keeps any later change honest
		rec.Error = ErrWrite.Error()
		return rec
	}
	params := url.Values{"idSite": {strconv.Itoa(t.SiteID)}, "period": {c.period}, "date": {c.date}}
	if c.method == "Live.getLastVisitsDetails" {
		params.Set("filter_limit", "100")
	}
	cctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	start := p.deps.Clock.Now()
	var out any
	err := t.Client.CallAPI(cctx, c.method, params, &out)
	d := p.deps.Clock.Now().Sub(start)
	rec.Ms = math.Round(float64(d.Microseconds())/10) / 100
	rec.ElapsedS = math.Round(p.deps.Clock.Now().Sub(p.deps.Start).Seconds()*1000) / 1000
	rec.Status, rec.OK = 200, err == nil
	if err != nil {
		rec.Status = statusOf(err)
		rec.Error = err.Error() // pkg/matomo errors never carry the token
	}
	if p.deps.Meter != nil {
		p.deps.Meter.ObserveProbe(t.Name, c.label, d, rec.OK)
	}
	return rec
}

// statusOf is the HTTP status an error reports: the code of a *matomo.StatusError, the status
// of a Matomo error answer (200 as often as 401), 0 for no answer.
func statusOf(err error) int {
	var se *matomo.StatusError
	var ae *matomo.APIError
	switch {
	case errors.As(err, &se):
		return se.Code
	case errors.As(err, &ae):
		return ae.Status
	}
	return 0
}

func (p *Probe) keep(target string, rec report.Probe) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tm := p.times[target][rec.Label]
	if tm == nil {
		tm = &timings{}
		p.times[target][rec.Label] = tm
	}
	if !rec.OK {
		tm.failed++
		return
	}
	tm.ms = append(tm.ms, rec.Ms)
}

// Stats returns the target's timings so far per call, in the order of Labels: percentiles of
// the calls that succeeded, and how many failed.
func (p *Probe) Stats(target string) []report.ProbeStat {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []report.ProbeStat
	for _, c := range p.calls {
		tm := p.times[target][c.label]
		if tm == nil {
			continue
		}
		ms := slices.Clone(tm.ms)
		slices.Sort(ms)
		st := report.ProbeStat{Label: c.label, Count: len(ms) + tm.failed, Failed: tm.failed,
			P50ms: quantile(ms, 0.5), P95ms: quantile(ms, 0.95), P99ms: quantile(ms, 0.99)}
		if len(ms) > 0 {
			st.MaxMs = ms[len(ms)-1]
		}
		out = append(out, st)
	}
	return out
}

// quantile is the nearest-rank q-quantile of sorted values; 0 without any.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
