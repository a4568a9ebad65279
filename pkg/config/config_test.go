package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mapLookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func envToMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// The defaults are the original tool's (CET, SEK, 20000 visits/day, ...).
func TestDefaultsMatchOriginal(t *testing.T) {
	c := Default()
	checks := []struct {
		name      string
		got, want any
	}{
		{"TIMEZONE", c.Timezone, "CET"},
		{"ECOMMERCE_CURRENCY", c.Currency, "SEK"},
		{"TARGET_VISITS_PER_DAY", c.VisitsPerDay, 20000.0},
		{"PAGEVIEWS", [2]int{c.PageviewsMin, c.PageviewsMax}, [2]int{3, 6}},
		{"CONCURRENCY", c.Concurrency, 50},
		{"PAUSE", [2]float64{c.PauseMin, c.PauseMax}, [2]float64{0.5, 2.0}},
		{"VISIT_DURATION", [2]float64{c.VisitDurationMin, c.VisitDurationMax}, [2]float64{1, 8}},
		{"ECOMMERCE_SHIPPING_RATES", c.ShippingRates, []float64{0, 5.99, 9.99, 15.99}},
		{"BACKFILL_MAX_VISITS_PER_DAY", c.BackfillPerDay, int64(2000)},
		{"BACKFILL_MAX_VISITS_TOTAL", c.BackfillTotal, int64(200000)},
		{"TRACKING_TRANSPORT", c.Transport, "post"},
		{"BULK_BATCH_SIZE", c.BulkSize, 100},
		{"TARGET_MODE", c.TargetMode, "weighted"},
		{"SHARD_COUNT", c.ShardCount, 1},
		{"AUTO_START", c.AutoStart, true},
		{"SEED", c.Seed, (*int64)(nil)},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s default = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
}

// Decode(Encode(c)) == c, for a config that sets every kind of field, including several targets.
func TestRoundTripMultiTarget(t *testing.T) {
	seed := int64(-42)
	days, dur := 10, 3
	rps := 250.5
	c := Default()
	c.MatomoURL = PlaceholderURL
	c.Targets = []Target{
		{Name: "baseline", URL: "http://127.0.0.1:1/matomo.php", SiteID: 1, Token: "tok-a", Weight: 3, Enabled: true},
		{Name: "optimised", URL: "https://127.0.0.1:2/m/matomo.php", SiteID: 7, Token: "tok-b", Weight: 1, Enabled: false},
	}
	c.TargetMode = ModeMirror
	c.Seed = &seed
	c.BackfillDaysBack, c.BackfillDuration, c.BackfillRPS = &days, &dur, &rps
	c.HTTPTimeout = 1500 * time.Millisecond
	c.ShippingRates = []float64{0, 1.5}
	c.URLsFile = "/data/urls.txt"
	c.BackfillEnabled = true
	got, err := Decode(mapLookup(envToMap(Encode(c))))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, c)
	}
	// The JSON form round-trips too.
	got2, ps := FromMap(ToMap(c))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if !reflect.DeepEqual(got2, c) {
		t.Fatalf("map round trip:\n got %+v\nwant %+v", got2, c)
	}
}

// Every unparsable value is reported at once, naming the variable.
func TestDecodeReportsEveryParseError(t *testing.T) {
	env := map[string]string{
		"TARGET_VISITS_PER_DAY":       "lots",
		"CONCURRENCY":                 "1.5",
		"RANDOMIZE_VISITOR_COUNTRIES": "maybe",
		"MATOMO_TARGETS":              `[{"name":"a","url":"http://x","token_auth":"SECRET123","bogus":1}]`,
		"HTTP_TIMEOUT":                "soon",
		"PAGEVIEWS_MIN":               "4", // fine
	}
	c, err := Decode(mapLookup(env))
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("want Problems, got %v", err)
	}
	fieldsSeen := map[string]bool{}
	for _, p := range ps {
		fieldsSeen[p.Field] = true
	}
	for _, f := range []string{"TARGET_VISITS_PER_DAY", "CONCURRENCY", "RANDOMIZE_VISITOR_COUNTRIES", "MATOMO_TARGETS", "HTTP_TIMEOUT"} {
		if !fieldsSeen[f] {
			t.Errorf("no problem reported for %s; got %v", f, ps)
		}
	}
	if len(ps) != 5 {
		t.Errorf("want 5 problems, got %d: %v", len(ps), ps)
	}
	if strings.Contains(err.Error(), "SECRET123") {
		t.Errorf("token leaked into the error: %v", err)
	}
	if c.PageviewsMin != 4 || c.VisitsPerDay != 20000 {
		t.Errorf("good values must still decode and bad ones fall back to defaults: %+v", c)
	}
}

