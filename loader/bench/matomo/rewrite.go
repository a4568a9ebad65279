package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// bulkBody is a BulkTracking body as the loader writes it.
type bulkBody struct {
	Requests []string `json:"requests"`
	Token    string   `json:"token_auth,omitempty"`
}

// rewriteBody retargets a captured bulk body: every request's idsite becomes site and the body's
// token becomes token (a token_auth inside a request string, which the loader never writes, is
// replaced as well). Nothing else changes, so the replay sends the loader's exact hits. It returns
// the new body and its number of requests.
func rewriteBody(body []byte, site int, token string) ([]byte, int, error) {
	var b bulkBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, 0, errors.New("not a bulk body of request strings")
	}
	if len(b.Requests) == 0 {
		return nil, 0, errors.New("bulk body has no requests")
	}
	for i, r := range b.Requests {
		b.Requests[i] = rewriteRequest(r, site, token)
	}
	b.Token = token
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // keep '&' as it is, as Matomo's clients send it
	if err := enc.Encode(b); err != nil {
		return nil, 0, err
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n")), len(b.Requests), nil
}

// rewriteRequest sets idsite (adding it first when missing) and replaces any token_auth in one
// request string ("?idsite=1&rec=1&…"), keeping every other parameter byte for byte.
func rewriteRequest(req string, site int, token string) string {
	q, hadMark := strings.CutPrefix(req, "?")
	parts := strings.Split(q, "&")
	found := false
	for i, p := range parts {
		key, _, _ := strings.Cut(p, "=")
		switch key {
		case "idsite":
			parts[i] = "idsite=" + strconv.Itoa(site)
			found = true
		case "token_auth":
			parts[i] = "token_auth=" + url.QueryEscape(token)
		}
	}
	if !found {
		parts = append([]string{"idsite=" + strconv.Itoa(site)}, parts...)
		if q == "" {
			parts = parts[:1]
		}
	}
	out := strings.Join(parts, "&")
	if hadMark {
		out = "?" + out
	}
	return out
}
