package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// Tokens read from files (as the control passes them, so that no token is in a container's
// environment) reach their own targets: a backfill into two Matomos, each of which accepts only
// its own token for hits older than 24 hours.
func TestBackfillWithTokenFiles(t *testing.T) {
	tokens := []string{"0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"}
	dir := t.TempDir()
	var targets []string
	var servers []*matomotest.Server
	for i, tok := range tokens {
		srv := matomotest.NewServer(matomotest.Options{Token: tok})
		defer srv.Close()
		servers = append(servers, srv)
		file := filepath.Join(dir, fmt.Sprintf("token-%d", i))
		if err := os.WriteFile(file, []byte(tok+"\n"), 0o400); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, fmt.Sprintf(`{"name":"t%d","url":%q,"site_id":1,"token_auth_file":%q}`, i, srv.TrackingURL(), file))
	}
	env := map[string]string{"MATOMO_TARGETS": "[" + strings.Join(targets, ",") + "]", "TARGET_MODE": "mirror",
		"BACKFILL_ENABLED": "true", "BACKFILL_DAYS_BACK": "3", "BACKFILL_DURATION_DAYS": "2",
		"BACKFILL_MAX_VISITS_PER_DAY": "20", "TIMEZONE": "UTC", "BACKFILL_STATE_FILE": filepath.Join(dir, "state.json"),
		"RETURNING_VISITOR_PROBABILITY": "0", "BOT_PROBABILITY": "0"} // only the window's visits
	code, out, errs := runCLI(t, env)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	for i, srv := range servers {
		if s := srv.Summary(); s.Visits != 40 || s.Invalid != 0 {
			t.Errorf("target %d: %d visits, %d invalid (%v); want 40 valid", i, s.Visits, s.Invalid, s.InvalidByReason)
		}
	}
	for _, tok := range tokens {
		if strings.Contains(out+errs, tok) {
			t.Fatal("a token was printed")
		}
	}

	// A token file that cannot be read is a configuration error, named with its path.
	env["MATOMO_TARGETS"] = strings.Replace(env["MATOMO_TARGETS"], "token-1", "missing", 1)
	code, _, errs = runCLI(t, env, "validate")
	if code != exitInvalid || !strings.Contains(errs, "MATOMO_TARGETS[1].token_auth_file") || !strings.Contains(errs, "missing") {
		t.Errorf("validate with a missing token file: exit %d:\n%s", code, errs)
	}
}