func validBase() Config {
	c := Default()
	c.MatomoURL = "http://127.0.0.1:8089/matomo.php"
	c.TokenAuth = "0123456789abcdef0123456789abcdef"
	return c
}

// A deliberately broken config lists every problem, each naming the variable, the value and the rule.
func TestValidateListsEveryProblem(t *testing.T) {
	env := map[string]string{
		"MATOMO_URL":             "ftp://nohost",
		"TARGET_VISITS_PER_DAY":  "0",
		"PAGEVIEWS_MIN":          "9",
		"PAGEVIEWS_MAX":          "3",
		"CONCURRENCY":            "200000",
		"SITESEARCH_PROBABILITY": "1.5",
		"TIMEZONE":               "Mars/Olympus",
		"ECOMMERCE_CURRENCY":     "kronor",
		"TARGET_MODE":            "roundrobin",
		"TRACKING_TRANSPORT":     "smoke",
		"SHARD_INDEX":            "3",
		"SHARD_COUNT":            "2",
	}
	c, err := Decode(mapLookup(env))
	if err != nil {
		t.Fatal(err)
	}
	ps := c.ValidateAt(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)).Errors()
	want := map[string]string{
		"MATOMO_URL":             "http:// or https://",
		"TARGET_VISITS_PER_DAY":  "between 0.001 and 100000000",
		"PAGEVIEWS_MIN":          "must not exceed PAGEVIEWS_MAX",
		"CONCURRENCY":            "between 1 and 100000",
		"SITESEARCH_PROBABILITY": "between 0 and 1",
		"TIMEZONE":               "unknown time zone",
		"ECOMMERCE_CURRENCY":     "ISO 4217",
		"TARGET_MODE":            "weighted, mirror",
		"TRACKING_TRANSPORT":     "post, get, bulk",
		"SHARD_INDEX":            "below SHARD_COUNT",
	}
	got := map[string]Problem{}
	for _, p := range ps {
		got[p.Field] = p
	}
	for f, rule := range want {
		p, ok := got[f]
		if !ok {
			t.Errorf("%s: no problem reported", f)
			continue
		}
		if !strings.Contains(p.Message, rule) || p.Value == "" && f != "MATOMO_URL" {
			t.Errorf("%s: problem %q should mention %q and the value", f, p.String(), rule)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("want %d errors, got %d:\n%v", len(want), len(ps), ps)
	}
}

