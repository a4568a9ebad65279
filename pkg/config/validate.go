package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Validate checks c as of now and returns every problem at once: errors (the config must not run) and
// warnings (it runs, but the user should know). Problems.Err() is nil when there are no errors.
func (c *Config) Validate() Problems { return c.ValidateAt(time.Now()) }

// ValidateAt is Validate with an explicit "now", for the backfill rule "no future day".
func (c *Config) ValidateAt(now time.Time) Problems {
	var ps Problems
	ps = append(ps, c.checkRanges()...)
	ps = append(ps, c.checkPairs()...)
	ps = append(ps, c.checkTargets()...)
	ps = append(ps, c.checkMisc()...)
	ps = append(ps, c.checkShapes()...)
	ps = append(ps, c.checkEngagement()...)
	if c.BackfillEnabled {
		_, wp := c.BackfillWindow(now)
		ps = append(ps, wp...)
	}
	ps = append(ps, c.checkTokens()...)
	ps = append(ps, c.checkFeasibility()...)
	ps = append(ps, c.checkCapacity()...)
	return ps
}

// checkRanges applies every field's Min/Max and enum from the schema.
func (c *Config) checkRanges() Problems {
	var ps Problems
	for i := range fields {
		f := &fields[i]
		v := f.value(c)
		if v == nil {
			continue
		}
		if len(f.info.Enum) > 0 {
			s, _ := v.(string)
			if !contains(f.info.Enum, s) {
				ps = append(ps, Errorf(f.info.Name, s, "must be one of %s", strings.Join(f.info.Enum, ", ")))
			}
			continue
		}
		x, ok := asFloat(v, f)
		if !ok {
			continue
		}
		if (f.info.Min != nil && x < *f.info.Min) || (f.info.Max != nil && x > *f.info.Max) {
			s, _ := f.format(c)
			ps = append(ps, Errorf(f.info.Name, s, "must be %s%s", limitsText(f.info), unitSuffix(f.info)))
		}
	}
	return ps
}

func asFloat(v any, f *field) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case string:
		if f.info.Type == TypeDuration {
			d, err := parseDuration(x)
			return d.Seconds(), err == nil
		}
	}
	return 0, false
}

func limitsText(info FieldInfo) string {
	switch {
	case info.Min != nil && info.Max != nil:
		return "between " + formatFloat(*info.Min) + " and " + formatFloat(*info.Max)
	case info.Min != nil:
		return "at least " + formatFloat(*info.Min)
	case info.Max != nil:
		return "at most " + formatFloat(*info.Max)
	}
	return ""
}

func unitSuffix(info FieldInfo) string {
	switch {
	case info.Type == TypeDuration:
		return " seconds"
	case info.Unit != "" && info.Unit != "probability" && info.Unit != "fraction" && info.Unit != "currency":
		return " " + info.Unit
	}
	return ""
}

// checkPairs checks every min ≤ max pair.
func (c *Config) checkPairs() Problems {
	type pair struct {
		lo, hi   string
		low, hig float64
	}
	pairs := []pair{
		{"PAGEVIEWS_MIN", "PAGEVIEWS_MAX", float64(c.PageviewsMin), float64(c.PageviewsMax)},
		{"PAUSE_BETWEEN_PVS_MIN", "PAUSE_BETWEEN_PVS_MAX", c.PauseMin, c.PauseMax},
		{"VISIT_DURATION_MIN", "VISIT_DURATION_MAX", c.VisitDurationMin, c.VisitDurationMax},
		{"ECOMMERCE_ORDER_VALUE_MIN", "ECOMMERCE_ORDER_VALUE_MAX", c.OrderValueMin, c.OrderValueMax},
		{"ECOMMERCE_ITEMS_MIN", "ECOMMERCE_ITEMS_MAX", float64(c.ItemsMin), float64(c.ItemsMax)},
	}
	var ps Problems
	for _, p := range pairs {
		if p.low > p.hig {
			ps = append(ps, Errorf(p.lo, formatFloat(p.low), "must not exceed %s (%s)", p.hi, formatFloat(p.hig)))
		}
	}
	return ps
}

