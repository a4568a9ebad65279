package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// standIn plays the real Matomo in tests: matomotest's server, plus the two Reporting API methods
// the benchmark needs that matomotest does not have. SitesManager.addSite hands out ids from a
// pool of sites the server already knows (2, 3, …), and VisitsSummary.get reports the visits and
// actions matomotest built from what it tracked, in Matomo's shape (an object keyed by date, []
// for a day without visits).
type standIn struct {
	*matomotest.Server
	srv   *httptest.Server
	token string

	mu      sync.Mutex
	created []string // names of the sites added
	next    int
	leaks   atomic.Int64 // requests that carried the token in their URL
}

const standInSites = 16

func newStandIn(t *testing.T, token string) *standIn {
	t.Helper()
	ids := make([]int, standInSites)
	for i := range ids {
		ids[i] = i + 1
	}
	s := &standIn{token: token, next: 2,
		Server: matomotest.NewUnstartedServer(matomotest.Options{Sites: ids, Token: token, Version: "5.0.2"})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.RawQuery, s.token) {
		s.leaks.Add(1)
		http.Error(w, "token in URL", http.StatusBadRequest)
		return
	}
	if strings.HasSuffix(r.URL.Path, "/index.php") {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		switch r.Form.Get("method") {
		case "SitesManager.addSite":
			s.addSite(w, r)
			return
		case "VisitsSummary.get":
			s.visitsSummary(w, r)
			return
		}
	}
	s.Handler().ServeHTTP(w, r)
}

func (s *standIn) authorised(w http.ResponseWriter, r *http.Request) bool {
	if r.PostForm.Get("token_auth") == s.token {
		return true
	}
	writeJSON(w, http.StatusUnauthorized, map[string]string{"result": "error",
		"message": "You can't access this resource as it requires 'superuser' access."})
	return false
}

func (s *standIn) addSite(w http.ResponseWriter, r *http.Request) {
	if !s.authorised(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.next > standInSites || r.Form.Get("siteName") == "" || r.Form.Get("urls[]") == "" ||
		r.Form.Get("timezone") != "UTC" || r.Form.Get("ecommerce") != "1" {
		writeJSON(w, http.StatusOK, map[string]string{"result": "error", "message": "unexpected addSite call"})
		return
	}
	s.created = append(s.created, r.Form.Get("siteName"))
	writeJSON(w, http.StatusOK, map[string]int{"value": s.next})
	s.next++
}

func (s *standIn) visitsSummary(w http.ResponseWriter, r *http.Request) {
	if !s.authorised(w, r) {
		return
	}
	site, _ := strconv.Atoi(r.Form.Get("idSite"))
	from, to, _ := strings.Cut(r.Form.Get("date"), ",")
	start, err1 := time.Parse(time.DateOnly, from)
	end, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || r.Form.Get("period") != "day" {
		writeJSON(w, http.StatusOK, map[string]string{"result": "error", "message": "bad date or period"})
		return
	}
	days := s.Summary().PerSite[site].Days
	out := map[string]any{}
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		key := d.Format(time.DateOnly)
		if ds, ok := days[key]; ok && ds.Visits > 0 {
			out[key] = map[string]any{"nb_visits": ds.Visits, "nb_actions": strconv.Itoa(ds.Actions), "nb_uniq_visitors": ds.Visitors}
		} else {
			out[key] = []any{}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *standIn) sitesCreated() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.created...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
