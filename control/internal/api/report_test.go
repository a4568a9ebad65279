package api

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/pkg/compare"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// mirrorRecords are a mirror run's records in which "new" answers with half the p95 of "old".
func mirrorRecords() []compare.Record {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts := func(name string, p95 float64) report.TargetStats {
		return report.TargetStats{Target: name, Counters: report.Counters{HitsSent: 100, HitsTracked: 100}, LatencyP95ms: p95}
	}
	return []compare.Record{
		{Value: &report.Start{Header: report.Header{Time: at}, Targets: []string{"old", "new <b>"}, TargetMode: "mirror", VisitsPerDay: 1e6}},
		{Value: &report.Summary{Header: report.Header{Time: at.Add(time.Minute)}, Seconds: 60,
			Targets: []report.TargetStats{ts("old", 200), ts("new <b>", 100)}}},
	}
}

func TestRunReport(t *testing.T) {
	e := newEnv(t)
	id := e.saveConfig("c", nil)
	var v runs.View
	e.mustStatus(http.StatusCreated, http.MethodPost, "/api/runs", map[string]any{"config_id": id}, &v)
	e.runs.setRecords(v.ID, mirrorRecords()...)
	path := "/api/runs/" + v.ID + "/report"

	var rep compare.Report
	e.mustStatus(http.StatusOK, http.MethodGet, path, nil, &rep)
	if rep.Faster != "new <b>" || rep.Baseline != "old" || len(rep.Verdicts) == 0 ||
		!strings.Contains(rep.Headline, "tracking p95 −50% (200 → 100 ms) at 1M visits/day") {
		t.Errorf("report %+v", rep)
	}
	e.mustStatus(http.StatusOK, http.MethodGet, path+"?baseline=new+%3Cb%3E&format=json", nil, &rep)
	if rep.Baseline != "new <b>" || rep.Faster != "new <b>" || rep.Verdicts[0].Outcome != compare.OutcomeWorse {
		t.Errorf("with the other baseline %+v", rep)
	}

	resp, page := e.request(http.MethodGet, path+"?format=html", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("html: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
		t.Errorf("policy of the page %q", csp)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `inline; filename="trafficinator-run-`+v.ID+`.html"` {
		t.Errorf("disposition %q", cd)
	}
	if !strings.Contains(string(page), "new &lt;b&gt; is faster than old") || strings.Contains(string(page), "<b>") {
		t.Errorf("page lacks the escaped headline:\n%s", page)
	}

	bad := []struct {
		name, query, field string
		status             int
	}{
		{"unknown format", "?format=xml", "format", http.StatusBadRequest},
		{"unknown baseline", "?baseline=nope", "baseline", http.StatusBadRequest},
		{"a baseline too long", "?baseline=" + strings.Repeat("x", 201), "baseline", http.StatusBadRequest},
	}
	for _, b := range bad {
		var eb ErrorBody
		e.mustStatus(b.status, http.MethodGet, path+b.query, nil, &eb)
		if len(eb.Errors) != 1 || eb.Errors[0].Field != b.field {
			t.Errorf("%s: %+v", b.name, eb)
		}
	}
	e.mustStatus(http.StatusNotFound, http.MethodGet, "/api/runs/000000000000/report", nil, nil)
	if resp, _ := e.requestKey("", http.MethodGet, path, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a key: %d", resp.StatusCode)
	}
}

// The OpenAPI document describes the report in both media types, and its query parameters.
func TestOpenAPIDescribesReport(t *testing.T) {
	e := newEnv(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name string } `json:"parameters"`
			Responses  map[string]struct {
				Content map[string]map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	e.mustStatus(http.StatusOK, http.MethodGet, "/api/openapi.json", nil, &doc)
	op := doc.Paths["/api/runs/{id}/report"]["get"]
	content := op.Responses["200"].Content
	if content["application/json"] == nil || content["text/html"] == nil || len(op.Parameters) != 3 {
		t.Errorf("report operation %+v", op)
	}
	for _, name := range []string{"CompareReport", "CompareVerdict", "CompareCapacity", "CompareProbeSeries", "ReportStep"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("no schema %s", name)
		}
	}
}