// checkTargets checks the legacy triple or MATOMO_TARGETS, and that both are not given.
func (c *Config) checkTargets() Problems {
	var ps Problems
	if len(c.Targets) == 0 {
		ps = append(ps, checkURL("MATOMO_URL", c.MatomoURL)...)
		return ps
	}
	var legacy []string
	if c.MatomoURL != "" && c.MatomoURL != PlaceholderURL {
		legacy = append(legacy, "MATOMO_URL")
	}
	if c.TokenAuth != "" {
		legacy = append(legacy, "MATOMO_TOKEN_AUTH")
	}
	if c.TokenAuthFile != "" {
		legacy = append(legacy, "MATOMO_TOKEN_AUTH_FILE")
	}
	if c.SiteID != 1 {
		legacy = append(legacy, "MATOMO_SITE_ID")
	}
	if len(legacy) > 0 {
		ps = append(ps, Errorf("MATOMO_TARGETS", redactTargets(c.Targets),
			"give either MATOMO_TARGETS or %s, not both (put every target, with its own token, in MATOMO_TARGETS)", strings.Join(legacy, "/")))
	}
	names := map[string]bool{}
	enabled := 0
	for i, t := range c.Targets {
		key := fmt.Sprintf("MATOMO_TARGETS[%d]", i)
		if !nameOK(t.Name) {
			ps = append(ps, Errorf(key+".name", t.Name, "must be 1 to %d characters", MaxNameChars))
		} else if err := CheckName(t.Name); err != nil {
			ps = append(ps, Errorf(key+".name", t.Name, "%v", err))
		} else if names[t.Name] {
			ps = append(ps, Errorf(key+".name", t.Name, "is used by another target; names must be unique"))
		}
		names[t.Name] = true
		ps = append(ps, checkURL(key+".url", t.URL)...)
		if t.SiteID < minSiteID {
			ps = append(ps, Errorf(key+".site_id", fmt.Sprint(t.SiteID), "must be a site ID of %d or more", minSiteID))
		}
		if t.Weight < MinTargetWeight || t.Weight > MaxTargetWeight {
			ps = append(ps, Errorf(key+".weight", fmt.Sprint(t.Weight), "must be between %d and %d", MinTargetWeight, MaxTargetWeight))
		}
		if t.Enabled {
			enabled++
		}
	}
	if enabled == 0 {
		ps = append(ps, Errorf("MATOMO_TARGETS", redactTargets(c.Targets), "at least one target must be enabled"))
	}
	if c.TargetMode == ModeMirror {
		ps = append(ps, c.checkMirrorTwins()...)
	}
	return ps
}

// checkMirrorTwins refuses two enabled targets that are the same site of the same Matomo in mirror
// mode: every visit would be sent to it twice, with the same visitor and times, so Matomo would count
// each visit's actions twice. Nothing needs that; a higher TARGET_VISITS_PER_DAY gives more traffic,
// and weighted mode may list a site twice (with two tokens, say), as each visit goes to one target.
func (c *Config) checkMirrorTwins() Problems {
	var ps Problems
	seen := map[string]int{}
	for i, t := range c.Targets {
		if !t.Enabled {
			continue
		}
		key := fmt.Sprintf("%s#%d", sameMatomo(t.URL), t.SiteID)
		first, dup := seen[key]
		if !dup {
			seen[key] = i
			continue
		}
		ps = append(ps, Errorf(fmt.Sprintf("MATOMO_TARGETS[%d].site_id", i), fmt.Sprint(t.SiteID),
			"mirror mode would send every visit twice to site %d of %s: target %q (MATOMO_TARGETS[%d]) already sends to it; "+
				"use another site, disable one of the two, or TARGET_MODE=weighted", t.SiteID, Shorten(sameMatomo(t.URL)), c.Targets[first].Name, first))
	}
	return ps
}

// sameMatomo is a tracking URL in a form where two spellings of one endpoint compare equal: scheme
// and host in lower case, without the scheme's default port.
func sameMatomo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	scheme := strings.ToLower(u.Scheme)
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		host = "[" + host + "]"
	}
	return scheme + "://" + host + u.EscapedPath()
}

func checkURL(name, raw string) Problems {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return Problems{Errorf(name, raw, "required: the tracking URL of your Matomo, e.g. https://analytics.example.org/matomo.php")}
	case raw == PlaceholderURL:
		return Problems{Errorf(name, raw, "is the placeholder; set the tracking URL of your Matomo")}
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return Problems{Errorf(name, raw, "must be an http:// or https:// URL with a host")}
	case u.User != nil:
		return Problems{Errorf(name, redactUserinfo(u), "must not contain user:password; use MATOMO_TOKEN_AUTH")}
	}
	return nil
}

