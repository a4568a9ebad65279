package config

import (
	"strconv"
	"strings"
	"time"
)

// SchemaVersion is the version of the stored form of a Config (the map of env names to values).
// Stored configs carry it; Migrate brings older ones up to it.
const SchemaVersion = 1

// Target modes: how visits are spread over several targets.
const (
	// ModeWeighted sends each whole visit to one enabled target, chosen by weight.
	ModeWeighted = "weighted"
	// ModeMirror sends every visit, identical, to every enabled target (baseline-vs-optimised comparisons).
	ModeMirror = "mirror"
)

// Tracking transports.
const (
	TransportPOST = "post"
	TransportGET  = "get"
	TransportBulk = "bulk"
)

// Traffic profiles of live mode, backfill profiles and arrival processes.
const (
	ProfileFlat      = "flat"
	ProfileDiurnal   = "diurnal"
	ProfileRealistic = "realistic"

	ArrivalFixed       = "fixed"
	ArrivalExponential = "exponential"
)

// Weekly rhythm switches (WEEKLY_RHYTHM).
const (
	// WeeklyAuto applies the weekly rhythm with the day-shaped profiles (TRAFFIC_PROFILE=diurnal,
	// BACKFILL_PROFILE=realistic) and not with flat ones.
	WeeklyAuto = "auto"
	WeeklyOn   = "on"
	WeeklyOff  = "off"
)

// What a backfill does with visits whose landing the Live API cannot settle (BACKFILL_UNSETTLED).
const (
	UnsettledResend = "resend" // send them again; reported as maybe duplicated
	UnsettledSkip   = "skip"   // do not send them again; reported as maybe missing
)

// PlaceholderURL is the original tool's default MATOMO_URL. It is kept as the default so that env files
// read the same, but a config still pointing at it is rejected: nothing is ever sent to it.
const PlaceholderURL = "https://matomo.example.com/matomo.php"

// Target is one Matomo site that receives traffic. The legacy MATOMO_URL/MATOMO_SITE_ID/MATOMO_TOKEN_AUTH
// triple is one Target; MATOMO_TARGETS gives several.
type Target struct {
	Name    string `json:"name"`
	URL     string `json:"url"`
	SiteID  int    `json:"site_id"`
	Token   string `json:"token_auth,omitempty"`
	Weight  int    `json:"weight"`
	Enabled bool   `json:"enabled"`

	// TokenFile names a file holding Token instead (token_auth_file); see Config.ReadTokenFiles.
	TokenFile string `json:"token_auth_file,omitempty"`
}

// Config is the whole configuration of one loader. Field comments give the env var name; the limits,
// defaults and help text live in fields.go.
type Config struct {
	// Targets.
	MatomoURL     string   // MATOMO_URL
	SiteID        int      // MATOMO_SITE_ID
	TokenAuth     string   // MATOMO_TOKEN_AUTH
	TokenAuthFile string   // MATOMO_TOKEN_AUTH_FILE
	Targets       []Target // MATOMO_TARGETS
	TargetMode    string   // TARGET_MODE
	Transport     string   // TRACKING_TRANSPORT
	BulkSize      int      // BULK_BATCH_SIZE
	HTTPTimeout   time.Duration
	HTTPRetries   int
	TLSSkipVerify bool

	// Traffic.
	VisitsPerDay   float64 // TARGET_VISITS_PER_DAY
	TrafficProfile string
	InterArrival   string
	// WeeklyRhythm is WeeklyAuto, WeeklyOn or WeeklyOff (WEEKLY_RHYTHM).
	WeeklyRhythm string
	// WeeklyWeights are the seven factors Monday to Sunday (WEEKLY_WEIGHTS); empty: see WeekWeights.
	WeeklyWeights []float64
	// TrafficSpikes is TRAFFIC_SPIKES as written; Spikes parses it.
	TrafficSpikes    string
	Concurrency      int
	PageviewsMin     int
	PageviewsMax     int
	PauseMin         float64 // seconds
	PauseMax         float64
	VisitDurationMin float64 // minutes
	VisitDurationMax float64
	AutoStopHours    float64
	MaxTotalVisits   int64
	MaxVisitsPerDay  int64
	Timezone         string
	Seed             *int64
	ShutdownGrace    time.Duration

	// Visit mix.
	SiteSearchProb     float64
	OutlinksProb       float64
	DownloadsProb      float64
	ClickEventsProb    float64
	RandomEventsProb   float64
	DirectTrafficProb  float64
	ReturningProb      float64
	VisitorPoolSize    int
	JourneyProb        float64
	RandomizeCountries bool

	// Engagement.
	BounceProb   float64 // BOUNCE_PROBABILITY
	VisitLengths string  // VISIT_LENGTHS: a histogram (see ParseVisitLengths) or VisitLengthsUniform

	// Campaigns, goals and other signals.
	CampaignProb           float64 // CAMPAIGN_PROBABILITY
	CampaignLegacyProb     float64 // CAMPAIGN_LEGACY_PROBABILITY
	CampaignsFile          string  // CAMPAIGNS_FILE
	Goals                  string  // GOALS (see ParseGoals)
	GoalRate               float64 // GOAL_CONVERSION_PROBABILITY
	ContentImpressionProb  float64 // CONTENT_IMPRESSION_PROBABILITY
	ContentInteractionProb float64 // CONTENT_INTERACTION_PROBABILITY
	PerformanceProb        float64 // PAGE_PERFORMANCE_PROBABILITY
	UserIDProb             float64 // USER_ID_PROBABILITY
	CrossDeviceProb        float64 // CROSS_DEVICE_PROBABILITY
	DimensionsFile         string  // CUSTOM_DIMENSIONS_FILE
	BotProb                float64 // BOT_PROBABILITY

	// Ecommerce.
	EcommerceProb float64
	OrderValueMin float64
	OrderValueMax float64
	ItemsMin      int
	ItemsMax      int
	TaxRate       float64
	ShippingRates []float64
	Currency      string

	// Content files.
	URLsFile    string
	FunnelsFile string
	EventsFile  string
	// ScenarioFile is SCENARIO_FILE: audience segments composed of the settings above (pkg/scenario).
	ScenarioFile string

	// Backfill.
	BackfillEnabled   bool
	BackfillStartDate string
	BackfillEndDate   string
	BackfillDaysBack  *int
	BackfillDuration  *int
	BackfillPerDay    int64
	BackfillTotal     int64
	BackfillRPS       *float64
	// BackfillConcurrency caps bulk requests in flight per target; nil adapts up to 16.
	BackfillConcurrency *int
	// BackfillBulkTimeout bounds one bulk request.
	BackfillBulkTimeout time.Duration
	// BackfillSettleAfter is the quiet period before a bulk without reply is settled.
	BackfillSettleAfter time.Duration
	// BackfillUnsettled is UnsettledResend or UnsettledSkip.
	BackfillUnsettled  string
	BackfillSeed       *int64
	BackfillRunOnce    bool
	BackfillProfile    string
	BackfillWeekend    float64
	BackfillStateFile  string
	BackfillInvalidate bool

	// Start-up, logging, observability, scale-out.
	AutoStart          bool
	StartSignalFile    string
	StartCheckInterval float64
	LogLevel           string
	StatsInterval      time.Duration
	MetricsAddr        string
	ShardIndex         int
	ShardCount         int

	// Capacity search and report timing (capacity.go).
	Capacity Capacity
	Probe    Probe
}

