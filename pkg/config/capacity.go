package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Capacity search kinds (CAPACITY_SEARCH).
const (
	SearchOff    = "off"
	SearchStep   = "step"
	SearchStages = "stages"
	SearchBinary = "binary"
)

// Groups of the capacity search and report timing settings.
const (
	GroupCapacity = "Capacity search"
	GroupProbe    = "Report timing"
)

// Capacity is the capacity search of a live run: CAPACITY_SEARCH and the settings it reads.
type Capacity struct {
	Search       string        // CAPACITY_SEARCH
	StartPerDay  float64       // CAPACITY_START_VISITS_PER_DAY
	Factor       float64       // CAPACITY_STEP_FACTOR
	Increment    float64       // CAPACITY_STEP_INCREMENT
	MaxPerDay    float64       // CAPACITY_MAX_VISITS_PER_DAY
	StepDuration time.Duration // CAPACITY_STEP_DURATION
	Warmup       time.Duration // CAPACITY_WARMUP
	Stages       string        // CAPACITY_STAGES
	Precision    float64       // CAPACITY_PRECISION
	MaxSteps     int           // CAPACITY_MAX_STEPS
	MaxP95ms     float64       // CAPACITY_MAX_P95_MS
	MaxP99ms     float64       // CAPACITY_MAX_P99_MS
	MaxErrors    float64       // CAPACITY_MAX_ERROR_SHARE
	MaxDropped   float64       // CAPACITY_MAX_DROPPED_SHARE
	Max5xx       float64       // CAPACITY_MAX_5XX_SHARE
}

// Enabled reports whether a capacity search is asked for.
func (c Capacity) Enabled() bool { return c.Search != "" && c.Search != SearchOff }

// TopRate is the highest visit rate the search can reach: CAPACITY_MAX_VISITS_PER_DAY, or the
// highest stage's rate; 0 when no search is asked for.
func (c Capacity) TopRate() float64 {
	switch {
	case !c.Enabled():
		return 0
	case c.Search == SearchStages:
		var top float64
		stages, _ := ParseStages(c.Stages)
		for _, s := range stages {
			top = max(top, s.VisitsPerDay)
		}
		return top
	}
	return c.MaxPerDay
}

// Probe is the report-timing probe: which Reporting API calls it times, how often, and whether
// it invalidates today's archives first.
type Probe struct {
	Enabled     bool          // PROBE_ENABLED
	Calls       string        // PROBE_CALLS
	Periods     string        // PROBE_PERIODS
	Interval    time.Duration // PROBE_INTERVAL
	AfterRounds int           // PROBE_AFTER_ROUNDS
	Timeout     time.Duration // PROBE_TIMEOUT
	Invalidate  bool          // PROBE_INVALIDATE
}

// DefaultProbeCalls are the Reporting API calls the probe times unless PROBE_CALLS says otherwise.
const DefaultProbeCalls = "VisitsSummary.get,Actions.getPageUrls,Referrers.getReferrerType,Goals.get,Live.getLastVisitsDetails"

