package matomo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// maxAPIReply bounds a Reporting API reply kept in memory (visit lists can be large).
const maxAPIReply = 64 << 20

// api calls a Reporting API method with token_auth in the POST body and decodes the JSON reply
// into out. A {"result":"error"} body is an *APIError whatever the status; kind is the sentinel
// to assume when Matomo's message does not say (nil: none). API reads and invalidations are
// idempotent, so every failure may be retried.
func (c *Client) api(ctx context.Context, method string, params url.Values, out any, kind error) error {
	return c.apiCall(ctx, method, params, out, kind, true)
}

// apiCall is api for any method; a call that is not idempotent (one that creates something) is
// not repeated after a request went out and its reply was lost, since Matomo may have done it.
func (c *Client) apiCall(ctx context.Context, method string, params url.Values, out any, kind error, idempotent bool) error {
	q := url.Values{"module": {"API"}, "method": {method}, "format": {"json"}}
	for k, v := range params {
		q[k] = v
	}
	var body []byte
	if c.target.Token != "" {
		body = append([]byte("token_auth="), url.QueryEscape(c.target.Token)...)
	}
	cl := call{
		what: method, method: http.MethodPost, url: c.apiURL + "?" + q.Encode(),
		body: newSharedBody(&body, false, contentForm), keep: maxAPIReply,
		retryUncertain: idempotent, idempotent: idempotent,
	}
	ex, _, err := c.do(ctx, &cl)
	if apiErr := c.apiError(method, ex.body, kind); apiErr != nil {
		apiErr.Status = ex.status
		return apiErr
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(ex.body, out); err != nil {
		return fmt.Errorf("matomo: %s: reply is not the expected JSON (%s): %w",
			method, describeBody(ex.contentType, ex.body), err)
	}
	return nil
}

// apiError recognises Matomo's error object.
func (c *Client) apiError(method string, body []byte, kind error) *APIError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil
	}
	var e struct {
		Result  string `json:"result"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil || e.Result != "error" {
		return nil
	}
	return newAPIError(method, e.Message, c.target.Token, kind)
}

// CallAPI calls a Reporting API method this package has no typed call for (a report such as
// VisitsSummary.get, say) and decodes its JSON reply into out. The token goes in the POST body,
// like every call here, and an error reply is an *APIError. The call is retried like the typed
// reads, so it must be one that may safely run twice.
func (c *Client) CallAPI(ctx context.Context, method string, params url.Values, out any) error {
	return c.api(ctx, method, params, out, nil)
}

// AddSite creates a website (SitesManager.addSite, super user only) with one URL, ecommerce on
// or off and a time zone (an IANA name such as "UTC"), and returns its id. A request whose reply
// was lost is not repeated, since Matomo may have created the site.
func (c *Client) AddSite(ctx context.Context, name, siteURL string, ecommerce bool, timezone string) (int, error) {
	const method = "SitesManager.addSite"
	ecom := "0"
	if ecommerce {
		ecom = "1"
	}
	var v struct {
		Value flexInt `json:"value"`
	}
	params := url.Values{"siteName": {name}, "urls[]": {siteURL}, "ecommerce": {ecom}, "timezone": {timezone}}
	if err := c.apiCall(ctx, method, params, &v, nil, false); err != nil {
		return 0, err
	}
	if v.Value <= 0 {
		return 0, fmt.Errorf("matomo: %s: reply has no site id", method)
	}
	return int(v.Value), nil
}

// Version returns Matomo's version (API.getMatomoVersion). It needs view access to some site,
// so it doubles as a token check: a bad token gives an error wrapping ErrAuth.
func (c *Client) Version(ctx context.Context) (string, error) {
	var v struct {
		Value string `json:"value"`
	}
	if err := c.api(ctx, "API.getMatomoVersion", nil, &v, nil); err != nil {
		return "", err
	}
	if v.Value == "" {
		return "", errors.New("matomo: API.getMatomoVersion: reply has no version")
	}
	return v.Value, nil
}

// Site is what the loader needs to know about a site: its timezone decides which UTC hours
// make a backfill day, its currency labels revenue, Ecommerce whether orders make sense.
type Site struct {
	ID        int
	Name      string
	MainURL   string
	Timezone  string
	Currency  string
	Ecommerce bool
}

// siteJSON is SitesManager's row; Matomo sends numbers as strings, and older versions use a
// one-element array.
type siteJSON struct {
	ID        flexInt `json:"idsite"`
	Name      string  `json:"name"`
	MainURL   string  `json:"main_url"`
	Timezone  string  `json:"timezone"`
	Currency  string  `json:"currency"`
	Ecommerce flexInt `json:"ecommerce"`
}

// Site fetches a site (SitesManager.getSiteFromId). A missing site, or one the token cannot see,
// is an error wrapping ErrNotFound or ErrAuth.
func (c *Client) Site(ctx context.Context, id int) (Site, error) {
	const method = "SitesManager.getSiteFromId"
	var raw json.RawMessage
	if err := c.api(ctx, method, url.Values{"idSite": {strconv.Itoa(id)}}, &raw, ErrNotFound); err != nil {
		return Site{}, err
	}
	var s siteJSON
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] == '[' {
		var list []siteJSON
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return Site{}, fmt.Errorf("matomo: %s: %w", method, err)
		}
		if len(list) > 0 {
			s = list[0]
		}
	} else if err := json.Unmarshal(trimmed, &s); err != nil {
		return Site{}, fmt.Errorf("matomo: %s: %w", method, err)
	}
	if s.ID == 0 {
		return Site{}, fmt.Errorf("matomo: %s: site %d: %w", method, id, ErrNotFound)
	}
	return Site{ID: int(s.ID), Name: s.Name, MainURL: s.MainURL, Timezone: s.Timezone,
		Currency: s.Currency, Ecommerce: s.Ecommerce != 0}, nil
}

// InvalidateArchivedReports marks the given days (YYYY-MM-DD) of the sites for re-archiving
// (CoreAdminHome.invalidateArchivedReports, period=day; Matomo cascades up to weeks, months and
// years), so reports include backfilled traffic. It returns Matomo's log lines.
func (c *Client) InvalidateArchivedReports(ctx context.Context, siteIDs []int, dates []string) ([]string, error) {
	if len(siteIDs) == 0 || len(dates) == 0 {
		return nil, errors.New("matomo: CoreAdminHome.invalidateArchivedReports: need at least one site and one date")
	}
	var lines []string
	err := c.api(ctx, "CoreAdminHome.invalidateArchivedReports", url.Values{
		"idSites": {joinInts(siteIDs)},
		"dates":   {joinStrings(dates)},
		"period":  {"day"},
	}, &lines, nil)
	return lines, err
}

func joinInts(ids []int) string {
	b := make([]byte, 0, 8*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	return string(b)
}

func joinStrings(s []string) string {
	b := make([]byte, 0, 11*len(s))
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, v...)
	}
	return string(b)
}