func TestValidateTargets(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		mutate  func(c *Config)
		field   string // expected error field; "" = valid
		message string
	}{
		// The legacy triple alone is one target.
		{"legacy ok", func(c *Config) {}, "", ""},
		// The placeholder default is refused: nothing is sent to matomo.example.com.
		{"placeholder", func(c *Config) { c.MatomoURL = PlaceholderURL }, "MATOMO_URL", "placeholder"},
		// Both forms at once are an error.
		{"both forms", func(c *Config) {
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 1, Enabled: true}}
		}, "MATOMO_TARGETS", "not both"},
		// Several targets with their own tokens.
		{"targets ok", func(c *Config) {
			c.MatomoURL, c.TokenAuth = PlaceholderURL, ""
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Token: "x", Weight: 1, Enabled: true},
				{Name: "b", URL: "http://127.0.0.2/matomo.php", SiteID: 2, Token: "y", Weight: 5, Enabled: true}}
		}, "", ""},
		// Duplicate names.
		{"duplicate names", func(c *Config) {
			c.MatomoURL, c.TokenAuth = PlaceholderURL, ""
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 1, Enabled: true},
				{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 1, Enabled: true}}
		}, "MATOMO_TARGETS[1].name", "unique"},
		// None enabled.
		{"none enabled", func(c *Config) {
			c.MatomoURL, c.TokenAuth = PlaceholderURL, ""
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 1}}
		}, "MATOMO_TARGETS", "at least one"},
		// Weight out of range.
		{"weight", func(c *Config) {
			c.MatomoURL, c.TokenAuth = PlaceholderURL, ""
			c.Targets = []Target{{Name: "a", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 0, Enabled: true}}
		}, "MATOMO_TARGETS[0].weight", "between 1 and 100"},
		// Backfill without a token says why.
		{"backfill no token", func(c *Config) {
			c.TokenAuth = ""
			c.BackfillEnabled, c.BackfillStartDate, c.BackfillEndDate = true, "2026-04-01", "2026-04-03"
		}, "MATOMO_TOKEN_AUTH", "24 hours"},
		// Mirror mode to the same site of the same Matomo twice would count every visit twice.
		{"mirror twins", mirrorTargets(ModeMirror, "http://127.0.0.1/matomo.php", 1, "HTTP://127.0.0.1:80/matomo.php", 1, true),
			"MATOMO_TARGETS[1].site_id", "twice to site 1"},
		// Other sites of one Matomo are what mirror mode is for.
		{"mirror two sites", mirrorTargets(ModeMirror, "http://127.0.0.1/matomo.php", 1, "http://127.0.0.1/matomo.php", 2, true), "", ""},
		// A disabled twin sends nothing.
		{"mirror disabled twin", mirrorTargets(ModeMirror, "http://127.0.0.1/matomo.php", 1, "http://127.0.0.1/matomo.php", 1, false), "", ""},
		// Weighted mode sends each visit to one of them: listing a site twice is harmless.
		{"weighted twins", mirrorTargets(ModeWeighted, "http://127.0.0.1/matomo.php", 1, "http://127.0.0.1/matomo.php", 1, true), "", ""},
		// A target name must not hold control or bidi-override characters.
		{"target name", func(c *Config) {
			c.MatomoURL, c.TokenAuth = PlaceholderURL, ""
			c.Targets = []Target{{Name: "a\u202eb", URL: "http://127.0.0.1/matomo.php", SiteID: 1, Weight: 1, Enabled: true}}
		}, "MATOMO_TARGETS[0].name", "bidirectional override"},
		// Credentials in the URL are refused and not echoed.
		{"userinfo", func(c *Config) { c.MatomoURL = "https://bob:hunter2@127.0.0.1/matomo.php" }, "MATOMO_URL", "user:password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validBase()
			tt.mutate(&c)
			ps := c.ValidateAt(now).Errors()
			if tt.field == "" {
				if len(ps) > 0 {
					t.Fatalf("want valid, got %v", ps)
				}
				return
			}
			for _, p := range ps {
				if p.Field == tt.field && strings.Contains(p.Message, tt.message) {
					if strings.Contains(p.String(), "hunter2") {
						t.Errorf("password leaked: %s", p)
					}
					return
				}
			}
			t.Fatalf("want %s error mentioning %q, got %v", tt.field, tt.message, ps)
		})
	}
}

// mirrorTargets sets two targets in mode; the second is enabled as given.
func mirrorTargets(mode, url1 string, site1 int, url2 string, site2 int, enabled2 bool) func(c *Config) {
	return func(c *Config) {
		c.MatomoURL, c.TokenAuth, c.TargetMode = PlaceholderURL, "", mode
		c.Targets = []Target{{Name: "a", URL: url1, SiteID: site1, Weight: 1, Enabled: true},
			{Name: "b", URL: url2, SiteID: site2, Weight: 1, Enabled: enabled2}}
	}
}

// Country randomisation without a token is a warning, not an error.
func TestCountriesWithoutTokenWarns(t *testing.T) {
	c := validBase()
	c.TokenAuth = ""
	ps := c.ValidateAt(time.Now())
	if ps.Err() != nil {
		t.Fatalf("unexpected errors: %v", ps.Errors())
	}
	if len(ps.Warnings()) == 0 || !strings.Contains(ps.Warnings()[0].Message, "language") {
		t.Fatalf("want a warning about countries from language, got %v", ps)
	}
}

