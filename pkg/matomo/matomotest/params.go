package matomotest

import (
	"net/url"
	"strconv"
	"strings"
)

// params are the tracking parameters the server looks at. Parsing them without building
// url.Values keeps a bulk hit down to a few allocations; fields that are only tested for
// presence (url, action_name, link, ...) stay URL-encoded and are decoded only when kept.
type params struct {
	idsite, rec, cid, vid, uid  string
	cip, cdt, cdo               string
	eC, eA                      string
	anyEvent                    bool
	idgoal, revenue             string
	ecID, ecItems               string
	geo                         bool
	newVisit, ping, sendImage   string
	bots                        string
	search, link, download      string
	contentName                 string
	contentInteraction          string
	contentPiece, contentTarget bool
	perf                        [numPerf]string
	dims                        []dimParam
	rawURL, rawTitle            string
	token                       string
	hasToken                    bool // a token_auth key was present, even empty
	ua, lang, res               string
}

// parseParams reads a query string the way PHP fills $_GET: pairs split on '&', the last
// occurrence of a key wins, and undecodable escapes are kept as they are.
func parseParams(q string) params {
	var p params
	for q != "" {
		var pair string
		pair, q, _ = strings.Cut(q, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		p.set(unescape(k), v)
	}
	return p
}

// set stores one parameter; v is still URL-encoded.
func (p *params) set(k, v string) {
	switch k {
	case "idsite":
		p.idsite = unescape(v)
	case "rec":
		p.rec = unescape(v)
	case "cid":
		p.cid = unescape(v)
	case "_id":
		p.vid = unescape(v)
	case "uid":
		p.uid = unescape(v)
	case "cip":
		p.cip = unescape(v)
	case "cdt":
		p.cdt = unescape(v)
	case "cdo":
		p.cdo = unescape(v)
	case "token_auth":
		p.token = unescape(v)
		p.hasToken = true
	case "ping":
		p.ping = unescape(v)
	case "new_visit":
		p.newVisit = unescape(v)
	case "send_image":
		p.sendImage = unescape(v)
	case "bots":
		p.bots = unescape(v)
	default:
		p.setAction(k, v)
	}
}

// setAction stores the parameters that decide what kind of hit this is.
func (p *params) setAction(k, v string) {
	switch k {
	case "url":
		p.rawURL = v
	case "action_name":
		p.rawTitle = v
	case "e_c":
		p.eC = unescape(v)
		p.anyEvent = p.anyEvent || v != ""
	case "e_a":
		p.eA = unescape(v)
		p.anyEvent = p.anyEvent || v != ""
	case "e_n", "e_v":
		p.anyEvent = p.anyEvent || v != ""
	case "idgoal":
		p.idgoal = unescape(v)
	case "revenue":
		p.revenue = unescape(v)
	case "ec_id":
		p.ecID = unescape(v)
	case "ec_items":
		p.ecItems = unescape(v)
	case "search":
		p.search = v
	case "link":
		p.link = v
	case "download":
		p.download = v
	case "c_n":
		p.contentName = v
	case "c_i":
		p.contentInteraction = v
	case "c_p":
		p.contentPiece = v != ""
	case "c_t":
		p.contentTarget = v != ""
	case "pf_net", "pf_srv", "pf_tfr", "pf_dm1", "pf_dm2", "pf_onl":
		p.perf[perfIndex(k)] = unescape(v)
	case "country", "region", "city", "lat", "long":
		p.geo = p.geo || v != ""
	case "ua":
		p.ua = v
	case "lang":
		p.lang = v
	case "res":
		p.res = v
	default:
		if strings.HasPrefix(k, "dimension") {
			p.setDimension(k, v)
		}
	}
}

// dimParam is a dimensionN parameter: the custom dimension id and its (still encoded) value.
type dimParam struct {
	id  int
	raw string
}

// setDimension keeps dimensionN=value; the last occurrence of an id wins, as in PHP.
func (p *params) setDimension(k, v string) {
	id, err := strconv.Atoi(k[len("dimension"):])
	if err != nil || id < 1 {
		return
	}
	for i := range p.dims {
		if p.dims[i].id == id {
			p.dims[i].raw = v
			return
		}
	}
	p.dims = append(p.dims, dimParam{id: id, raw: v})
}

// unescape decodes a query component, leaving it untouched when it holds no escapes or a broken one.
func unescape(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] != '%' && s[i] != '+'
	}
	if plain {
		return s
	}
	d, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return d
}

// phpInt converts like PHP's Common::getRequestVar(..., 'int'): a non-numeric value yields def.
func phpInt(s string, def int64) int64 {
	if s == "" {
		return def
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f)
	}
	return def
}

// phpFloat converts a numeric string; anything else is 0.
func phpFloat(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0
	}
	return f
}

// stripToken returns raw with every token_auth pair removed, so that nothing the server hands
// back to a test (Requests, APICalls) can leak a token.
func stripToken(raw string) string {
	if !strings.Contains(raw, "token_auth") {
		return raw
	}
	var b strings.Builder
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, _, _ := strings.Cut(pair, "=")
		if pair == "" || unescape(k) == "token_auth" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(pair)
	}
	return b.String()
}
