package config

import "time"

// Groups of settings, in form order.
const (
	GroupTargets   = "Targets"
	GroupTraffic   = "Traffic"
	GroupMix       = "Visit mix"
	GroupEngage    = "Engagement"
	GroupCampaigns = "Campaigns, goals and signals"
	GroupEcommerce = "Ecommerce"
	GroupContent   = "Content files"
	GroupTransport = "Transport"
	GroupBackfill  = "Backfill"
	GroupRun       = "Start-up, logging and scale-out"
)

// Groups lists the groups in the order forms and docs show them.
var Groups = []string{GroupTargets, GroupTraffic, GroupMix, GroupEngage, GroupCampaigns, GroupEcommerce, GroupContent, GroupTransport, GroupBackfill, GroupCapacity, GroupProbe, GroupRun}

func probability(label, help string) meta {
	return meta{label: label, help: help, group: GroupMix, unit: "probability", min: num(0), max: num(1)}
}

// fields is THE schema: one row per setting, in form order (the groups' order is Groups').
var fields = append(coreFields, capacityFields...)

// coreFields are the settings of every run; capacity.go holds those of capacity searches.
var coreFields = []field{
	// Targets.
	stringField("MATOMO_URL", PlaceholderURL, TypeString, meta{label: "Matomo tracking URL", group: GroupTargets,
		help: "Tracking endpoint of the one target, e.g. https://analytics.example.org/matomo.php (`/matomo.php` is appended when the URL does not end in .php). Not used when MATOMO_TARGETS is given."},
		func(c *Config) *string { return &c.MatomoURL }),
	intField("MATOMO_SITE_ID", "1", meta{label: "Site ID", group: GroupTargets, min: num(1),
		help: "Matomo site (idsite) of the one target."}, func(c *Config) *int { return &c.SiteID }),
	stringField("MATOMO_TOKEN_AUTH", "", TypeSecret, meta{label: "Token (token_auth)", group: GroupTargets,
		help: "Token of a user with write or admin access to the site. Needed to set visitor IPs (country) and for backfill. Sent only in POST bodies to its own target; never logged or returned."},
		func(c *Config) *string { return &c.TokenAuth }),
	stringField("MATOMO_TOKEN_AUTH_FILE", "", TypeString, meta{label: "Token file", group: GroupTargets,
		help: "A file holding MATOMO_TOKEN_AUTH instead, e.g. a Docker secret (/run/secrets/matomo_token); white space around the token is ignored. Give one or the other, not both. Read by the loader only: the control passes tokens to the loaders it starts this way, so `docker inspect` shows none."},
		func(c *Config) *string { return &c.TokenAuthFile }),
	targetsField("MATOMO_TARGETS", meta{label: "Targets", group: GroupTargets,
		help: `Several targets as a JSON array of {"name","url","site_id","token_auth","weight","enabled"} ("token_auth_file" instead of "token_auth": a file holding the token). Use either this or MATOMO_URL/MATOMO_SITE_ID/MATOMO_TOKEN_AUTH, not both.`}),
	stringField("TARGET_MODE", ModeWeighted, TypeEnum, meta{label: "Target mode", group: GroupTargets,
		help: "weighted: each whole visit goes to one target, chosen by weight. mirror: every visit goes, identical, to every target (baseline-vs-optimised comparisons); two enabled targets must then not be the same site of the same Matomo, which would count every visit twice."},
		func(c *Config) *string { return &c.TargetMode }, ModeWeighted, ModeMirror),

	// Traffic.
	floatField("TARGET_VISITS_PER_DAY", "20000", meta{label: "Visits per day", group: GroupTraffic, unit: "visits/day", min: num(0.001), max: num(100_000_000), mode: "live",
		help: "Live rate. Visits start on an absolute schedule; the achieved rate is reported beside it."},
		func(c *Config) *float64 { return &c.VisitsPerDay }),
	stringField("TRAFFIC_PROFILE", ProfileFlat, TypeEnum, meta{label: "Traffic profile", group: GroupTraffic, mode: "live",
		help: "flat: the same rate all day. diurnal: a day curve in TIMEZONE (quiet nights, busy days) whose daily total still equals TARGET_VISITS_PER_DAY."},
		func(c *Config) *string { return &c.TrafficProfile }, ProfileFlat, ProfileDiurnal),
	stringField("INTER_ARRIVAL", ArrivalFixed, TypeEnum, meta{label: "Arrivals", group: GroupTraffic, mode: "live",
		help: "fixed: visits start at even intervals. exponential: Poisson arrivals with the same mean rate (organic-looking gaps)."},
		func(c *Config) *string { return &c.InterArrival }, ArrivalFixed, ArrivalExponential),
	stringField("WEEKLY_RHYTHM", WeeklyAuto, TypeEnum, meta{label: "Weekly rhythm", group: GroupTraffic,
		help: "Scale each local day in TIMEZONE by its weekday's factor (WEEKLY_WEIGHTS), live and backfill alike. auto: on with the day-shaped profiles (TRAFFIC_PROFILE=diurnal, BACKFILL_PROFILE=realistic), off with flat ones, which stay a constant load. on, off: always, never."},
		func(c *Config) *string { return &c.WeeklyRhythm }, WeeklyAuto, WeeklyOn, WeeklyOff),
	floatListField("WEEKLY_WEIGHTS", "", meta{label: "Weekday factors", group: GroupTraffic, unit: "factors Mon–Sun",
		help: "Seven comma-separated factors, Monday to Sunday, each multiplying the day's visits (TARGET_VISITS_PER_DAY live, BACKFILL_MAX_VISITS_PER_DAY in backfill), e.g. 1,1.02,1,0.97,0.88,0.55,0.6. Unset: 1 on weekdays and BACKFILL_WEEKEND_FACTOR on Saturday and Sunday."},
		func(c *Config) *[]float64 { return &c.WeeklyWeights }),
	stringField("TRAFFIC_SPIKES", "", TypeString, meta{label: "Spikes", group: GroupTraffic,
		help: "Bursts of traffic (a newsletter goes out), separated by `;`, each `WHEN xFACTOR LENGTH`: the rate is FACTOR times higher for LENGTH. WHEN is an RFC 3339 instant (2026-12-07T09:00:00+01:00), `daily@HH:MM`, weekdays `tue,thu@07:30` in TIMEZONE, or `random:K/week` (K spikes a week between 08:00 and 20:00, drawn from the seed). Example: `tue@07:30 x4 45m; random:2/week x3 30m`. Overlapping spikes add their extra traffic."},
		func(c *Config) *string { return &c.TrafficSpikes }),
	intField("CONCURRENCY", "50", meta{label: "Concurrency", group: GroupTraffic, unit: "visits", min: num(1), max: num(100_000),
		help: "Most visits in flight at once. A visit due while this many are in flight is dropped and counted, never sent later in a burst."},
		func(c *Config) *int { return &c.Concurrency }),
	intField("PAGEVIEWS_MIN", "3", meta{label: "Pageviews per visit (min)", group: GroupTraffic, min: num(1), max: num(100),
		help: "Fewest actions in a normal visit."}, func(c *Config) *int { return &c.PageviewsMin }),
	intField("PAGEVIEWS_MAX", "6", meta{label: "Pageviews per visit (max)", group: GroupTraffic, min: num(1), max: num(100),
		help: "Most actions in a normal visit."}, func(c *Config) *int { return &c.PageviewsMax }),
	floatField("PAUSE_BETWEEN_PVS_MIN", "0.5", meta{label: "Pause between hits (min)", group: GroupTraffic, unit: "seconds", min: num(0), max: num(60), mode: "live",
		help: "Real time the loader waits between the hits of a live visit. 0 sends a visit's hits back to back."},
		func(c *Config) *float64 { return &c.PauseMin }),
	floatField("PAUSE_BETWEEN_PVS_MAX", "2.0", meta{label: "Pause between hits (max)", group: GroupTraffic, unit: "seconds", min: num(0), max: num(60), mode: "live",
		help: "Longest real wait between the hits of a live visit."}, func(c *Config) *float64 { return &c.PauseMax }),
	floatField("VISIT_DURATION_MIN", "1.0", meta{label: "Visit duration (min)", group: GroupTraffic, unit: "minutes", min: num(0.1), max: num(120),
		help: "Shortest simulated visit length, spread over the hits' timestamps (what Matomo reports as time on site)."},
		func(c *Config) *float64 { return &c.VisitDurationMin }),
	floatField("VISIT_DURATION_MAX", "8.0", meta{label: "Visit duration (max)", group: GroupTraffic, unit: "minutes", min: num(0.1), max: num(120),
		help: "Longest simulated visit length."}, func(c *Config) *float64 { return &c.VisitDurationMax }),
	floatField("AUTO_STOP_AFTER_HOURS", "0", meta{label: "Auto-stop after", group: GroupTraffic, unit: "hours", min: num(0), max: num(8760), mode: "live",
		help: "Live mode ends after this many hours; 0 runs until stopped."}, func(c *Config) *float64 { return &c.AutoStopHours }),
	int64Field("MAX_TOTAL_VISITS", "0", meta{label: "Stop after visits", group: GroupTraffic, unit: "visits", min: num(0), max: num(1e12), mode: "live",
		help: "Live mode ends after starting this many visits; 0 means no limit. (The original used this both as a rolling daily cap and a total, and then sent nothing; it is now only the total.)"},
		func(c *Config) *int64 { return &c.MaxTotalVisits }),
	int64Field("MAX_VISITS_PER_DAY", "0", meta{label: "Daily cap", group: GroupTraffic, unit: "visits", min: num(0), max: num(1e12), mode: "live",
		help: "At most this many visits per calendar day in TIMEZONE; further visits wait for local midnight. 0 means no cap."},
		func(c *Config) *int64 { return &c.MaxVisitsPerDay }),
	stringField("TIMEZONE", "CET", TypeString, meta{label: "Time zone", group: GroupTraffic,
		help: "IANA zone (e.g. Europe/Stockholm) for calendar days, the diurnal curve, daily caps and backfill days. Timestamps go to Matomo in UTC."},
		func(c *Config) *string { return &c.Timezone }),
	optInt64Field("SEED", meta{label: "Seed", group: GroupTraffic,
		help: "Makes runs reproducible: the same seed and config produce the same visitors, pages, actions and orders. Unset: a fresh random seed per run."},
		func(c *Config) **int64 { return &c.Seed }),
	durationField("SHUTDOWN_GRACE", "10s", meta{label: "Shutdown grace", group: GroupTraffic, min: num(0), max: num(3600),
		help: "On SIGTERM/SIGINT, how long visits in flight may take to finish before they are cancelled; a second signal cancels them at once."},
		func(c *Config) *time.Duration { return &c.ShutdownGrace }),

	// Visit mix.
	floatField("SITESEARCH_PROBABILITY", "0.15", probability("Site search", "Share of visits with one site search."), func(c *Config) *float64 { return &c.SiteSearchProb }),
	floatField("OUTLINKS_PROBABILITY", "0.10", probability("Outlinks", "Share of visits with one outlink click."), func(c *Config) *float64 { return &c.OutlinksProb }),
	floatField("DOWNLOADS_PROBABILITY", "0.08", probability("Downloads", "Share of visits with one download."), func(c *Config) *float64 { return &c.DownloadsProb }),
	floatField("CLICK_EVENTS_PROBABILITY", "0.25", probability("Click events", "Share of visits with one click event."), func(c *Config) *float64 { return &c.ClickEventsProb }),
	floatField("RANDOM_EVENTS_PROBABILITY", "0.12", probability("Other events", "Share of visits with one other event (scroll, timing, errors, ...)."), func(c *Config) *float64 { return &c.RandomEventsProb }),
	floatField("DIRECT_TRAFFIC_PROBABILITY", "0.30", probability("Direct traffic", "Share of visits with no referrer; search, social and websites share the rest in the ratio 35:15:20."), func(c *Config) *float64 { return &c.DirectTrafficProb }),
	floatField("RETURNING_VISITOR_PROBABILITY", "0.30", probability("Returning visitors", "Share of visits made by a visitor who came before (from a bounded pool, same device and language)."), func(c *Config) *float64 { return &c.ReturningProb }),
	intField("VISITOR_POOL_SIZE", "10000", meta{label: "Returning visitor pool", group: GroupMix, unit: "visitors", min: num(1), max: num(10_000_000),
		help: "How many past visitors are remembered to come back."}, func(c *Config) *int { return &c.VisitorPoolSize }),
	floatField("JOURNEY_PROBABILITY", "0", probability("Journeys", "Share of visits that follow a built-in journey (researcher, buyer, casual browser) instead of the mix above. 0 keeps the probabilities above exact."), func(c *Config) *float64 { return &c.JourneyProb }),
	boolField("RANDOMIZE_VISITOR_COUNTRIES", "true", meta{label: "Visitor countries", group: GroupMix,
		help: "Spread visitors over countries: with a token by visitor IP (cip), without one (or over GET, which cannot carry it) by browser language, which Matomo maps to a country."},
		func(c *Config) *bool { return &c.RandomizeCountries }),

	// Engagement.
	floatField("BOUNCE_PROBABILITY", "0.40", meta{label: "Bounces", group: GroupEngage, unit: "probability", min: num(0), max: num(1),
		help: "Share of visits that see one page and leave (Matomo's bounce rate): a landing page view, perhaps a content impression or a goal, nothing else. The other visits have PAGEVIEWS_MIN..PAGEVIEWS_MAX actions as before. 0: no bounces, as in the original."},
		func(c *Config) *float64 { return &c.BounceProb }),
	stringField("VISIT_LENGTHS", DefaultVisitLengths, TypeString, meta{label: "Visit lengths", group: GroupEngage,
		help: "Histogram of visit lengths (Matomo's time on site) as comma-separated upper:weight pairs, each a bucket from the previous bound (the first from 0 s), e.g. 10s:30,30s:10,1m:10,2m:10,4m:10,7m:8,10m:7,15m:6,30m:5,1h:4 for Matomo's VisitorInterest buckets; a length is drawn uniformly within its bucket, at most 2h. `uniform`: VISIT_DURATION_MIN..VISIT_DURATION_MAX, as in the original."},
		func(c *Config) *string { return &c.VisitLengths }),

	// Campaigns, goals and other signals.
	floatField("CAMPAIGN_PROBABILITY", "0.10", meta{label: "Campaign visits", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of visits that land from a campaign: the landing URL carries mtm_campaign, mtm_source, mtm_medium, mtm_keyword, mtm_content and mtm_cid from the campaign catalogue (CAMPAIGNS_FILE, else a built-in one), so Referrers > Campaigns fills."},
		func(c *Config) *float64 { return &c.CampaignProb }),
	floatField("CAMPAIGN_LEGACY_PROBABILITY", "0.20", meta{label: "Legacy campaign parameters", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of campaign visits whose landing URL uses the legacy pk_campaign, pk_source, pk_medium, pk_keyword, pk_content and pk_cid parameters instead of mtm_*."},
		func(c *Config) *float64 { return &c.CampaignLegacyProb }),
	stringField("CAMPAIGNS_FILE", "", TypeString, meta{label: "Campaigns file", group: GroupContent,
		help: "The campaign catalogue campaign visits draw from, by weight: JSON ({\"campaigns\":[{\"name\",\"source\",\"medium\",\"keyword\",\"content\",\"id\",\"weight\"}]}) or CSV with a header row of those columns. Unset: a built-in catalogue of thirteen newsletter, paid-search, social, display, video, partner and podcast campaigns."},
		func(c *Config) *string { return &c.CampaignsFile }),
	stringField("GOALS", "", TypeString, meta{label: "Goals", group: GroupCampaigns,
		help: "Manual goals to convert, as comma-separated id:rate[:revenue] entries, e.g. 1:0.05:10,2:0.02: goal 1 is converted in 5% of visits with revenue 10, goal 2 in 2% with the goal's own default revenue. The goals must exist on every target's site. With a token the site's goals are also read through the API; those not listed here convert at GOAL_CONVERSION_PROBABILITY."},
		func(c *Config) *string { return &c.Goals }),
	floatField("GOAL_CONVERSION_PROBABILITY", "0.03", meta{label: "Goal conversion rate", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of visits converting each goal read from the site through the Reporting API (with a token) that GOALS does not list."},
		func(c *Config) *float64 { return &c.GoalRate }),
	floatField("CONTENT_IMPRESSION_PROBABILITY", "0.30", meta{label: "Content impressions", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of visits in which one page view shows a tracked content block (a content impression: c_n, c_p, c_t), so Contents fills."},
		func(c *Config) *float64 { return &c.ContentImpressionProb }),
	floatField("CONTENT_INTERACTION_PROBABILITY", "0.15", meta{label: "Content interactions", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of content impressions the visitor then clicks (a content interaction: c_i)."},
		func(c *Config) *float64 { return &c.ContentInteractionProb }),
	floatField("PAGE_PERFORMANCE_PROBABILITY", "0.95", meta{label: "Page performance", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of page views carrying browser timings (pf_net, pf_srv, pf_tfr, pf_dm1, pf_dm2, pf_onl), drawn per device: desktops load faster than phones."},
		func(c *Config) *float64 { return &c.PerformanceProb }),
	floatField("USER_ID_PROBABILITY", "0.15", meta{label: "Logged-in visitors", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of visitors who are logged-in members: every visit of theirs sends the same User ID (uid), so User IDs fills and Matomo recognises them when they come back."},
		func(c *Config) *float64 { return &c.UserIDProb }),
	floatField("CROSS_DEVICE_PROBABILITY", "0.30", meta{label: "Cross-device visits", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of a member's returning visits made on another of their devices (another user agent and screen, the same uid)."},
		func(c *Config) *float64 { return &c.CrossDeviceProb }),
	stringField("CUSTOM_DIMENSIONS_FILE", "", TypeString, meta{label: "Custom dimensions file", group: GroupContent,
		help: "Custom dimensions to send (dimensionN, visit or action scope) with weighted values: JSON {\"dimensions\":[{\"id\",\"scope\":\"visit\"|\"action\",\"name\",\"values\":[\"a\",{\"value\":\"b\",\"weight\":3}]}]}. The ids must be custom dimensions configured in the Matomo site; with a token the loader checks them. Unset: no custom dimensions."},
		func(c *Config) *string { return &c.DimensionsFile }),
	floatField("BOT_PROBABILITY", "0.02", meta{label: "Bots", group: GroupCampaigns, unit: "probability", min: num(0), max: num(1),
		help: "Share of visits made by a known crawler (Googlebot, bingbot, ...): Matomo excludes them, and the stats count them apart (bot_visits, bot_hits)."},
		func(c *Config) *float64 { return &c.BotProb }),

	// Ecommerce.
	floatField("ECOMMERCE_PROBABILITY", "0.05", meta{label: "Orders", group: GroupEcommerce, unit: "probability", min: num(0), max: num(1),
		help: "Share of visits that end with an ecommerce order (the site must have ecommerce enabled)."}, func(c *Config) *float64 { return &c.EcommerceProb }),
	floatField("ECOMMERCE_ORDER_VALUE_MIN", "15.99", meta{label: "Order value (min)", group: GroupEcommerce, unit: "currency", min: num(0.01), max: num(1e9),
		help: "Smallest order revenue (items + shipping + tax)."}, func(c *Config) *float64 { return &c.OrderValueMin }),
	floatField("ECOMMERCE_ORDER_VALUE_MAX", "299.99", meta{label: "Order value (max)", group: GroupEcommerce, unit: "currency", min: num(0.01), max: num(1e9),
		help: "Largest order revenue; every order stays within the bounds."}, func(c *Config) *float64 { return &c.OrderValueMax }),
	intField("ECOMMERCE_ITEMS_MIN", "1", meta{label: "Items per order (min)", group: GroupEcommerce, min: num(1), max: num(100),
		help: "Fewest line items in an order."}, func(c *Config) *int { return &c.ItemsMin }),
	intField("ECOMMERCE_ITEMS_MAX", "5", meta{label: "Items per order (max)", group: GroupEcommerce, min: num(1), max: num(100),
		help: "Most line items in an order."}, func(c *Config) *int { return &c.ItemsMax }),
	floatField("ECOMMERCE_TAX_RATE", "0.10", meta{label: "Tax rate", group: GroupEcommerce, unit: "fraction", min: num(0), max: num(1),
		help: "Tax = (subtotal + shipping) × rate."}, func(c *Config) *float64 { return &c.TaxRate }),
	floatListField("ECOMMERCE_SHIPPING_RATES", "0,5.99,9.99,15.99", meta{label: "Shipping rates", group: GroupEcommerce, unit: "currency",
		help: "Comma-separated shipping costs, one drawn per order and sent as ec_sh."}, func(c *Config) *[]float64 { return &c.ShippingRates }),
	stringField("ECOMMERCE_CURRENCY", "SEK", TypeString, meta{label: "Currency", group: GroupEcommerce,
		help: "ISO 4217 code used in order titles. Matomo reports revenue in the site's own currency."}, func(c *Config) *string { return &c.Currency }),

	// Content files.
	stringField("URLS_FILE", "", TypeString, meta{label: "URLs file", group: GroupContent,
		help: "Pages of the simulated site, one URL per line with an optional title after a tab. Unset: the built-in site of ~20,000 pages."},
		func(c *Config) *string { return &c.URLsFile }),
	stringField("FUNNEL_CONFIG_PATH", "", TypeString, meta{label: "Funnels file", group: GroupContent,
		help: "funnels.json in the original format: scripted journeys with a probability each. Unset: no funnels."},
		func(c *Config) *string { return &c.FunnelsFile }),
	stringField("EVENTS_FILE", "", TypeString, meta{label: "Events file", group: GroupContent,
		help: "events.json with click_events and random_events lists. Unset: the built-in events."},
		func(c *Config) *string { return &c.EventsFile }),
	stringField("SCENARIO_FILE", "", TypeString, meta{label: "Scenario file", group: GroupContent,
		help: "A scenario (YAML or JSON) of audience segments, each with its share, devices, countries, languages, referrer, journey and mix; see docs/scenarios.md. Each segment only overrides the settings here for its visits. Unset: one audience, as configured."},
		func(c *Config) *string { return &c.ScenarioFile }),

	// Transport.
	stringField("TRACKING_TRANSPORT", TransportPOST, TypeEnum, meta{label: "Transport", group: GroupTransport, mode: "live",
		help: "post: one POST per hit, token in the body. get: one GET per hit (no token can be sent). bulk: a visit's hits in one bulk POST. Backfill always uses bulk."},
		func(c *Config) *string { return &c.Transport }, TransportPOST, TransportGET, TransportBulk),
	intField("BULK_BATCH_SIZE", "100", meta{label: "Bulk batch size", group: GroupTransport, unit: "hits", min: num(1), max: num(10_000),
		help: "Most tracking requests in one bulk POST (Matomo's own tools use 50–200; large bodies may hit a proxy's size limit)."},
		func(c *Config) *int { return &c.BulkSize }),
	durationField("HTTP_TIMEOUT", "10s", meta{label: "HTTP timeout", group: GroupTransport, min: num(0.001), max: num(600),
		help: "Time limit of one request to Matomo."}, func(c *Config) *time.Duration { return &c.HTTPTimeout }),
	intField("HTTP_RETRIES", "3", meta{label: "HTTP retries", group: GroupTransport, min: num(0), max: num(20),
		help: "Retries on 5xx, 429, timeouts and connection errors, with capped exponential backoff. Hits Matomo accepted are never re-sent."},
		func(c *Config) *int { return &c.HTTPRetries }),
	boolField("TLS_SKIP_VERIFY", "false", meta{label: "Skip TLS verification", group: GroupTransport,
		help: "Accept any TLS certificate (self-signed test servers only)."}, func(c *Config) *bool { return &c.TLSSkipVerify }),

	// Backfill.
	boolField("BACKFILL_ENABLED", "false", meta{label: "Backfill", group: GroupBackfill,
		help: "Send past days in bulk, as fast as the target allows, instead of live traffic."}, func(c *Config) *bool { return &c.BackfillEnabled }),
	stringField("BACKFILL_START_DATE", "", TypeDate, meta{label: "Start date", group: GroupBackfill, mode: "backfill",
		help: "First day (YYYY-MM-DD) of an absolute window. Use with BACKFILL_END_DATE, or the relative pair instead."},
		func(c *Config) *string { return &c.BackfillStartDate }),
	stringField("BACKFILL_END_DATE", "", TypeDate, meta{label: "End date", group: GroupBackfill, mode: "backfill",
		help: "Last day (YYYY-MM-DD), inclusive; not in the future."}, func(c *Config) *string { return &c.BackfillEndDate }),
	optIntField("BACKFILL_DAYS_BACK", meta{label: "Days back", group: GroupBackfill, unit: "days", min: num(0), max: num(3650), mode: "backfill", suggest: "7",
		help: "Relative window: the first day is today minus this many days."}, func(c *Config) **int { return &c.BackfillDaysBack }),
	optIntField("BACKFILL_DURATION_DAYS", meta{label: "Duration", group: GroupBackfill, unit: "days", min: num(1), max: num(MaxBackfillDays), mode: "backfill", suggest: "7",
		help: "Relative window: number of days from the first day."}, func(c *Config) **int { return &c.BackfillDuration }),
	int64Field("BACKFILL_MAX_VISITS_PER_DAY", "2000", meta{label: "Visits per day", group: GroupBackfill, unit: "visits", min: num(0), max: num(10_000_000), mode: "backfill",
		help: "Visits sent for each day; 0 uses TARGET_VISITS_PER_DAY."}, func(c *Config) *int64 { return &c.BackfillPerDay }),
	int64Field("BACKFILL_MAX_VISITS_TOTAL", "200000", meta{label: "Total cap", group: GroupBackfill, unit: "visits", min: num(0), max: num(1e10), mode: "backfill",
		help: "At most this many visits over the whole window (oldest days first); 0 means no cap."}, func(c *Config) *int64 { return &c.BackfillTotal }),
	optFloatField("BACKFILL_RPS_LIMIT", meta{label: "Request rate limit", group: GroupBackfill, unit: "requests/s", min: num(0.001), max: num(1_000_000), mode: "backfill",
		help: "At most this many tracking requests (hits, not visits) per second. Unset: as fast as the target allows."},
		func(c *Config) **float64 { return &c.BackfillRPS }),
	optIntField("BACKFILL_CONCURRENCY", meta{label: "Bulk requests in flight", group: GroupBackfill, unit: "requests", min: num(1), max: num(64), mode: "backfill",
		help: "Most bulk requests in flight at once per target. Unset: the loader finds what Matomo sustains (up to 16) and backs off when its latency climbs."},
		func(c *Config) **int { return &c.BackfillConcurrency }),
	durationField("BACKFILL_BULK_TIMEOUT", "120s", meta{label: "Bulk timeout", group: GroupBackfill, min: num(1), max: num(3600), mode: "backfill",
		help: "Time limit of one bulk request (HTTP_TIMEOUT is for live hits): Matomo's bulk latency is heavy-tailed under load, and a bulk given up on must be settled."},
		func(c *Config) *time.Duration { return &c.BackfillBulkTimeout }),
	durationField("BACKFILL_SETTLE_AFTER", "60s", meta{label: "Settle after", group: GroupBackfill, min: num(0), max: num(3600), mode: "backfill",
		help: "Quiet period after a bulk without reply before the Live API is asked what landed: Matomo may still process a request the loader gave up on."},
		func(c *Config) *time.Duration { return &c.BackfillSettleAfter }),
	stringField("BACKFILL_UNSETTLED", UnsettledResend, TypeEnum, meta{label: "When unsettled", group: GroupBackfill, mode: "backfill",
		help: "What to do with visits of a bulk without reply when the Live API cannot tell whether they landed (no view access, Live disabled): resend (counted as maybe duplicated) or skip (counted as maybe missing)."},
		func(c *Config) *string { return &c.BackfillUnsettled }, UnsettledResend, UnsettledSkip),
	optInt64Field("BACKFILL_SEED", meta{label: "Seed", group: GroupBackfill, mode: "backfill",
		help: "Makes each day's visits reproducible (a per-day seed is derived from it). Unset: SEED, else random."},
		func(c *Config) **int64 { return &c.BackfillSeed }),
	stringField("BACKFILL_PROFILE", ProfileFlat, TypeEnum, meta{label: "Profile", group: GroupBackfill, mode: "backfill",
		help: "flat: visits spread evenly over each day. realistic: an hour-of-day curve, and weekend days scaled by BACKFILL_WEEKEND_FACTOR. Day totals are exact either way."},
		func(c *Config) *string { return &c.BackfillProfile }, ProfileFlat, ProfileRealistic),
	floatField("BACKFILL_WEEKEND_FACTOR", "0.6", meta{label: "Weekend factor", group: GroupBackfill, unit: "fraction", min: num(0), max: num(1),
		help: "Saturdays and Sundays get this share of a weekday's visits when the weekly rhythm is on (WEEKLY_RHYTHM) and WEEKLY_WEIGHTS is unset: with BACKFILL_PROFILE=realistic, TRAFFIC_PROFILE=diurnal, or WEEKLY_RHYTHM=on."},
		func(c *Config) *float64 { return &c.BackfillWeekend }),
	stringField("BACKFILL_STATE_FILE", "/data/backfill-state.json", TypeString, meta{label: "State file", group: GroupBackfill, mode: "backfill",
		help: "Checkpoint of completed days and confirmed visits, so a re-run sends only what is missing and never replays a day. `{shard}` in the path becomes SHARD_INDEX, so the shards of a run can keep their states side by side on one volume (e.g. /data/backfill-state-{shard}.json)."},
		func(c *Config) *string { return &c.BackfillStateFile }),
	boolField("BACKFILL_INVALIDATE_REPORTS", "false", meta{label: "Invalidate reports", group: GroupBackfill, mode: "backfill",
		help: "After backfill, call CoreAdminHome.invalidateArchivedReports for the days (needs admin access); otherwise the summary reminds you to run core:archive."},
		func(c *Config) *bool { return &c.BackfillInvalidate }),
	boolField("BACKFILL_RUN_ONCE", "false", meta{label: "Idle after backfill", group: GroupBackfill, mode: "backfill",
		help: "Kept for old compose files: stay idle after completion instead of exiting. Not needed: a finished backfill is never replayed."},
		func(c *Config) *bool { return &c.BackfillRunOnce }),

	// Start-up, logging, observability and scale-out.
	boolField("AUTO_START", "true", meta{label: "Start at once", group: GroupRun,
		help: "false: wait until START_SIGNAL_FILE appears (it is then deleted)."}, func(c *Config) *bool { return &c.AutoStart }),
	stringField("START_SIGNAL_FILE", "/app/data/loadgen.start", TypeString, meta{label: "Start signal file", group: GroupRun,
		help: "File whose appearance starts the run when AUTO_START is false."}, func(c *Config) *string { return &c.StartSignalFile }),
	floatField("START_CHECK_INTERVAL", "2.0", meta{label: "Start check interval", group: GroupRun, unit: "seconds", min: num(0.01), max: num(3600),
		help: "How often the start signal file is looked for."}, func(c *Config) *float64 { return &c.StartCheckInterval }),
	stringField("LOG_LEVEL", "INFO", TypeEnum, meta{label: "Log level", group: GroupRun,
		help: "DEBUG, INFO, WARN or ERROR. Logs never contain token_auth."}, func(c *Config) *string { return &c.LogLevel }, "DEBUG", "INFO", "WARN", "ERROR"),
	durationField("STATS_INTERVAL", "10s", meta{label: "Stats interval", group: GroupRun, min: num(0.1), max: num(3600),
		help: "How often a stats record (JSON line) is printed."}, func(c *Config) *time.Duration { return &c.StatsInterval }),
	stringField("METRICS_ADDR", "", TypeString, meta{label: "Metrics address", group: GroupRun,
		help: "host:port to serve Prometheus /metrics on (e.g. :9090). Unset: off."}, func(c *Config) *string { return &c.MetricsAddr }),
	intField("SHARD_INDEX", "0", meta{label: "Shard index", group: GroupRun, min: num(0), max: num(9999),
		help: "This loader's share of a run split over SHARD_COUNT loaders (0-based). Unset: JOB_COMPLETION_INDEX when that is set (the completion index of a Kubernetes Indexed Job's pod), else SHARD_SLOT − 1 when SHARD_SLOT is set (a Docker Swarm task's slot, 1-based, given by the service template SHARD_SLOT={{.Task.Slot}}), else 0."}, func(c *Config) *int { return &c.ShardIndex }),
	intField("SHARD_COUNT", "1", meta{label: "Shard count", group: GroupRun, min: num(1), max: num(10_000),
		help: "Number of loaders sharing one run; each sends every SHARD_COUNT-th visit of the common schedule."}, func(c *Config) *int { return &c.ShardCount }),
}

// Fields returns the metadata of every setting, in form order.
func Fields() []FieldInfo {
	out := make([]FieldInfo, len(fields))
	for i, f := range fields {
		out[i] = f.info
	}
	return out
}

// Lookup returns the metadata of the setting named name (its env var name).
func Lookup(name string) (FieldInfo, bool) {
	f, ok := fieldByName[name]
	if !ok {
		return FieldInfo{}, false
	}
	return f.info, true
}

var fieldByName = func() map[string]*field {
	m := make(map[string]*field, len(fields))
	for i := range fields {
		m[fields[i].info.Name] = &fields[i]
	}
	return m
}()
