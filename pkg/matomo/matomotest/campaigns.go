package matomotest

import (
	"net/url"
	"strings"
)

// Matomo's campaign_var_name and campaign_keyword_var_name, in its order of precedence.
var (
	campaignNameParams    = []string{"pk_cpn", "pk_campaign", "piwik_campaign", "mtm_campaign", "matomo_campaign", "utm_campaign", "utm_source", "utm_medium"}
	campaignKeywordParams = []string{"pk_kwd", "pk_keyword", "piwik_kwd", "mtm_kwd", "mtm_keyword", "matomo_kwd", "utm_term"}
	campaignSourceParams  = []string{"mtm_source", "pk_source", "utm_source"}
	campaignMediumParams  = []string{"mtm_medium", "pk_medium", "utm_medium"}
	campaignFieldParams   = map[string][]string{
		"keyword": {"mtm_keyword", "mtm_kwd", "pk_keyword", "pk_kwd", "utm_term"},
		"content": {"mtm_content", "pk_content", "utm_content"},
		"cid":     {"mtm_cid", "pk_cid", "utm_id"},
	}
)

// campaignTag is the campaign a visit landed with.
type campaignTag struct {
	name, keyword, param string
	source, medium       string
	fields               []string // which of keyword, content, cid were present
}

// landingCampaign reads the campaign parameters from a hit's (encoded) url parameter the way
// Matomo's Referrers plugin does; nil when there is none.
func landingCampaign(rawURL string) *campaignTag {
	if rawURL == "" || !strings.Contains(rawURL, "_") {
		return nil // every campaign parameter has an underscore; most pageviews skip the parse
	}
	u, err := url.Parse(unescape(rawURL))
	if err != nil {
		return nil
	}
	if c := campaignFrom(u.RawQuery); c != nil {
		return c
	}
	return campaignFrom(u.Fragment)
}

func campaignFrom(raw string) *campaignTag {
	if raw == "" {
		return nil
	}
	q, _ := url.ParseQuery(raw)
	first := func(names []string) (string, string) {
		for _, n := range names {
			if v := strings.TrimSpace(q.Get(n)); v != "" {
				return v, n
			}
		}
		return "", ""
	}
	name, param := first(campaignNameParams)
	if name == "" {
		return nil
	}
	c := &campaignTag{name: strings.ToLower(name), param: param}
	kw, _ := first(campaignKeywordParams)
	c.keyword = strings.ToLower(kw)
	c.source, _ = first(campaignSourceParams)
	c.medium, _ = first(campaignMediumParams)
	for _, f := range []string{"keyword", "content", "cid"} {
		if v, _ := first(campaignFieldParams[f]); v != "" {
			c.fields = append(c.fields, f)
		}
	}
	return c
}
