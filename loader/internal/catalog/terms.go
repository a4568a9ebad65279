package catalog

// siteSearchTerms are the original's 37 single words plus multi-word queries of the kind
// visitors type into a site's own search box.
var siteSearchTerms = []string{
	"product", "service", "contact", "about", "help", "support", "pricing", "features",
	"login", "register", "download", "documentation", "tutorial", "guide", "faq",
	"news", "blog", "updates", "announcement", "release", "version", "security",
	"privacy", "terms", "policy", "legal", "careers", "jobs", "team", "company",
	"analytics", "tracking", "dashboard", "report", "statistics", "metrics", "data",
	"pricing plans", "free trial", "reset password", "cancel subscription", "api key",
	"export to csv", "gdpr consent", "cookie banner", "custom reports", "goal tracking",
	"ecommerce tracking", "tag manager setup", "heatmap", "ab testing", "invoice",
	"change email", "two factor authentication", "wordpress plugin", "mobile app",
	"data retention", "user roles", "integrations", "release notes", "system requirements",
}

// referrerKeywords are search-engine queries that lead to the site (the original's
// referrer URLs carried the first eight).
var referrerKeywords = []string{
	"matomo analytics", "web analytics tool", "open source analytics", "google analytics alternative",
	"privacy analytics", "matomo tracking", "web statistics", "gdpr compliant analytics",
	"self hosted analytics", "website tracking software", "cookieless tracking", "heatmap tool",
	"ab testing software", "tag manager open source", "ecommerce analytics", "funnel analysis",
	"best web analytics 2025", "website visitor statistics", "analytics dashboard", "session recording tool",
}

var searchCategories = []string{"", "Products", "Support", "Documentation"}

var outlinks = []string{
	"https://github.com", "https://stackoverflow.com", "https://developer.mozilla.org",
	"https://www.w3.org", "https://nodejs.org", "https://reactjs.org", "https://vuejs.org",
	"https://angular.io", "https://jquery.com", "https://bootstrap.getbootstrap.com",
	"https://tailwindcss.com", "https://fontawesome.com", "https://unsplash.com",
	"https://fonts.google.com", "https://codepen.io", "https://jsfiddle.net",
	"https://wikipedia.org", "https://youtube.com", "https://twitter.com",
	"https://linkedin.com", "https://facebook.com", "https://instagram.com",
	"https://reddit.com", "https://medium.com", "https://dev.to",
}

var downloads = []string{
	"/downloads/user-manual.pdf", "/downloads/getting-started-guide.pdf",
	"/downloads/api-documentation.pdf", "/downloads/whitepaper.pdf",
	"/downloads/case-study.pdf", "/downloads/technical-specs.pdf",
	"/files/product-brochure.pdf", "/files/pricing-sheet.pdf",
	"/assets/company-presentation.pptx", "/assets/logo-pack.zip",
	"/downloads/software-v2.1.0.zip", "/downloads/mobile-app.apk",
	"/files/dataset.csv", "/files/report-2024.xlsx",
	"/downloads/template.docx", "/downloads/configuration.json",
	"/files/backup.tar.gz", "/downloads/installer.exe",
	"/assets/images.zip", "/downloads/source-code.zip",
}

// SiteSearchTerms returns the site-search keywords.
func SiteSearchTerms() []string { return append([]string(nil), siteSearchTerms...) }

// ReferrerKeywords returns the search-engine queries used in search referrers.
func ReferrerKeywords() []string { return append([]string(nil), referrerKeywords...) }

// SearchCategories returns the site-search categories; "" means no category.
func SearchCategories() []string { return append([]string(nil), searchCategories...) }

// Outlinks returns the external URLs visitors follow (the original's 25).
func Outlinks() []string { return append([]string(nil), outlinks...) }

// Downloads returns the file paths visitors download (the original's 20), relative to
// the site.
func Downloads() []string { return append([]string(nil), downloads...) }