// Default returns the configuration with every setting at its default.
func Default() Config {
	var c Config
	for _, f := range fields {
		if err := f.parse(&c, f.info.Default); err != nil {
			panic("config: bad default for " + f.info.Name + ": " + err.Error())
		}
	}
	return c
}

// ResolvedTargets returns the targets traffic goes to: MATOMO_TARGETS when given, else the one target
// made of the legacy MATOMO_URL/MATOMO_SITE_ID/MATOMO_TOKEN_AUTH triple. Disabled targets are included;
// see EnabledTargets.
func (c *Config) ResolvedTargets() []Target {
	if len(c.Targets) > 0 {
		return append([]Target(nil), c.Targets...)
	}
	return []Target{{Name: LegacyTargetName, URL: c.MatomoURL, SiteID: c.SiteID, Token: c.TokenAuth, TokenFile: c.TokenAuthFile,
		Weight: DefaultTargetWeight, Enabled: defaultTargetEnabled}}
}

// EnabledTargets returns the resolved targets that are enabled.
func (c *Config) EnabledTargets() []Target {
	var out []Target
	for _, t := range c.ResolvedTargets() {
		if t.Enabled {
			out = append(out, t)
		}
	}
	return out
}

// Location loads TIMEZONE. Validate reports a bad name; callers after validation may rely on it.
func (c *Config) Location() (*time.Location, error) {
	return loadLocation(c.Timezone)
}

// ShardPlaceholder in BACKFILL_STATE_FILE stands for the loader's SHARD_INDEX (see BackfillStatePath).
const ShardPlaceholder = "{shard}"

// BackfillStatePath is BACKFILL_STATE_FILE with every ShardPlaceholder replaced by SHARD_INDEX: the
// shards of one run sharing a volume (a Kubernetes ReadWriteMany claim, one directory) each keep
// their own state. A path without the placeholder is returned as it is.
func (c *Config) BackfillStatePath() string {
	return strings.ReplaceAll(c.BackfillStateFile, ShardPlaceholder, strconv.Itoa(c.ShardIndex))
}

// Redacted returns a copy with every token blanked, for anything that is shown or stored in the clear.
func (c Config) Redacted() Config {
	c.TokenAuth = ""
	if c.Targets != nil {
		ts := make([]Target, len(c.Targets))
		for i, t := range c.Targets {
			t.Token = ""
			ts[i] = t
		}
		c.Targets = ts
	}
	return c
}

// Equal reports whether two configs are the same setting by setting (their env forms are equal).
func Equal(a, b Config) bool {
	ea, eb := Encode(a), Encode(b)
	if len(ea) != len(eb) {
		return false
	}
	for i := range ea {
		if ea[i] != eb[i] {
			return false
		}
	}
	return true
}
