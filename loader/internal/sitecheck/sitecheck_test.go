package sitecheck

import (
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

const token = "0123456789abcdef0123456789abcdef"

// target is a client of site on srv with the given token.
func target(t *testing.T, srv *matomotest.Server, name string, site int, tok string) Target {
	t.Helper()
	c, err := matomo.NewClient(matomo.Target{Name: name, URL: srv.URL, SiteID: site, Token: tok},
		matomo.Options{Timeout: 5 * time.Second, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return Target{Name: name, SiteID: site, HasToken: tok != "", Client: c}
}

func TestCheck(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{
		Token: token, Sites: []int{1, 2, 3},
		GoalDefs: map[int][]matomotest.Goal{
			1: {{ID: 1, Name: "Signup"}, {ID: 2, Name: "Trial", Revenue: 10}},
			2: {{ID: 2, Name: "Trial"}, {ID: 3, Name: "Demo"}},
		},
		Dimensions: map[int][]matomotest.Dimension{
			1: {{ID: 1, Scope: matomotest.ScopeVisit, Name: "Plan"}, {ID: 2, Scope: matomotest.ScopeAction, Name: "Author", Inactive: true},
				{ID: 3, Scope: matomotest.ScopeAction, Name: "Topic"}},
		},
	})
	t.Cleanup(srv.Close)
	want := Want{GoalField: "GOALS", GoalIDs: []int{2, 4}, DimensionField: "CUSTOM_DIMENSIONS_FILE",
		Dimensions: []content.Dimension{{ID: 1, Scope: content.ScopeVisit}, {ID: 2, Scope: content.ScopeAction},
			{ID: 3, Scope: content.ScopeVisit}, {ID: 5, Scope: content.ScopeVisit}}}
	targets := []Target{
		target(t, srv, "a", 1, token),
		target(t, srv, "b", 2, token),
		target(t, srv, "tokenless", 1, ""),
		target(t, srv, "wrong-token", 1, "ffffffffffffffffffffffffffffffff"),
		target(t, srv, "no-site", 7, token),
	}
	res, probs := Check(t.Context(), targets, want)
	// Each row is a problem: error or warning, and phrases it must contain, in order.
	wantProbs := []struct {
		warning bool
		phrases []string
	}{
		{false, []string{`GOALS="4"`, `target "a" (site 1) has no goal 4`, "400", "1 (Signup), 2 (Trial)"}},
		{true, []string{"dimension 2", `(Author) of target "a" (site 1) is inactive`}},
		{true, []string{"dimension 3", `has scope "action" in Matomo; the file says "visit"`}},
		{true, []string{"dimension 5", `target "a" (site 1) has no custom dimension 5`}},
		{false, []string{`target "b" (site 2) has no goal 4`, "2 (Trial), 3 (Demo)"}},
		{true, []string{"dimension 1", `target "b" (site 2) has no custom dimension 1`}},
		{true, []string{"dimension 2", `target "b"`}},
		{true, []string{"dimension 3", `target "b"`}},
		{true, []string{"dimension 5", `target "b"`}},
		{true, []string{`target "tokenless" has no token`}},
		{true, []string{`could not read the goals of target "wrong-token"`, "view access"}},
		{true, []string{`could not read the custom dimensions of target "wrong-token"`}},
		{true, []string{`could not read the goals of target "no-site" (site 7)`, "no site 7"}},
		{true, []string{`could not read the custom dimensions of target "no-site"`}},
	}
	if len(probs) != len(wantProbs) {
		t.Fatalf("%d problems, want %d:\n%s", len(probs), len(wantProbs), list(probs))
	}
	for i, w := range wantProbs {
		p := probs[i]
		if p.IsWarning() != w.warning {
			t.Errorf("problem %d is a warning: %v, want %v: %s", i, p.IsWarning(), w.warning, p)
		}
		for _, ph := range w.phrases {
			if !strings.Contains(p.String(), ph) {
				t.Errorf("problem %d = %s\nlacks %q", i, p, ph)
			}
		}
	}
	// Only goal 2 is on both sites read.
	if res.GoalsRead != 2 || len(res.Goals) != 1 || res.Goals[0].ID != 2 || res.Goals[0].Revenue != 10 {
		t.Errorf("result %+v", res)
	}
	if strings.Contains(list(probs), token) {
		t.Error("a problem shows the token")
	}
}

// Without goal ids or dimensions in the configuration, the goals are still read (to be converted),
// dimensions are not asked for, and nothing is reported.
func TestCheckReadsGoalsOnly(t *testing.T) {
	srv := matomotest.NewServer(matomotest.Options{Token: token, GoalDefs: map[int][]matomotest.Goal{1: {{ID: 3, Name: "Demo"}}}})
	t.Cleanup(srv.Close)
	res, probs := Check(t.Context(), []Target{target(t, srv, "a", 1, token), target(t, srv, "t", 1, "")}, Want{GoalField: "GOALS"})
	if len(probs) != 0 || len(res.Goals) != 1 || res.Goals[0].Name != "Demo" {
		t.Errorf("result %+v problems %v", res, probs)
	}
	for _, c := range srv.APICalls() {
		if c.Method != "Goals.getGoals" {
			t.Errorf("unexpected call %s", c.Method)
		}
	}
	// No target read: no goals rather than an empty list.
	res, _ = Check(t.Context(), []Target{target(t, srv, "t", 1, "")}, Want{})
	if res.Goals != nil || res.GoalsRead != 0 {
		t.Errorf("result %+v", res)
	}
}

func list(ps config.Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}
