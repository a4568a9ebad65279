package matomo

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// Target is one Matomo site to send traffic to. Token is the token_auth of a user with write
// (or admin) access to the site; it is needed for cip, for cdt older than 24 h and for the
// Reporting API. Every way of printing a Target (String, GoString, LogValue, JSON) hides it.
type Target struct {
	// Name labels the target in stats and logs.
	Name string
	// URL is the tracking endpoint, e.g. https://host/matomo.php; without a trailing .php
	// element "/matomo.php" is appended.
	URL string
	// SiteID is the idsite used for hits that do not set their own.
	SiteID int
	// Token is the token_auth; never printed.
	Token string
}

// redactedToken stands in for a set token wherever a Target is printed.
const redactedToken = "[redacted]"

// String describes the target for humans without the token and without any URL password.
func (t Target) String() string {
	return fmt.Sprintf("%s (%s, site %d, token %s)", t.Name, redactURL(t.URL), t.SiteID, t.tokenState())
}

// GoString makes %#v as safe as %v: the token is replaced, never shown.
func (t Target) GoString() string {
	return fmt.Sprintf("matomo.Target{Name:%q, URL:%q, SiteID:%d, Token:%q}",
		t.Name, redactURL(t.URL), t.SiteID, t.tokenState())
}

// LogValue lets slog print a Target as a group that says whether a token is set, not what it is.
func (t Target) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", t.Name),
		slog.String("url", redactURL(t.URL)),
		slog.Int("site_id", t.SiteID),
		slog.Bool("token_set", t.Token != ""),
	)
}

// MarshalJSON keeps the token out of any JSON a Target ends up in (reports, API replies).
// It is one-way on purpose: configuration is stored by pkg/config, not by this type.
func (t Target) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name     string `json:"name"`
		URL      string `json:"url"`
		SiteID   int    `json:"site_id"`
		TokenSet bool   `json:"token_auth_set"`
	}{t.Name, redactURL(t.URL), t.SiteID, t.Token != ""})
}

func (t Target) tokenState() string {
	if t.Token == "" {
		return "unset"
	}
	return redactedToken
}

// redactURL hides a password in the URL's user info; unparsable URLs are shown as a marker
// because they might hold anything.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	return u.Redacted()
}

// Validate checks what the client needs before it can send anything: an http(s) URL with a host
// and a non-negative site id.
func (t Target) Validate() error {
	if _, err := t.parseURL(); err != nil {
		return err
	}
	if t.SiteID < 0 {
		return fmt.Errorf("matomo: target %q: site id %d must not be negative", t.Name, t.SiteID)
	}
	return nil
}

func (t Target) parseURL() (*url.URL, error) {
	u, err := url.Parse(t.URL)
	if err != nil {
		// url.Parse errors quote the input; the input may hold a password, so say less.
		return nil, fmt.Errorf("matomo: target %q: URL does not parse", t.Name)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("matomo: target %q: URL scheme %q must be http or https", t.Name, u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("matomo: target " + strconv.Quote(t.Name) + ": URL has no host")
	}
	if u.Query().Has("token_auth") {
		// Every request would carry it in its URL, and errors would print it.
		return nil, errors.New("matomo: target " + strconv.Quote(t.Name) +
			": URL must not carry token_auth; set the target's token instead")
	}
	return u, nil
}

// TrackingURL is the tracking endpoint: the URL itself when its path ends in .php, otherwise the
// URL with "/matomo.php" appended. Query and fragment are kept as given.
func (t Target) TrackingURL() (string, error) {
	u, err := t.parseURL()
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(u.Path, ".php") {
		u.Path = strings.TrimRight(u.Path, "/") + "/matomo.php"
		u.RawPath = ""
	}
	return u.String(), nil
}

// APIURL is the Reporting API endpoint: the tracking endpoint's last path element replaced by
// index.php, without any query.
func (t Target) APIURL() (string, error) {
	tracking, err := t.TrackingURL()
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(tracking) // TrackingURL produced it, so it parses.
	u.Path = u.Path[:strings.LastIndexByte(u.Path, '/')+1] + "index.php"
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u.String(), nil
}
