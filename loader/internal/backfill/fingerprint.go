package backfill

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// operational are the settings that change how a backfill is sent, not what is sent: they may
// change between a run and its resume. Every other setting shapes the plan or the visits (even a
// live-mode pause draws from a visit's random stream), so changing it makes a stored backfill
// someone else's.
var operational = map[string]bool{
	"MATOMO_TOKEN_AUTH": true, "TRACKING_TRANSPORT": true, "BULK_BATCH_SIZE": true,
	"HTTP_TIMEOUT": true, "HTTP_RETRIES": true, "TLS_SKIP_VERIFY": true, "CONCURRENCY": true,
	"SHUTDOWN_GRACE": true, "TRAFFIC_PROFILE": true, "INTER_ARRIVAL": true,
	"AUTO_STOP_AFTER_HOURS": true, "MAX_TOTAL_VISITS": true, "MAX_VISITS_PER_DAY": true,
	"BACKFILL_ENABLED": true, "BACKFILL_RPS_LIMIT": true, "BACKFILL_RUN_ONCE": true,
	"BACKFILL_STATE_FILE": true, "BACKFILL_INVALIDATE_REPORTS": true,
	"BACKFILL_CONCURRENCY": true, "BACKFILL_BULK_TIMEOUT": true, "BACKFILL_SETTLE_AFTER": true,
	"BACKFILL_UNSETTLED": true,
	"AUTO_START":         true, "START_SIGNAL_FILE": true, "START_CHECK_INTERVAL": true,
	"LOG_LEVEL": true, "STATS_INTERVAL": true, "METRICS_ADDR": true,
}

// secretish are settings that may hold a password (in a URL's user info): the state file keeps a
// hash of their value, and messages name them without a value.
var secretish = map[string]bool{"MATOMO_URL": true, "MATOMO_TARGETS": true}

// settings returns the plan-relevant settings of cfg as NAME=value lines, tokens removed.
// TARGET_VISITS_PER_DAY counts only when it is the per-day target.
func settings(cfg *config.Config) []string {
	var out []string
	for _, kv := range config.Encode(cfg.Redacted()) {
		name, value, _ := strings.Cut(kv, "=")
		if operational[name] || (name == "TARGET_VISITS_PER_DAY" && cfg.BackfillPerDay != 0) {
			continue
		}
		if secretish[name] {
			sum := sha256.Sum256([]byte(value))
			kv = name + "=sha256:" + hex.EncodeToString(sum[:8])
		}
		out = append(out, kv)
	}
	slices.Sort(out)
	return out
}

// fingerprint is a hash of the plan-relevant settings.
func fingerprint(lines []string) string {
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// changedSettings names the settings that differ between two setting lists, for a message.
func changedSettings(old, cur []string) []string {
	o, c := toMap(old), toMap(cur)
	var names []string
	for k, v := range c {
		if ov, ok := o[k]; !ok || ov != v {
			names = append(names, describeChange(k, ov, v, ok))
		}
	}
	for k, v := range o {
		if _, ok := c[k]; !ok {
			names = append(names, describeChange(k, v, "", true))
		}
	}
	slices.Sort(names)
	return names
}

func describeChange(name, old, cur string, had bool) string {
	if secretish[name] {
		return name
	}
	if !had {
		old = "unset"
	}
	if cur == "" {
		cur = "unset"
	}
	return name + " " + old + " → " + cur
}

func toMap(lines []string) map[string]string {
	m := make(map[string]string, len(lines))
	for _, l := range lines {
		k, v, _ := strings.Cut(l, "=")
		m[k] = v
	}
	return m
}
