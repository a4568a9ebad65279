package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"
)

// normalizeBase turns what the user gave (http://host:port/, …/index.php, …/matomo.php) into
// Matomo's root URL without a trailing slash. A URL carrying a query is refused: it could hold a
// token, and every request would repeat it.
func normalizeBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("MATOMO_BENCH_URL does not parse as a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("MATOMO_BENCH_URL: scheme %q must be http or https", u.Scheme)
	}
	if u.Host == "" {
		return "", errors.New("MATOMO_BENCH_URL has no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("MATOMO_BENCH_URL must not have a query or fragment (the token goes in MATOMO_BENCH_TOKEN)")
	}
	switch path.Base(u.Path) {
	case "index.php", "matomo.php", "piwik.php":
		u.Path = path.Dir(u.Path)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// checkLoopback refuses a Matomo that is not on this machine unless allowRemote is set: the
// benchmark sends tens of thousands of hits and creates sites, which nobody should do to a Matomo
// by a typo. Loopback means localhost, 127.0.0.0/8 or ::1; names are not resolved.
func checkLoopback(base string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return errors.New("MATOMO_BENCH_URL does not parse as a URL")
	}
	if isLoopbackHost(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("MATOMO_BENCH_URL host %q is not a loopback address (localhost, 127.0.0.0/8, ::1); "+
		"set MATOMO_BENCH_ALLOW_REMOTE=1 to benchmark a Matomo elsewhere", u.Hostname())
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP literal.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
