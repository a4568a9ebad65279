package main

// category is one top-level section of the synthetic site.
type category struct {
	slug      string
	name      string
	subs      []string
	templates []string
}

var categories = []category{
	{"products", "Products",
		[]string{"analytics", "dashboards", "tag-manager", "heatmaps", "session-recording", "ab-testing", "forms", "integrations"},
		[]string{"{Adj} {noun} for {audience}", "{Topic} for {audience}", "{Topic}: {adj} {noun}",
			"{Topic} {noun} that scale with you", "{Adj} {topic} for {audience}", "{Topic} with {adj} {noun}"}},
	{"blog", "Blog",
		[]string{"product-updates", "engineering", "privacy", "marketing", "data-science", "case-studies", "tutorials", "culture"},
		[]string{"How to {verb} {object} with {adj} {noun}", "{num} ways to {verb} {object}",
			"What we learned about {object} in {year}", "Why {audience} rethink {object}",
			"Behind the scenes: {adj} {noun}", "A practical guide to {object} for {audience}",
			"{Verb} {object} without cookies", "Lessons from {num} years of {object}"}},
	{"community", "Community",
		[]string{"forums", "events", "meetups", "champions", "contributors", "showcase"},
		[]string{"{Topic}: {city} {year}", "{Topic} spotlight: {object} at {audience}",
			"Ask the community: {verb} {object}", "{city} user group: {adj} {noun}",
			"Show and tell: {adj} {noun} by {audience}"}},
	{"company", "Company",
		[]string{"about", "careers", "press", "leadership", "partners", "sustainability"},
		[]string{"{Topic}: our approach to {object}", "{Topic}: {adj} {noun} since {year}",
			"Working with {audience} in {city}", "{Topic} update {year}: {adj} {noun}"}},
	{"documentation", "Documentation",
		[]string{"getting-started", "tracking-api", "reporting-api", "javascript-sdk", "mobile-sdks",
			"installation", "configuration", "troubleshooting", "data-import"},
		[]string{"{Verb} {object}", "{Verb} {object} on {platform}", "{Topic}: {verb} {object}",
			"Reference: {noun} parameters", "{Topic} for {platform}", "{Verb} {object} with the {topic}",
			"Upgrade notes for version {version}"}},
	{"news", "News",
		[]string{"announcements", "releases", "security-advisories", "industry", "awards", "webinars"},
		[]string{"{Adj} {noun} now available", "Version {version}: {adj} {noun}", "{Topic}: {object} in {year}",
			"Webinar: {verb} {object} for {audience}", "{Topic}: {num} changes to {object}"}},
	{"resources", "Resources",
		[]string{"guides", "whitepapers", "ebooks", "templates", "videos", "glossary", "checklists"},
		[]string{"The {adj} guide to {object}", "{Topic}: {object} for {audience}", "{num}-point checklist for {object}",
			"{Adj} {noun}: a template for {audience}", "What is {object}?", "{Topic}: {verb} {object} in {num} steps"}},
	{"services", "Services",
		[]string{"consulting", "training", "implementation", "migration", "managed-hosting", "audits"},
		[]string{"{Topic} for {audience}: {adj} {noun}", "{Topic}: {verb} {object} with our experts",
			"{Adj} {topic} packages for {audience}", "{Topic} workshop: {verb} {object}",
			"{Topic} for {platform} projects: {object}", "{Adj} {topic} in {city}"}},
	{"solutions", "Solutions",
		[]string{"ecommerce", "media", "healthcare", "government", "education", "finance", "saas"},
		[]string{"{Topic} analytics: {verb} {object}", "{Topic}: {adj} {noun} for {audience}",
			"{Verb} {object} in {topic}", "{Topic} case study: {adj} {noun}", "{Adj} {noun} for {topic} teams"}},
	{"support", "Support",
		[]string{"faq", "billing", "account", "troubleshooting", "contact", "status", "known-issues"},
		[]string{"Why are my {object} not showing?", "How do I {verb} {object}?", "{Topic}: {object} questions",
			"{Verb} {object} after an upgrade", "{Topic}: {adj} {noun} explained", "Fixing {object} on {platform}"}},
}

// subTemplates gives subcategories whose pages read differently from their category's.
var subTemplates = map[string][]string{
	"careers":  {"{role} in {city}", "{role} (remote, {city} time zone)", "Life as a {role} in {city}"},
	"press":    {"Press release: {adj} {noun} for {audience}", "Press kit {year}", "In the media: {object} in {year}"},
	"glossary": {"What is {object}?", "Glossary: {noun}", "Definition: {adj} {noun}"},
	"status":   {"Incident report: delayed {object} ({year})", "Maintenance window: {noun} upgrade", "Status: {object} degraded on {platform}"},
}

var displayOverrides = map[string]string{
	"ab-testing":     "A/B Testing",
	"saas":           "SaaS",
	"faq":            "FAQ",
	"javascript-sdk": "JavaScript SDK",
	"mobile-sdks":    "Mobile SDKs",
	"tracking-api":   "Tracking API",
	"reporting-api":  "Reporting API",
	"ecommerce":      "Ecommerce",
}

var adjectives = []string{"Real-time", "Privacy-first", "Scalable", "Lightweight", "Advanced", "Automated",
	"Custom", "Unified", "Self-hosted", "Secure", "Accurate", "Flexible", "Cookieless", "Compliant", "Fast",
	"Modern", "Essential", "Practical", "Complete", "Simple", "Open", "Reliable"}

var nouns = []string{"dashboards", "reports", "segments", "funnels", "goals", "cohorts", "alerts", "exports",
	"integrations", "workflows", "metrics", "insights", "events", "audiences", "experiments",
	"attribution models", "data pipelines", "tracking plans", "consent banners", "APIs", "annotations",
	"scheduled emails"}

var audiences = []string{"teams", "agencies", "enterprises", "publishers", "online stores", "developers",
	"marketers", "analysts", "startups", "nonprofits", "universities", "product managers", "hospitals",
	"public sector teams"}

var verbs = []string{"track", "measure", "analyse", "segment", "visualise", "automate", "optimise", "export",
	"audit", "migrate", "configure", "secure", "compare", "debug"}

var objects = []string{"conversions", "campaign traffic", "site search", "outbound links", "downloads",
	"form submissions", "video engagement", "ecommerce orders", "page speed", "user journeys",
	"returning visitors", "custom dimensions", "referrers", "bounce rates", "abandoned carts", "goals",
	"content impressions", "consent", "bot traffic", "archiving"}

var cities = []string{"Stockholm", "Berlin", "London", "Paris", "Amsterdam", "Toronto", "Sydney", "Tokyo",
	"Madrid", "Warsaw", "Copenhagen", "Oslo", "Helsinki", "Zurich", "Austin", "São Paulo"}

var roles = []string{"Senior Backend Engineer", "Frontend Engineer", "Product Designer", "Data Analyst",
	"Customer Success Manager", "Technical Writer", "Site Reliability Engineer", "Sales Engineer",
	"Support Specialist", "Product Manager", "Security Engineer", "Marketing Manager"}

var platforms = []string{"WordPress", "Shopify", "React", "Vue", "Angular", "Android", "iOS", "Drupal",
	"Magento", "Next.js", "Docker", "Kubernetes"}