// The API form accepts typed values and strings that parse, and reports every problem at once.
func TestFromMap(t *testing.T) {
	c, ps := FromMap(map[string]any{
		"MATOMO_URL":                  "http://127.0.0.1/matomo.php",
		"TARGET_VISITS_PER_DAY":       5000.0,
		"CONCURRENCY":                 "25",
		"RANDOMIZE_VISITOR_COUNTRIES": false,
		"HTTP_TIMEOUT":                2.5,
		"MATOMO_TARGETS":              nil,
	})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if c.VisitsPerDay != 5000 || c.Concurrency != 25 || c.RandomizeCountries || c.HTTPTimeout != 2500*time.Millisecond {
		t.Fatalf("typed decode wrong: %+v", c)
	}
	_, ps = FromMap(map[string]any{
		"matomo_url":            "http://x",
		"CONCURRENCY":           true,
		"PAGEVIEWS_MIN":         2.5,
		"TARGET_VISITS_PER_DAY": "many",
		"MATOMO_TOKEN_AUTH":     12345,
	})
	fields := map[string]string{}
	for _, p := range ps {
		fields[p.Field] = p.Message
	}
	if !strings.Contains(fields["matomo_url"], "did you mean MATOMO_URL") {
		t.Errorf("snake_case key should suggest the env name: %v", ps)
	}
	for _, f := range []string{"CONCURRENCY", "PAGEVIEWS_MIN", "TARGET_VISITS_PER_DAY"} {
		if fields[f] == "" {
			t.Errorf("no problem for %s: %v", f, ps)
		}
	}
}

func TestMigrateLegacyPreset(t *testing.T) {
	m, err := Migrate(0, map[string]any{"matomo_url": "http://127.0.0.1/matomo.php", "target_visits_per_day": 100.0, "ui_only": true})
	if err != nil {
		t.Fatal(err)
	}
	c, ps := FromMap(m)
	if len(ps) > 0 || c.MatomoURL != "http://127.0.0.1/matomo.php" || c.VisitsPerDay != 100 {
		t.Fatalf("migrated config wrong: %+v %v", c, ps)
	}
	if _, err := Migrate(SchemaVersion+1, nil); err == nil {
		t.Fatal("a newer schema version must be refused")
	}
}

// docs/configuration.md must be what `make docs` generates now, and cover every variable.
func TestConfigurationDocIsCurrent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != Markdown() {
		t.Fatal("docs/configuration.md is stale: run 'make docs'")
	}
	for _, f := range Fields() {
		if !strings.Contains(string(b), "`"+f.Name+"`") {
			t.Errorf("%s missing from docs", f.Name)
		}
		if f.Label == "" || f.Help == "" || f.Group == "" {
			t.Errorf("%s lacks label, help or group", f.Name)
		}
	}
}

// Redacted blanks every token.
func TestRedacted(t *testing.T) {
	c := validBase()
	c.Targets = []Target{{Name: "a", Token: "secret-a"}}
	r := c.Redacted()
	for _, kv := range Encode(r) {
		if strings.Contains(kv, "secret-a") || strings.Contains(kv, c.TokenAuth) {
			t.Fatalf("token left in %s", kv)
		}
	}
	if c.Targets[0].Token != "secret-a" {
		t.Fatal("Redacted modified the original")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("TARGET_VISITS_PER_DAY", "100")
	f.Add("MATOMO_TARGETS", `[{"name":"a","url":"http://127.0.0.1","site_id":1}]`)
	f.Add("HTTP_TIMEOUT", "1m")
	f.Add("ECOMMERCE_SHIPPING_RATES", "1,,2,x")
	f.Add("BACKFILL_DAYS_BACK", "-1")
	f.Add("SEED", "9223372036854775807")
	f.Fuzz(func(t *testing.T, name, value string) {
		c, err := Decode(mapLookup(map[string]string{name: value}))
		_ = c.ValidateAt(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return
		}
		back, err := Decode(mapLookup(envToMap(Encode(c))))
		if err != nil {
			t.Fatalf("re-decoding the encoded config failed: %v", err)
		}
		if !Equal(back, c) {
			t.Fatalf("round trip changed %s=%q", name, value)
		}
	})
}
