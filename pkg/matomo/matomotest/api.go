package matomotest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// access is what a token may do in the Reporting API.
type access uint8

const (
	accessNone access = iota
	accessView
	accessSuper
)

// msgNoViewAccess is Matomo's answer to a call without a usable token.
const msgNoViewAccess = "You can't access this resource as it requires view access for at least one website."

// apiError is an error reply: {"result":"error","message":...} with an HTTP status.
type apiError struct {
	status  int
	message string
}

// apiMethod implements one Reporting API method.
type apiMethod func(s *Server, st *state, q url.Values, acc access) (any, *apiError)

var apiMethods = map[string]apiMethod{
	"API.getMatomoVersion":                           apiVersion,
	"API.getPiwikVersion":                            apiVersion,
	"SitesManager.getSiteFromId":                     apiSite,
	"SitesManager.getSitesIdWithAtLeastViewAccess":   apiSiteIDs,
	"CoreAdminHome.invalidateArchivedReports":        apiInvalidate,
	"Live.getLastVisitsDetails":                      apiLive,
	"VisitsSummary.get":                              apiVisitsSummary,
	"Actions.getPageUrls":                            apiPageURLs,
	"Referrers.getReferrerType":                      apiReferrerType,
	"Goals.get":                                      apiGoals,
	"Goals.getGoals":                                 apiGoalList,
	"CustomDimensions.getConfiguredCustomDimensions": apiDimensions,
}

// serveIndex answers index.php: the Reporting API when module=API, a plain page otherwise.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeAPI(w, http.StatusBadRequest, errorBody("Invalid request parameters."))
		return
	}
	if r.Form.Get("module") != "API" {
		writeHTML(w, http.StatusOK, "<!DOCTYPE html>\n<html><head><title>Matomo</title></head><body>Matomo</body></html>\n")
		return
	}
	s.serveAPI(w, r)
}

// serveAPI dispatches a Reporting API call. The token may come in the body or the query string;
// the call is recorded without it.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	st := s.state()
	q := phpValues(r)
	method := q.Get("method")
	params := maps.Clone(q)
	delete(params, "token_auth")
	st.api.add(APICall{Time: s.opts.Now(), Method: method, Params: params})

	fn, ok := apiMethods[method]
	if !ok {
		writeAPI(w, http.StatusOK, errorBody(unknownMethod(method)))
		return
	}
	acc := s.accessOf(q.Get("token_auth"))
	if acc == accessNone {
		writeAPI(w, http.StatusUnauthorized, errorBody(msgNoViewAccess))
		return
	}
	if !pause(s.apiDelay(method), r.Context().Done(), s.closed) {
		return // the client went away while the report was being "archived"
	}
	res, aerr := fn(s, st, q, acc)
	if aerr != nil {
		writeAPI(w, aerr.status, errorBody(aerr.message))
		return
	}
	writeAPI(w, http.StatusOK, res)
}

// phpValues merges query and form parameters into one value per key, the last one as PHP keeps it
// (form values after query values).
func phpValues(r *http.Request) url.Values {
	out := url.Values{}
	for _, vals := range []url.Values{r.URL.Query(), r.PostForm} {
		for k, v := range vals {
			out[k] = v[len(v)-1:]
		}
	}
	return out
}

// unknownMethod is Matomo's message for a method it does not have.
func unknownMethod(method string) string {
	module, name, ok := strings.Cut(method, ".")
	if !ok {
		return fmt.Sprintf("The method '%s' does not exist or is not available in the module 'API'.", method)
	}
	return fmt.Sprintf("The method '%s' does not exist or is not available in the module '\\Piwik\\Plugins\\%s\\API'.",
		name, module)
}

func (s *Server) accessOf(tok string) access {
	if s.tokenValid(tok) {
		return accessSuper
	}
	if tok != "" && slices.Contains(s.opts.ViewTokens, tok) {
		return accessView
	}
	return accessNone
}

