package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// ConnectionTester checks one Matomo target without recording anything in it.
type ConnectionTester interface {
	TestTarget(ctx context.Context, t config.Target, opts TestOptions) TargetCheck
}

// TestOptions tune one target check.
type TestOptions struct {
	// Timeout bounds each request to the target.
	Timeout time.Duration
	// InsecureSkipVerify accepts self-signed certificates (the config's TLS_SKIP_VERIFY).
	InsecureSkipVerify bool
	// URLField names the setting that holds the target's URL, for advice such as "MATOMO_URL
	// redirects to …: use that URL"; empty means MATOMO_URL.
	URLField string
}

// TargetCheck is what was learnt about one target. Nil pointers mean "not determined" (for
// example, no token to check, or the site could not be read without one).
type TargetCheck struct {
	Name           string     `json:"name"`
	URL            string     `json:"url"`
	SiteID         int        `json:"site_id"`
	OK             bool       `json:"ok"`
	Reachable      bool       `json:"reachable"`
	StatusCode     int        `json:"status_code,omitempty"`
	ResponseTimeMS float64    `json:"response_time_ms"`
	MatomoVersion  string     `json:"matomo_version,omitempty"`
	TokenSet       bool       `json:"token_set"`
	TokenValid     *bool      `json:"token_valid"`
	SiteExists     *bool      `json:"site_exists"`
	Site           *SiteCheck `json:"site,omitempty"`
	TrackerOK      bool       `json:"tracker_ok"`
	QueuedTracking *bool      `json:"queued_tracking"`
	Errors         []string   `json:"errors"`
	Warnings       []string   `json:"warnings"`
}

// SiteCheck is the target site as Matomo describes it.
type SiteCheck struct {
	Name      string `json:"name"`
	MainURL   string `json:"main_url"`
	Timezone  string `json:"timezone"`
	Currency  string `json:"currency"`
	Ecommerce bool   `json:"ecommerce"`
}

// MatomoTester is the real ConnectionTester. It asks the Reporting API for the version (which also
// checks the token) and the site, and posts an empty bulk request, which records nothing but shows
// whether the tracker answers and whether QueuedTracking is active (its reply is then not JSON).
// The original sent a real pageview instead (its bug 25).
type MatomoTester struct{}

// TestTarget runs the checks in order; a target that cannot be reached is not asked further.
func (MatomoTester) TestTarget(ctx context.Context, t config.Target, o TestOptions) (chk TargetCheck) {
	chk = TargetCheck{Name: t.Name, URL: redactURLText(t.URL), SiteID: t.SiteID, TokenSet: t.Token != "",
		Errors: []string{}, Warnings: []string{}}
	defer func() { chk.OK = chk.Reachable && len(chk.Errors) == 0 }()
	// No QueuedTrackingBypass: the probe must see what the loader's bulk requests would see.
	cl, err := matomo.NewClient(matomo.Target{Name: t.Name, URL: t.URL, SiteID: t.SiteID, Token: t.Token},
		matomo.Options{Timeout: o.Timeout, Retries: -1, InsecureSkipVerify: o.InsecureSkipVerify})
	if err != nil {
		chk.Errors = append(chk.Errors, "the URL cannot be used: it must be http(s) with a host and without token_auth")
		return chk
	}
	defer cl.CloseIdleConnections()
	start := time.Now()
	ver, err := cl.Version(ctx)
	chk.ResponseTimeMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil && !answered(err) {
		chk.Errors = append(chk.Errors, "not reachable: "+netProblem(err, o.Timeout))
		return chk
	}
	chk.Reachable = true
	if errors.Is(err, matomo.ErrRedirect) {
		// The tracker's answer says which URL to use; the API's would name index.php.
		if checkTracker(ctx, &chk, cl, o) {
			chk.Errors = append(chk.Errors, "the Reporting API (index.php) "+replyProblem(err, &chk)+
				": the token and the site could not be checked")
		}
		return chk
	}
	checkVersion(&chk, ver, err)
	checkSite(ctx, &chk, cl, t.SiteID)
	checkTracker(ctx, &chk, cl, o)
	return chk
}

