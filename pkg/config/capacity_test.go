package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// The capacity and probe settings are validated with the rest: each wrong value is named with
// its field and rule, and a valid search passes.
func TestValidateCapacity(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		mutate   func(c *Config)
		field    string // expected problem field; "" = no error
		message  string
		severity Severity
	}{
		// The defaults with a step search are a valid run.
		{"step ok", func(c *Config) { c.Capacity.Search = SearchStep }, "", "", ""},
		// A binary search with a p99 limit only.
		{"binary ok", func(c *Config) {
			c.Capacity.Search, c.Capacity.MaxP95ms, c.Capacity.MaxP99ms = SearchBinary, 0, 500
		}, "", "", ""},
		// Stages need stages.
		{"stages missing", func(c *Config) { c.Capacity.Search = SearchStages }, "CAPACITY_STAGES", "at least one", SeverityError},
		// A stage that is not rate:duration.
		{"stage malformed", func(c *Config) {
			c.Capacity.Search, c.Capacity.Stages = SearchStages, "100000:2m,500000"
		}, "CAPACITY_STAGES", "stage 2", SeverityError},
		// A stage rate of 0 is refused.
		{"stage zero rate", func(c *Config) {
			c.Capacity.Search, c.Capacity.Stages = SearchStages, "0:2m"
		}, "CAPACITY_STAGES", "above 0", SeverityError},
		// A stage no longer than the warm-up would measure nothing.
		{"stage shorter than warm-up", func(c *Config) {
			c.Capacity.Search, c.Capacity.Stages = SearchStages, "100000:2m,200000:5s"
		}, "CAPACITY_STAGES", "stage 2 lasts 5s", SeverityError},
		// Valid stages.
		{"stages ok", func(c *Config) {
			c.Capacity.Search, c.Capacity.Stages = SearchStages, "100000:2m, 1e6:5m ,1e6:5m"
		}, "", "", ""},
		// The warm-up must leave something of a step.
		{"warm-up too long", func(c *Config) {
			c.Capacity.Search, c.Capacity.Warmup = SearchStep, time.Minute
		}, "CAPACITY_WARMUP", "shorter than CAPACITY_STEP_DURATION", SeverityError},
		// The first step above the highest.
		{"start above max", func(c *Config) {
			c.Capacity.Search, c.Capacity.StartPerDay, c.Capacity.MaxPerDay = SearchStep, 2e6, 1e6
		}, "CAPACITY_START_VISITS_PER_DAY", "must not exceed", SeverityError},
		// Every threshold off: nothing could break.
		{"no threshold", func(c *Config) {
			c.Capacity = Capacity{Search: SearchStep, StartPerDay: 1, Factor: 2, MaxPerDay: 10, StepDuration: time.Minute,
				Precision: 1.1, MaxSteps: 5, MaxErrors: 1, MaxDropped: 1, Max5xx: 1}
		}, "CAPACITY_SEARCH", "at least one threshold", SeverityError},
		// Backfill and capacity search exclude each other.
		{"with backfill", func(c *Config) {
			c.Capacity.Search = SearchStep
			c.BackfillEnabled, c.BackfillStartDate, c.BackfillEndDate = true, "2026-04-01", "2026-04-03"
		}, "CAPACITY_SEARCH", "BACKFILL_ENABLED", SeverityError},
		// A sharded run cannot search: each loader would decide alone.
		{"sharded", func(c *Config) { c.Capacity.Search, c.ShardCount = SearchStep, 2 }, "CAPACITY_SEARCH", "SHARD_COUNT=1", SeverityError},
		// A factor of 1 never raises the rate.
		{"factor 1", func(c *Config) { c.Capacity.Search, c.Capacity.Factor = SearchStep, 1 }, "CAPACITY_STEP_FACTOR", "between 1.01 and 10", SeverityError},
		// A share above 1 is not a share.
		{"share above 1", func(c *Config) { c.Capacity.MaxErrors = 1.5 }, "CAPACITY_MAX_ERROR_SHARE", "between 0 and 1", SeverityError},
		// The diurnal profile is ignored, with a warning.
		{"diurnal", func(c *Config) { c.Capacity.Search, c.TrafficProfile = SearchStep, ProfileDiurnal }, "TRAFFIC_PROFILE", "ignored", SeverityWarning},
		// The highest rate needs more slots than CONCURRENCY gives.
		{"concurrency", func(c *Config) { c.Capacity.Search, c.Concurrency = SearchStep, 10 }, "CONCURRENCY", "the loader, not Matomo", SeverityWarning},
		// Weighted targets share each step's rate.
		{"weighted", func(c *Config) {
			c.Capacity.Search = SearchStep
			mirrorTargets(ModeWeighted, "http://127.0.0.1/matomo.php", 1, "http://127.0.0.1/matomo.php", 2, true)(c)
		}, "TARGET_MODE", "weight's share", SeverityWarning},
		// A daily cap holds the search back.
		{"daily cap", func(c *Config) { c.Capacity.Search, c.MaxVisitsPerDay = SearchStep, 1000 }, "MAX_VISITS_PER_DAY", "holds the search", SeverityWarning},
		// The probe refuses a write method.
		{"probe write", func(c *Config) {
			c.Probe.Enabled, c.Probe.Calls = true, "VisitsSummary.get,SitesManager.addSite"
		}, "PROBE_CALLS", "never writes", SeverityError},
		// invalidateArchivedReports is a write, PROBE_INVALIDATE is its only way in.
		{"probe invalidate as call", func(c *Config) {
			c.Probe.Calls = "CoreAdminHome.invalidateArchivedReports"
		}, "PROBE_CALLS", "read method", SeverityError},
		// "getaway" would pass a plain prefix test; Module.getSomething is the rule.
		{"probe get prefix only", func(c *Config) { c.Probe.Calls = "Foo.getaway" }, "PROBE_CALLS", "read method", SeverityError},
		// Enabled with no call.
		{"probe no calls", func(c *Config) { c.Probe.Enabled, c.Probe.Calls = true, " , " }, "PROBE_CALLS", "at least one", SeverityError},
		// An unknown period.
		{"probe period", func(c *Config) { c.Probe.Periods = "day:today,hour:today" }, "PROBE_PERIODS", "one of day", SeverityError},
		// A bad date.
		{"probe date", func(c *Config) { c.Probe.Periods = "day:tomorrow" }, "PROBE_PERIODS", "the date must be", SeverityError},
		// A range of one date.
		{"probe range", func(c *Config) { c.Probe.Periods = "range:today" }, "PROBE_PERIODS", "a range needs", SeverityError},
		// The probe needs a token to read reports.
		{"probe without token", func(c *Config) { c.Probe.Enabled, c.TokenAuth = true, "" }, "MATOMO_TOKEN_AUTH", "view access", SeverityWarning},
		// The defaults of the probe are valid.
		{"probe ok", func(c *Config) {
			c.Probe.Enabled, c.Probe.Periods = true, "day:today,range:last7,range:2026-04-01;2026-04-30,month:2026-04-01"
		}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validBase()
			tt.mutate(&c)
			ps := c.ValidateAt(now)
			if tt.field == "" {
				if errs := ps.Errors(); len(errs) > 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			for _, p := range ps {
				if p.Field == tt.field && strings.Contains(p.Message, tt.message) && (p.Severity == tt.severity) {
					return
				}
			}
			t.Fatalf("want %s %s mentioning %q, got %v", tt.severity, tt.field, tt.message, ps)
		})
	}
}