func redactUserinfo(u *url.URL) string {
	c := *u
	c.User = url.User("***")
	return c.String()
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// checkMisc covers the rules that are not plain ranges.
func (c *Config) checkMisc() Problems {
	var ps Problems
	if _, err := c.Location(); err != nil {
		ps = append(ps, Errorf("TIMEZONE", c.Timezone, "unknown time zone; use an IANA name such as Europe/Stockholm"))
	}
	if !currencyRE.MatchString(c.Currency) {
		ps = append(ps, Errorf("ECOMMERCE_CURRENCY", c.Currency, "must be an ISO 4217 code: three capital letters such as SEK"))
	}
	if len(c.ShippingRates) == 0 {
		ps = append(ps, Errorf("ECOMMERCE_SHIPPING_RATES", "", "needs at least one shipping cost (use 0 for free shipping)"))
	}
	for _, r := range c.ShippingRates {
		if r < 0 || r >= c.OrderValueMax {
			ps = append(ps, Errorf("ECOMMERCE_SHIPPING_RATES", formatFloat(r), "each cost must be at least 0 and below ECOMMERCE_ORDER_VALUE_MAX (%s)", formatFloat(c.OrderValueMax)))
		}
	}
	if c.ShardIndex >= c.ShardCount {
		ps = append(ps, Errorf("SHARD_INDEX", fmt.Sprint(c.ShardIndex), "must be below SHARD_COUNT (%d)", c.ShardCount))
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			ps = append(ps, Errorf("METRICS_ADDR", c.MetricsAddr, "must be host:port or :port, e.g. :9090"))
		}
	}
	if c.BackfillStartDate != "" && !c.BackfillEnabled {
		ps = append(ps, Warnf("BACKFILL_START_DATE", c.BackfillStartDate, "ignored: BACKFILL_ENABLED is false"))
	}
	return ps
}

// checkTokens applies Matomo's token rules: backfill needs one for every target (cdt older than 24 h),
// countries by IP need one (cip), and GET cannot carry one.
func (c *Config) checkTokens() Problems {
	var ps Problems
	ps = append(ps, c.checkTokenFiles()...)
	for i, t := range c.EnabledTargets() {
		field := "MATOMO_TOKEN_AUTH"
		if len(c.Targets) > 0 {
			field = fmt.Sprintf("MATOMO_TARGETS[%d].token_auth", i)
		}
		hasToken := t.Token != "" || t.TokenFile != "" // a file is read by the loader (ReadTokenFiles)
		if !hasToken && c.BackfillEnabled {
			ps = append(ps, Errorf(field, "", "backfill needs a token: Matomo rejects hits dated more than 24 hours ago (cdt) without the token_auth of a user with write access to site %d", t.SiteID))
		}
		if !hasToken && c.RandomizeCountries && !c.BackfillEnabled {
			ps = append(ps, Warnf(field, "", "no token for target %q: visitor IPs (cip) need one, so countries come from the browser language instead", t.Name))
		}
		if hasToken && c.Transport == TransportGET && !c.BackfillEnabled {
			ps = append(ps, Warnf("TRACKING_TRANSPORT", c.Transport, "GET puts every parameter in the URL, so the token is not sent: no visitor IPs; use post or bulk"))
		}
	}
	return ps
}

// checkFeasibility warns when CONCURRENCY cannot carry TARGET_VISITS_PER_DAY: each live visit is in
// flight for about (pageviews − 1) × mean pause, so the rate needs rate × that many slots.
func (c *Config) checkFeasibility() Problems {
	if c.BackfillEnabled || c.VisitsPerDay <= 0 || c.Capacity.Enabled() {
		return nil
	}
	meanPV := float64(c.PageviewsMin+c.PageviewsMax) / 2
	wall := meanPV * (c.PauseMin + c.PauseMax) / 2 // pauses between hits plus before the closing ping
	need := c.VisitsPerDay / 86400 / float64(c.ShardCount) * wall
	if need > float64(c.Concurrency) {
		return Problems{Warnf("CONCURRENCY", fmt.Sprint(c.Concurrency),
			"about %.0f visits will be in flight at %s visits/day with these pauses; raise CONCURRENCY or many visits will be dropped", need, formatFloat(c.VisitsPerDay))}
	}
	return nil
}

func redactTargets(ts []Target) string {
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	return strings.Join(names, ",")
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