// checkTracker posts an empty bulk request, which records nothing, and reports whether the tracker
// took it. A redirect is an error that names the URL to use: the loader does not follow one.
func checkTracker(ctx context.Context, chk *TargetCheck, cl *matomo.Client, o TestOptions) bool {
	probe, err := cl.ProbeBulk(ctx)
	var re *matomo.RedirectError
	switch {
	case errors.As(err, &re):
		field := o.URLField
		if field == "" {
			field = "MATOMO_URL"
		}
		chk.StatusCode = re.Code
		chk.Errors = append(chk.Errors, re.Advice(field))
		return false
	case err != nil:
		chk.Errors = append(chk.Errors, "the tracker did not accept an empty bulk request: "+replyProblem(err, chk))
		return false
	}
	chk.TrackerOK = true
	chk.QueuedTracking = &probe.Queued
	if probe.Queued {
		chk.Warnings = append(chk.Warnings, "QueuedTracking is active: bulk replies carry no tracked/invalid counts, "+
			"so rejected hits are not visible in the run's stats")
	}
	return true
}

func checkVersion(chk *TargetCheck, ver string, err error) {
	switch {
	case err == nil:
		chk.MatomoVersion = ver
		if chk.TokenSet {
			chk.TokenValid = boolPtr(true)
		}
	case errors.Is(err, matomo.ErrAuth) && chk.TokenSet:
		chk.TokenValid = boolPtr(false)
		chk.Errors = append(chk.Errors, "the token was rejected: it is wrong or its user has no access")
	case errors.Is(err, matomo.ErrAuth):
		chk.Warnings = append(chk.Warnings, "no token: the version and site could not be read, and backfill "+
			"and visitor IPs need one")
	default:
		chk.Errors = append(chk.Errors, "the Reporting API did not answer as Matomo does: "+replyProblem(err, chk))
	}
}

func checkSite(ctx context.Context, chk *TargetCheck, cl *matomo.Client, id int) {
	site, err := cl.Site(ctx, id)
	switch {
	case err == nil:
		chk.SiteExists = boolPtr(true)
		chk.Site = &SiteCheck{Name: site.Name, MainURL: site.MainURL, Timezone: site.Timezone,
			Currency: site.Currency, Ecommerce: site.Ecommerce}
	case errors.Is(err, matomo.ErrAuth):
		if chk.TokenSet && chk.TokenValid != nil && *chk.TokenValid {
			chk.Errors = append(chk.Errors, fmt.Sprintf("the token has no access to site %d", id))
		}
	case errors.Is(err, matomo.ErrNotFound):
		chk.SiteExists = boolPtr(false)
		chk.Errors = append(chk.Errors, fmt.Sprintf("site %d does not exist", id))
	default:
		chk.Errors = append(chk.Errors, "reading the site failed: "+replyProblem(err, chk))
	}
}

// answered reports whether err came with an HTTP reply (rather than no connection at all).
func answered(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		return false
	}
	return !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

// netProblem names a connection failure without echoing the request.
func netProblem(err error, timeout time.Duration) string {
	var (
		dns  *net.DNSError
		cert *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		ne   net.Error
	)
	switch {
	case errors.As(err, &dns):
		return "the host name does not resolve"
	case errors.As(err, &cert), errors.As(err, &ua):
		return "the TLS certificate is not trusted (for a self-signed test server set TLS_SKIP_VERIFY=true)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	}
	return "the connection failed"
}

// replyProblem describes a reply that was not what Matomo sends, and records its status code.
func replyProblem(err error, chk *TargetCheck) string {
	var (
		se *matomo.StatusError
		re *matomo.RedirectError
		ae *matomo.APIError
		je *json.SyntaxError
	)
	switch {
	case errors.As(err, &ae):
		return "Matomo said: " + ae.Message
	case errors.As(err, &re):
		chk.StatusCode = re.Code
		if re.Location == "" {
			return fmt.Sprintf("answers with a redirect (HTTP %d)", re.Code)
		}
		return fmt.Sprintf("redirects (HTTP %d) to %s", re.Code, re.Location)
	case errors.As(err, &se):
		chk.StatusCode = se.Code
		return fmt.Sprintf("HTTP %d", se.Code)
	case errors.As(err, &je), errors.Is(err, matomo.ErrUncertain):
		return "the reply is not Matomo's; is the URL the tracking endpoint (…/matomo.php)?"
	case !answered(err):
		return netProblem(err, 0)
	}
	return "unexpected reply"
}

// redactURLText removes a password from a URL before it is echoed.
func redactURLText(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(not a valid URL)"
	}
	if u.User != nil {
		u.User = url.User("***")
	}
	q := u.Query()
	if q.Has("token_auth") {
		q.Set("token_auth", redactedText)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func boolPtr(b bool) *bool { return &b }
