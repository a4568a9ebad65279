package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// A custom dimension the site lacks, or has deactivated, is a warning naming the target and the id
// (Matomo would drop its values silently); the run goes on. The dimension reads carry the token in
// the body, and nothing prints it.
func TestDimensionsCheckedAgainstSite(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token, Dimensions: map[int][]matomotest.Dimension{
		1: {{ID: 1, Scope: matomotest.ScopeVisit, Name: "Plan"}, {ID: 2, Scope: matomotest.ScopeAction, Name: "Author", Inactive: true}}}})
	defer srv.Close()
	dims := filepath.Join(t.TempDir(), "dims.json")
	if err := os.WriteFile(dims, []byte(`{"dimensions":[{"id":1,"scope":"visit","values":["a"]},`+
		`{"id":2,"scope":"action","values":["b"]},{"id":9,"scope":"visit","values":["c"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "TARGET_VISITS_PER_DAY": "50000000",
		"PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0", "MAX_TOTAL_VISITS": "5", "SEED": "1",
		"CUSTOM_DIMENSIONS_FILE": dims,
	}
	code, out, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	for _, want := range []string{
		`custom dimension 2 (Author) of target \"default\" (site 1) is inactive`,
		`target \"default\" (site 1) has no custom dimension 9`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, "custom dimension 1 ") {
		t.Errorf("dimension 1 exists and is active, yet it is reported:\n%s", errs)
	}
	// The run went on and sent the dimensions: Matomo keeps dimension 1's values, on each of the five
	// visits of the run (not on the earlier visits of returning visitors it adds), and drops those
	// of the inactive 2 and the absent 9.
	sum := srv.Summary()
	if sum.Dimensions[1]["a"] != 5 || len(sum.Dimensions[2]) != 0 ||
		sum.IgnoredDimensions[2] == 0 || sum.IgnoredDimensions[9] == 0 {
		t.Errorf("visits %d, dimensions %v, ignored %v", sum.Visits, sum.Dimensions, sum.IgnoredDimensions)
	}
	if strings.Contains(out+errs, token) {
		t.Fatal("token printed")
	}
}

// A goal in GOALS that the target's site lacks stops the run before any hit, with an error that
// names the target, the site, the goal and the site's goals; Matomo would reject every conversion.
func TestUnknownGoalIsFatal(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := matomotest.NewServer(matomotest.Options{Token: token,
		GoalDefs: map[int][]matomotest.Goal{1: {{ID: 1, Name: "Signup"}, {ID: 2, Name: "Trial"}}}})
	defer srv.Close()
	for _, mode := range []map[string]string{
		{},
		{"BACKFILL_ENABLED": "true", "BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "1", "BACKFILL_MAX_VISITS_PER_DAY": "20",
			"BACKFILL_STATE_FILE": filepath.Join(t.TempDir(), "state.json")},
	} {
		env := map[string]string{
			"MATOMO_URL": srv.TrackingURL(), "MATOMO_TOKEN_AUTH": token, "TARGET_VISITS_PER_DAY": "50000000",
			"PAUSE_BETWEEN_PVS_MIN": "0", "PAUSE_BETWEEN_PVS_MAX": "0", "MAX_TOTAL_VISITS": "5", "TIMEZONE": "UTC",
			"GOALS": "2:0.1,7:0.05",
		}
		for k, v := range mode {
			env[k] = v
		}
		code, out, errs := runCLI(t, env)
		want := `GOALS=\"7\": target \"default\" (site 1) has no goal 7, so Matomo would reject every conversion of it with 400; the site's goals are 1 (Signup), 2 (Trial)`
		if code != exitInvalid || !strings.Contains(errs, want) {
			t.Fatalf("exit %d, want %d and %q:\n%s", code, exitInvalid, want, errs)
		}
		if !strings.Contains(out, `"fatal":true`) {
			t.Errorf("no fatal error record:\n%s", out)
		}
		if n := srv.Summary().Hits; n != 0 { // the empty probe bulk of the redirect check carries none
			t.Fatalf("%d hits were sent", n)
		}
	}
}