// capacityFields are the settings of the capacity search and of the report-timing probe.
var capacityFields = []field{
	stringField("CAPACITY_SEARCH", SearchOff, TypeEnum, meta{label: "Capacity search", group: GroupCapacity, mode: "live",
		help: "Find the highest visit rate each target sustains instead of holding TARGET_VISITS_PER_DAY. step: start at CAPACITY_START_VISITS_PER_DAY and raise the rate every CAPACITY_STEP_DURATION until every target broke a threshold or CAPACITY_MAX_VISITS_PER_DAY held. binary: the same ramp, then bisect between the last rate that held and the first that broke, down to CAPACITY_PRECISION. stages: the rates of CAPACITY_STAGES, one after the other. In mirror mode every target gets the same visits until the search ends; each target's result is the highest step it held. See docs/capacity.md."},
		func(c *Config) *string { return &c.Capacity.Search }, SearchOff, SearchStep, SearchBinary, SearchStages),
	floatField("CAPACITY_START_VISITS_PER_DAY", "100000", meta{label: "First step", group: GroupCapacity, unit: "visits/day", min: num(1), max: num(1e9), mode: "live",
		help: "Rate of the first step of a step or binary search: low enough for every target to hold it."},
		func(c *Config) *float64 { return &c.Capacity.StartPerDay }),
	floatField("CAPACITY_STEP_FACTOR", "1.5", meta{label: "Step factor", group: GroupCapacity, min: num(1.01), max: num(10), mode: "live",
		help: "Each step's rate is the previous one's times this (unless CAPACITY_STEP_INCREMENT is set). A target's capacity is then known within one factor; binary narrows it further."},
		func(c *Config) *float64 { return &c.Capacity.Factor }),
	floatField("CAPACITY_STEP_INCREMENT", "0", meta{label: "Step increment", group: GroupCapacity, unit: "visits/day", min: num(0), max: num(1e9), mode: "live",
		help: "When above 0, each step adds this many visits/day instead of multiplying by CAPACITY_STEP_FACTOR (even steps)."},
		func(c *Config) *float64 { return &c.Capacity.Increment }),
	floatField("CAPACITY_MAX_VISITS_PER_DAY", "20000000", meta{label: "Highest rate", group: GroupCapacity, unit: "visits/day", min: num(1), max: num(1e9), mode: "live",
		help: "The search never goes above this rate; a target that still holds it is reported as sustaining at least this much."},
		func(c *Config) *float64 { return &c.Capacity.MaxPerDay }),
	durationField("CAPACITY_STEP_DURATION", "60s", meta{label: "Step duration", group: GroupCapacity, min: num(1), max: num(86400), mode: "live",
		help: "How long each step (of step and binary searches) holds its rate. Long enough for a few hundred hits at the first rate, and for Matomo's queues to fill."},
		func(c *Config) *time.Duration { return &c.Capacity.StepDuration }),
	durationField("CAPACITY_WARMUP", "10s", meta{label: "Warm-up", group: GroupCapacity, min: num(0), max: num(86400), mode: "live",
		help: "The first part of every step and stage that is not measured, while visits of the previous rate finish. Shorter than CAPACITY_STEP_DURATION and every stage."},
		func(c *Config) *time.Duration { return &c.Capacity.Warmup }),
	stringField("CAPACITY_STAGES", "", TypeString, meta{label: "Stages", group: GroupCapacity, mode: "live",
		help: "For CAPACITY_SEARCH=stages: comma-separated rate:duration pairs, k6 ramping-arrival-rate style, e.g. `100000:2m,1000000:5m,1000000:5m`. The rate moves linearly from the previous stage's rate (the first stage's own rate at the start) to the stage's rate over the stage's duration; a stage is measured as a whole and held at its rate."},
		func(c *Config) *string { return &c.Capacity.Stages }),
	floatField("CAPACITY_PRECISION", "1.1", meta{label: "Binary precision", group: GroupCapacity, min: num(1.001), max: num(10), mode: "live",
		help: "A binary search ends when every target's first rate that broke is at most this factor above its last rate that held."},
		func(c *Config) *float64 { return &c.Capacity.Precision }),
	intField("CAPACITY_MAX_STEPS", "40", meta{label: "Most steps", group: GroupCapacity, unit: "steps", min: num(1), max: num(1000), mode: "live",
		help: "The search ends after this many steps whatever it found (each step lasts CAPACITY_STEP_DURATION)."},
		func(c *Config) *int { return &c.Capacity.MaxSteps }),
	floatField("CAPACITY_MAX_P95_MS", "1000", meta{label: "p95 limit", group: GroupCapacity, unit: "ms", min: num(0), max: num(600000), mode: "live",
		help: "A step breaks on a target when the 95th percentile of its tracking latency during the step exceeds this. 0: no limit."},
		func(c *Config) *float64 { return &c.Capacity.MaxP95ms }),
	floatField("CAPACITY_MAX_P99_MS", "0", meta{label: "p99 limit", group: GroupCapacity, unit: "ms", min: num(0), max: num(600000), mode: "live",
		help: "A step breaks on a target when the 99th percentile of its tracking latency exceeds this. 0: no limit."},
		func(c *Config) *float64 { return &c.Capacity.MaxP99ms }),
	floatField("CAPACITY_MAX_ERROR_SHARE", "0.01", meta{label: "Error limit", group: GroupCapacity, unit: "fraction", min: num(0), max: num(1), mode: "live",
		help: "A step breaks on a target when more than this share of its hits failed (no answer after retries) or were rejected. 1: no limit."},
		func(c *Config) *float64 { return &c.Capacity.MaxErrors }),
	floatField("CAPACITY_MAX_DROPPED_SHARE", "0.01", meta{label: "Dropped limit", group: GroupCapacity, unit: "fraction", min: num(0), max: num(1), mode: "live",
		help: "A step breaks on a target when more than this share of the visits due were dropped because CONCURRENCY visits were in flight. In mirror mode a visit holds its slot until every target answered, so a drop is blamed on the target with the most visits in flight. 1: no limit."},
		func(c *Config) *float64 { return &c.Capacity.MaxDropped }),
	floatField("CAPACITY_MAX_5XX_SHARE", "0", meta{label: "5xx limit", group: GroupCapacity, unit: "fraction", min: num(0), max: num(1), mode: "live",
		help: "A step breaks on a target when more than this share of its requests were answered 5xx (retries included): 0 means any 5xx breaks it, 1 no limit."},
		func(c *Config) *float64 { return &c.Capacity.Max5xx }),

	boolField("PROBE_ENABLED", "false", meta{label: "Time reports", group: GroupProbe, mode: "live",
		help: "Time Reporting API calls on every target while the load runs and after it ended: the \"reports got slow at N visits/day\" curve. Needs a token with view access; the probe only reads (PROBE_INVALIDATE aside)."},
		func(c *Config) *bool { return &c.Probe.Enabled }),
	stringField("PROBE_CALLS", DefaultProbeCalls, TypeString, meta{label: "Calls", group: GroupProbe, mode: "live",
		help: "Comma-separated Reporting API read methods to time (Module.getSomething, or Module.get)."},
		func(c *Config) *string { return &c.Probe.Calls }),
	stringField("PROBE_PERIODS", "day:today,range:last7", TypeString, meta{label: "Periods", group: GroupProbe, mode: "live",
		help: "Comma-separated period:date pairs every call is made for (period day, week, month, year or range; date as Matomo takes it: today, yesterday, YYYY-MM-DD, lastN, or a range YYYY-MM-DD,YYYY-MM-DD written with `;`)."},
		func(c *Config) *string { return &c.Probe.Periods }),
	durationField("PROBE_INTERVAL", "60s", meta{label: "Interval", group: GroupProbe, min: num(1), max: num(86400), mode: "live",
		help: "Time between the starts of two rounds of calls (a round makes every call for every period on every target; the first starts with the load). The calls compete with tracking for Matomo's workers, so a short interval weighs on what a capacity search measures."},
		func(c *Config) *time.Duration { return &c.Probe.Interval }),
	intField("PROBE_AFTER_ROUNDS", "1", meta{label: "Rounds after load", group: GroupProbe, unit: "rounds", min: num(0), max: num(100), mode: "live",
		help: "Rounds made after the load ended, PROBE_INTERVAL apart (the first at once): how fast reports are once Matomo is idle again."},
		func(c *Config) *int { return &c.Probe.AfterRounds }),
	durationField("PROBE_TIMEOUT", "120s", meta{label: "Call timeout", group: GroupProbe, min: num(1), max: num(3600), mode: "live",
		help: "Time limit of one Reporting API call; a call that takes longer is recorded as failed at this latency."},
		func(c *Config) *time.Duration { return &c.Probe.Timeout }),
	boolField("PROBE_INVALIDATE", "false", meta{label: "Invalidate today first", group: GroupProbe, mode: "live",
		help: "Before each round, invalidate today's archives of the target's site (CoreAdminHome.invalidateArchivedReports, needs admin access), so every call re-archives: the cost of fresh reports. Without it Matomo answers today's reports from an archive up to time_before_today_archive_considered_outdated (900 s by default) old, so most rounds time cached reads that miss the latest visits. The only write the probe ever makes, and only with this on."},
		func(c *Config) *bool { return &c.Probe.Invalidate }),
}