// The capacity and probe settings survive the env round trip.
func TestCapacityRoundTrip(t *testing.T) {
	c := validBase()
	c.Capacity = Capacity{Search: SearchStages, StartPerDay: 5000, Factor: 2, Increment: 1000, MaxPerDay: 1e7,
		StepDuration: 90 * time.Second, Warmup: 5 * time.Second, Stages: "1000:1m,2000:2m", Precision: 1.05, MaxSteps: 12,
		MaxP95ms: 250, MaxP99ms: 900, MaxErrors: 0.02, MaxDropped: 0.5, Max5xx: 0.001}
	c.Probe = Probe{Enabled: true, Calls: "VisitsSummary.get", Periods: "day:today", Interval: 30 * time.Second,
		AfterRounds: 3, Timeout: time.Minute, Invalidate: true}
	got, err := Decode(mapLookup(envToMap(Encode(c))))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Capacity, c.Capacity) || !reflect.DeepEqual(got.Probe, c.Probe) {
		t.Fatalf("round trip:\n got %+v %+v\nwant %+v %+v", got.Capacity, got.Probe, c.Capacity, c.Probe)
	}
}

func TestTopRate(t *testing.T) {
	c := Default().Capacity
	if c.TopRate() != 0 {
		t.Error("a search that is off has a top rate")
	}
	c.Search = SearchBinary
	if c.TopRate() != 20_000_000 {
		t.Errorf("binary top %v", c.TopRate())
	}
	c.Search, c.Stages = SearchStages, "100:1m,900:1m,300:1m"
	if c.TopRate() != 900 {
		t.Errorf("stages top %v", c.TopRate())
	}
}

func TestParseStagesAndPeriods(t *testing.T) {
	st, err := ParseStages(" 100000:2m,1e6:90 ")
	want := []Stage{{100000, 2 * time.Minute}, {1e6, 90 * time.Second}}
	if err != nil || !reflect.DeepEqual(st, want) {
		t.Fatalf("ParseStages = %v, %v; want %v", st, err, want)
	}
	p := Probe{Calls: " A.get ,, B.getX", Periods: "day:today, range:2026-01-01;2026-01-31"}
	if got := p.ProbeCalls(); !reflect.DeepEqual(got, []string{"A.get", "B.getX"}) {
		t.Errorf("ProbeCalls = %q", got)
	}
	if got := p.ProbePeriods(); !reflect.DeepEqual(got, []ProbePeriod{{"day", "today"}, {"range", "2026-01-01,2026-01-31"}}) {
		t.Errorf("ProbePeriods = %q", got)
	}
	for m, want := range map[string]bool{"VisitsSummary.get": true, "Live.getLastVisitsDetails": true, "API.getMatomoVersion": true,
		"CoreAdminHome.invalidateArchivedReports": false, "SitesManager.addSite": false, "UsersManager.setUserAccess": false,
		"Foo.getaway": false, "get": false, "VisitsSummary.get&method=SitesManager.addSite": false} {
		if IsReadMethod(m) != want {
			t.Errorf("IsReadMethod(%q) = %v, want %v", m, !want, want)
		}
	}
}
