package matomotest

import (
	"net/url"
	"strings"
)

// isBot recognises the user agent of a crawler, as Matomo's DeviceDetector does for the common ones:
// a bot's name (Googlebot, bingbot, …: "bot/", "bot;", "bot)"), crawler, spider, Slurp, Facebook's
// fetcher, or the "+http://…" contact link crawlers carry and browsers never do. raw is still
// URL-encoded.
func isBot(raw string) bool {
	if raw == "" {
		return false
	}
	ua := strings.ToLower(unescape(raw))
	for _, mark := range botMarks {
		if strings.Contains(ua, mark) {
			return true
		}
	}
	return false
}

// IsBot reports whether the server excludes requests with this (decoded) user agent as a bot's.
func IsBot(userAgent string) bool { return isBot(url.QueryEscape(userAgent)) }

var botMarks = []string{"bot/", "bot;", "bot)", "crawler", "spider", "slurp", "facebookexternalhit", "+http", "mediapartners-google"}