func errorBody(msg string) map[string]string {
	return map[string]string{"result": "error", "message": msg}
}

func writeAPI(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"result":"error","message":"internal error"}`)
	}
	writeReply(w, status, "application/json; charset=utf-8", b)
}

func apiVersion(s *Server, _ *state, _ url.Values, _ access) (any, *apiError) {
	return map[string]string{"value": s.opts.Version}, nil
}

func apiSiteIDs(s *Server, _ *state, _ url.Values, _ access) (any, *apiError) {
	ids := make([]int, len(s.sites))
	for i, sc := range s.sites {
		ids[i] = sc.id
	}
	return ids, nil
}

// siteRow is SitesManager.getSiteFromId's reply; Matomo returns the database row, so numbers are strings.
type siteRow struct {
	IDSite                       string `json:"idsite"`
	Name                         string `json:"name"`
	MainURL                      string `json:"main_url"`
	TSCreated                    string `json:"ts_created"`
	Ecommerce                    string `json:"ecommerce"`
	SiteSearch                   string `json:"sitesearch"`
	SiteSearchKeywordParameters  string `json:"sitesearch_keyword_parameters"`
	SiteSearchCategoryParameters string `json:"sitesearch_category_parameters"`
	Timezone                     string `json:"timezone"`
	Currency                     string `json:"currency"`
	ExcludeUnknownURLs           string `json:"exclude_unknown_urls"`
	ExcludedIPs                  string `json:"excluded_ips"`
	ExcludedParameters           string `json:"excluded_parameters"`
	ExcludedUserAgents           string `json:"excluded_user_agents"`
	ExcludedReferrers            string `json:"excluded_referrers"`
	Group                        string `json:"group"`
	Type                         string `json:"type"`
	KeepURLFragment              string `json:"keep_url_fragment"`
	CreatorLogin                 string `json:"creator_login"`
}

// viewSite finds the site of an idSite parameter with Matomo's errors for an unknown one.
func (s *Server) viewSite(q url.Values, acc access) (*siteConf, *apiError) {
	raw := q.Get("idSite")
	id, err := strconv.Atoi(raw)
	sc := s.siteByID[id]
	if err != nil || sc == nil {
		if acc != accessSuper {
			return nil, &apiError{http.StatusUnauthorized,
				fmt.Sprintf("You can't access this resource as it requires 'view' access for the website id = %s.", raw)}
		}
		return nil, &apiError{http.StatusOK,
			fmt.Sprintf("An unexpected website was found in the request: website id was set to '%s' .", raw)}
	}
	return sc, nil
}

// goalRow is a Goals.getGoals entry: the goal table's row; a real Matomo 5.0.2 renders it with
// JSON numbers (unlike most rows) and leaves out the pattern fields of a manual goal.
type goalRow struct {
	IDSite              int     `json:"idsite"`
	IDGoal              int     `json:"idgoal"`
	Name                string  `json:"name"`
	Description         string  `json:"description"`
	MatchAttribute      string  `json:"match_attribute"`
	AllowMultiple       int     `json:"allow_multiple"`
	Revenue             float64 `json:"revenue"`
	Deleted             int     `json:"deleted"`
	EventValueAsRevenue int     `json:"event_value_as_revenue"`
}

// apiGoalList answers Goals.getGoals: the site's goals in id order, as observed from Matomo 5.0.2.
func apiGoalList(s *Server, _ *state, q url.Values, acc access) (any, *apiError) {
	sc, aerr := s.viewSite(q, acc)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]goalRow, len(sc.goalList))
	for i, g := range sc.goalList {
		multiple := 0
		if g.AllowMultiple {
			multiple = 1
		}
		out[i] = goalRow{IDSite: sc.id, IDGoal: g.ID, Name: g.Name, MatchAttribute: "manually",
			AllowMultiple: multiple, Revenue: g.Revenue}
	}
	return out, nil
}

// dimensionRow is a CustomDimensions.getConfiguredCustomDimensions entry.
type dimensionRow struct {
	ID            string `json:"idcustomdimension"`
	IDSite        string `json:"idsite"`
	Name          string `json:"name"`
	Index         string `json:"index"`
	Scope         string `json:"scope"`
	Active        bool   `json:"active"`
	Extractions   []any  `json:"extractions"`
	CaseSensitive bool   `json:"case_sensitive"`
}

// apiDimensions answers CustomDimensions.getConfiguredCustomDimensions: every configured
// dimension of the site, active or not.
func apiDimensions(s *Server, _ *state, q url.Values, acc access) (any, *apiError) {
	sc, aerr := s.viewSite(q, acc)
	if aerr != nil {
		return nil, aerr
	}
	out := make([]dimensionRow, len(sc.dimList))
	index := map[string]int{}
	for i, d := range sc.dimList {
		index[d.Scope]++
		out[i] = dimensionRow{ID: strconv.Itoa(d.ID), IDSite: strconv.Itoa(sc.id), Name: d.Name,
			Index: strconv.Itoa(index[d.Scope]), Scope: d.Scope, Active: !d.Inactive, Extractions: []any{}, CaseSensitive: true}
	}
	return out, nil
}

func apiSite(s *Server, _ *state, q url.Values, acc access) (any, *apiError) {
	sc, aerr := s.viewSite(q, acc)
	if aerr != nil {
		return nil, aerr
	}
	ecommerce := "1"
	if sc.info.NoEcommerce {
		ecommerce = "0"
	}
	return siteRow{
		IDSite: strconv.Itoa(sc.id), Name: sc.info.Name, MainURL: sc.info.MainURL,
		TSCreated: "2024-01-01 00:00:00", Ecommerce: ecommerce, SiteSearch: "1",
		Timezone: sc.info.Timezone, Currency: sc.info.Currency, ExcludeUnknownURLs: "0",
		Type: "website", KeepURLFragment: "0", CreatorLogin: "admin",
	}, nil
}

// apiInvalidate records CoreAdminHome.invalidateArchivedReports (the call itself is in APICalls)
// and answers Matomo's success line.
func apiInvalidate(s *Server, _ *state, q url.Values, acc access) (any, *apiError) {
	ids, aerr := s.parseSiteList(q.Get("idSites"))
	if aerr != nil {
		return nil, aerr
	}
	if acc != accessSuper {
		return nil, &apiError{http.StatusUnauthorized, fmt.Sprintf(
			"You can't access this resource as it requires 'admin' access for the website id = %d.", ids[0])}
	}
	var dates []string
	for d := range strings.SplitSeq(q.Get("dates"), ",") {
		d = strings.TrimSpace(d)
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, &apiError{http.StatusOK, fmt.Sprintf("The date '%s' is not a correct date.", d)}
		}
		if !slices.Contains(dates, d) {
			dates = append(dates, d)
		}
	}
	switch q.Get("period") {
	case "", "day", "week", "month", "year", "range":
	default:
		return nil, &apiError{http.StatusOK, fmt.Sprintf("The period '%s' is not supported.", q.Get("period"))}
	}
	return []string{"Success. The following dates were invalidated successfully: " + strings.Join(dates, ", ")}, nil
}

// parseSiteList reads an idSites parameter: "all" or a comma list of existing ids.
func (s *Server) parseSiteList(raw string) ([]int, *apiError) {
	if raw == "all" {
		ids := make([]int, len(s.sites))
		for i, sc := range s.sites {
			ids[i] = sc.id
		}
		return ids, nil
	}
	var ids []int
	for part := range strings.SplitSeq(raw, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || s.siteByID[id] == nil {
			return nil, &apiError{http.StatusOK,
				fmt.Sprintf("An unexpected website was found in the request: website id was set to '%s' .", part)}
		}
		ids = append(ids, id)
	}
	return ids, nil
}