// Stage is one stage of CAPACITY_STAGES: the rate is ramped linearly to VisitsPerDay over Duration.
type Stage struct {
	VisitsPerDay float64
	Duration     time.Duration
}

// ParseStages reads CAPACITY_STAGES ("rate:duration,..."); an empty text is no stage.
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		rate, dur, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("stage %d (%q) is not rate:duration", i+1, Shorten(part))
		}
		r, err := parseFloat(rate)
		if err != nil || r <= 0 || r > 1e9 {
			return nil, fmt.Errorf("stage %d (%q): the rate must be a number of visits/day above 0 and at most 1e9", i+1, Shorten(part))
		}
		d, err := parseDuration(dur)
		if err != nil || d < time.Second || d > 24*time.Hour {
			return nil, fmt.Errorf("stage %d (%q): the duration must be between 1s and 24h, such as 90s or 5m", i+1, Shorten(part))
		}
		out = append(out, Stage{VisitsPerDay: r, Duration: d})
	}
	return out, nil
}

// ProbePeriod is one period:date pair of PROBE_PERIODS.
type ProbePeriod struct{ Period, Date string }

var (
	readMethodRE = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*\.get([A-Z0-9][A-Za-z0-9]*)?$`)
	probeDateRE  = regexp.MustCompile(`^(today|yesterday|now|\d{4}-\d{2}-\d{2}|(last|previous)\d{1,4}|\d{4}-\d{2}-\d{2};\d{4}-\d{2}-\d{2})$`)
	probePeriods = []string{"day", "week", "month", "year", "range"}
)

// IsReadMethod reports whether method is a Reporting API read: Module.get or Module.getSomething.
// Matomo names every read so; writes are add, update, delete, set, invalidate… The probe calls
// nothing else.
func IsReadMethod(method string) bool { return readMethodRE.MatchString(method) }

// ProbeCalls returns PROBE_CALLS as a list, blanks dropped.
func (p Probe) ProbeCalls() []string {
	var out []string
	for _, m := range strings.Split(p.Calls, ",") {
		if m = strings.TrimSpace(m); m != "" {
			out = append(out, m)
		}
	}
	return out
}

// ProbePeriods returns PROBE_PERIODS as pairs; a range date's `;` becomes Matomo's `,`.
func (p Probe) ProbePeriods() []ProbePeriod {
	var out []ProbePeriod
	for _, part := range strings.Split(p.Periods, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		period, date, _ := strings.Cut(part, ":")
		out = append(out, ProbePeriod{Period: strings.TrimSpace(period), Date: strings.ReplaceAll(strings.TrimSpace(date), ";", ",")})
	}
	return out
}

// checkCapacity checks the capacity search and probe settings against each other and the run.
func (c *Config) checkCapacity() Problems {
	var ps Problems
	cp := c.Capacity
	if cp.Enabled() {
		if c.BackfillEnabled {
			ps = append(ps, Errorf("CAPACITY_SEARCH", cp.Search, "is a live mode; it cannot run with BACKFILL_ENABLED=true"))
		}
		if c.ShardCount > 1 {
			ps = append(ps, Errorf("CAPACITY_SEARCH", cp.Search, "needs one loader (SHARD_COUNT=1): each step's rate is decided from what this loader measured"))
		}
		if c.MaxVisitsPerDay > 0 {
			ps = append(ps, Warnf("MAX_VISITS_PER_DAY", fmt.Sprint(c.MaxVisitsPerDay), "holds the search's visits back once reached: the steps after it measure less than their rate"))
		}
		if n := len(c.EnabledTargets()); n > 1 && c.TargetMode != ModeMirror {
			ps = append(ps, Warnf("TARGET_MODE", c.TargetMode, "each of the %d targets gets its weight's share of every step, while the search's rates are the whole run's; use mirror to give every target the same visits and compare them", n))
		}
		if c.TrafficProfile != ProfileFlat {
			ps = append(ps, Warnf("TRAFFIC_PROFILE", c.TrafficProfile, "ignored: CAPACITY_SEARCH sets the rate step by step"))
		}
		if cp.Search != SearchStages && cp.Warmup >= cp.StepDuration {
			ps = append(ps, Errorf("CAPACITY_WARMUP", cp.Warmup.String(), "must be shorter than CAPACITY_STEP_DURATION (%s), or nothing of a step is measured", cp.StepDuration))
		}
		if cp.Search != SearchStages && cp.StartPerDay > cp.MaxPerDay {
			ps = append(ps, Errorf("CAPACITY_START_VISITS_PER_DAY", formatFloat(cp.StartPerDay), "must not exceed CAPACITY_MAX_VISITS_PER_DAY (%s)", formatFloat(cp.MaxPerDay)))
		}
		if cp.MaxP95ms == 0 && cp.MaxP99ms == 0 && cp.MaxErrors >= 1 && cp.MaxDropped >= 1 && cp.Max5xx >= 1 {
			ps = append(ps, Errorf("CAPACITY_SEARCH", cp.Search, "needs at least one threshold: every CAPACITY_MAX_* setting is off, so no rate could break"))
		}
		ps = append(ps, c.checkStages()...)
		ps = append(ps, c.checkCapacityFeasibility()...)
	} else if cp.Stages != "" {
		ps = append(ps, Warnf("CAPACITY_STAGES", cp.Stages, "ignored: CAPACITY_SEARCH is %s", cp.Search))
	}
	ps = append(ps, c.checkProbe()...)
	return ps
}

func (c *Config) checkStages() Problems {
	cp := c.Capacity
	stages, err := ParseStages(cp.Stages)
	switch {
	case err != nil:
		return Problems{Errorf("CAPACITY_STAGES", cp.Stages, "%v", err)}
	case cp.Search == SearchStages && len(stages) == 0:
		return Problems{Errorf("CAPACITY_STAGES", cp.Stages, "CAPACITY_SEARCH=stages needs at least one rate:duration stage, e.g. 100000:2m,1000000:5m")}
	case cp.Search != SearchStages && len(stages) > 0:
		return Problems{Warnf("CAPACITY_STAGES", cp.Stages, "ignored: CAPACITY_SEARCH is %s, not stages", cp.Search)}
	}
	var ps Problems
	for i, s := range stages {
		if s.Duration <= cp.Warmup {
			ps = append(ps, Errorf("CAPACITY_STAGES", cp.Stages, "stage %d lasts %s, not longer than CAPACITY_WARMUP (%s): nothing of it would be measured", i+1, s.Duration, cp.Warmup))
		}
	}
	return ps
}

// checkCapacityFeasibility warns when CONCURRENCY cannot carry the highest rate of the search,
// which would then break on dropped visits: the loader's limit, not Matomo's.
func (c *Config) checkCapacityFeasibility() Problems {
	top := c.Capacity.TopRate()
	meanPV := float64(c.PageviewsMin+c.PageviewsMax) / 2
	wall := meanPV * (c.PauseMin + c.PauseMax) / 2
	if need := top / 86400 * wall; need > float64(c.Concurrency) {
		return Problems{Warnf("CONCURRENCY", fmt.Sprint(c.Concurrency),
			"about %.0f visits would be in flight at the search's highest rate (%s visits/day) with these pauses: the loader, not Matomo, would limit the search there; raise CONCURRENCY or lower the pauses", need, formatFloat(top))}
	}
	return nil
}

func (c *Config) checkProbe() Problems {
	p := c.Probe
	var ps Problems
	calls := p.ProbeCalls()
	if p.Enabled && len(calls) == 0 {
		ps = append(ps, Errorf("PROBE_CALLS", p.Calls, "PROBE_ENABLED needs at least one call, e.g. %s", DefaultProbeCalls))
	}
	for _, m := range calls {
		if !IsReadMethod(m) {
			ps = append(ps, Errorf("PROBE_CALLS", m, "must be a Reporting API read method written Module.getSomething (or Module.get); the probe never writes"))
		}
	}
	periods := p.ProbePeriods()
	if p.Enabled && len(periods) == 0 {
		ps = append(ps, Errorf("PROBE_PERIODS", p.Periods, "PROBE_ENABLED needs at least one period:date pair, e.g. day:today"))
	}
	for _, pd := range periods {
		switch {
		case !contains(probePeriods, pd.Period):
			ps = append(ps, Errorf("PROBE_PERIODS", pd.Period+":"+pd.Date, "the period must be one of %s", strings.Join(probePeriods, ", ")))
		case !probeDateRE.MatchString(strings.ReplaceAll(pd.Date, ",", ";")):
			ps = append(ps, Errorf("PROBE_PERIODS", pd.Period+":"+pd.Date, "the date must be today, yesterday, YYYY-MM-DD, lastN, previousN or YYYY-MM-DD;YYYY-MM-DD"))
		case pd.Period == "range" && !strings.HasPrefix(pd.Date, "last") && !strings.HasPrefix(pd.Date, "previous") && !strings.Contains(pd.Date, ","):
			ps = append(ps, Errorf("PROBE_PERIODS", pd.Period+":"+pd.Date, "a range needs lastN, previousN or two dates YYYY-MM-DD;YYYY-MM-DD"))
		}
	}
	if p.Enabled && !c.BackfillEnabled {
		for i, t := range c.EnabledTargets() {
			if t.Token == "" && t.TokenFile == "" {
				field := "MATOMO_TOKEN_AUTH"
				if len(c.Targets) > 0 {
					field = fmt.Sprintf("MATOMO_TARGETS[%d].token_auth", i)
				}
				ps = append(ps, Warnf(field, "", "no token for target %q: the probe's Reporting API calls need one with view access, unless the site is public", t.Name))
			}
		}
	}
	if p.Enabled && c.BackfillEnabled {
		ps = append(ps, Warnf("PROBE_ENABLED", "true", "ignored: the probe times reports during live runs only"))
	}
	return ps
}
