package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Limits on the inputs: the benchmark must stay a bounded amount of work whatever it is given.
const (
	maxDays        = 30
	maxVisits      = 100_000
	maxParallel    = 256
	maxParallelism = 8 // entries in MATOMO_BENCH_PARALLEL
	// daysAgo is how far back the window ends: every hit is then older than 24 h (so it needs the
	// token, as a real backfill does) and no day is still being written by anyone's live traffic.
	daysAgo = 3
)

// settings are the benchmark's inputs, read from MATOMO_BENCH_* variables.
type settings struct {
	// BaseURL is Matomo's root, without index.php or matomo.php and without a trailing slash.
	BaseURL     string
	Token       string
	Days        int
	Visits      int
	Parallel    []int
	Loader      string // absolute path of the loader binary
	Seed        int64
	AllowRemote bool
	// Timeout bounds the whole benchmark.
	Timeout time.Duration
}

// parseSettings reads the environment through lookup and reports every problem at once. Relative
// paths are taken from wd, the directory the program runs in.
func parseSettings(lookup func(string) (string, bool), wd string) (settings, error) {
	get := func(k string) string { v, _ := lookup(k); return strings.TrimSpace(v) }
	var errs []error
	s := settings{AllowRemote: get("MATOMO_BENCH_ALLOW_REMOTE") == "1" || strings.EqualFold(get("MATOMO_BENCH_ALLOW_REMOTE"), "true")}

	if raw := get("MATOMO_BENCH_URL"); raw == "" {
		errs = append(errs, errors.New("MATOMO_BENCH_URL is required (e.g. http://127.0.0.1:8081/)"))
	} else if base, err := normalizeBase(raw); err != nil {
		errs = append(errs, err)
	} else if err := checkLoopback(base, s.AllowRemote); err != nil {
		errs = append(errs, err)
	} else {
		s.BaseURL = base
	}
	if s.Token = get("MATOMO_BENCH_TOKEN"); s.Token == "" {
		errs = append(errs, errors.New("MATOMO_BENCH_TOKEN is required (a super user's token_auth)"))
	}
	var err error
	if s.Days, err = intSetting(get, "MATOMO_BENCH_DAYS", 4, 1, maxDays); err != nil {
		errs = append(errs, err)
	}
	if s.Visits, err = intSetting(get, "MATOMO_BENCH_VISITS", 1250, 1, maxVisits); err != nil {
		errs = append(errs, err)
	}
	if s.Parallel, err = parallelSetting(get("MATOMO_BENCH_PARALLEL")); err != nil {
		errs = append(errs, err)
	}
	seed, err := intSetting(get, "MATOMO_BENCH_SEED", 42, 0, 1<<62)
	if err != nil {
		errs = append(errs, err)
	}
	s.Seed = int64(seed)
	if s.Loader, err = loaderPath(get("MATOMO_BENCH_LOADER"), wd); err != nil {
		errs = append(errs, err)
	}
	s.Timeout = 2 * time.Hour
	if raw := get("MATOMO_BENCH_TIMEOUT"); raw != "" {
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 || d > 24*time.Hour {
			errs = append(errs, fmt.Errorf("MATOMO_BENCH_TIMEOUT=%q: want a duration between 1s and 24h, e.g. 90m", raw))
		} else {
			s.Timeout = d
		}
	}
	return s, errors.Join(errs...)
}

// intSetting reads an integer in [lo, hi], def when unset.
func intSetting(get func(string) string, key string, def, lo, hi int) (int, error) {
	raw := get(key)
	if raw == "" {
		return def, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%s=%q: want a whole number from %d to %d", key, raw, lo, hi)
	}
	return v, nil
}

// parallelSetting reads the replay parallelism list, e.g. "4,8,16" (the default).
func parallelSetting(raw string) ([]int, error) {
	if raw == "" {
		raw = "4,8,16"
	}
	parts := strings.Split(raw, ",")
	if len(parts) > maxParallelism {
		return nil, fmt.Errorf("MATOMO_BENCH_PARALLEL=%q: at most %d values", raw, maxParallelism)
	}
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 1 || v > maxParallel {
			return nil, fmt.Errorf("MATOMO_BENCH_PARALLEL=%q: want a comma list of numbers from 1 to %d", raw, maxParallel)
		}
		out = append(out, v)
	}
	return out, nil
}

// loaderPath finds the loader binary: MATOMO_BENCH_LOADER if set, else ../bin/loader (the program
// runs from loader/, where make bench-matomo starts it) or bin/loader (run from the repository
// root). Relative paths are resolved against wd.
func loaderPath(raw, wd string) (string, error) {
	candidates := []string{raw}
	if raw == "" {
		candidates = []string{filepath.Join("..", "bin", "loader"), filepath.Join("bin", "loader")}
	}
	for _, c := range candidates {
		if !filepath.IsAbs(c) {
			c = filepath.Join(wd, c)
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	if raw != "" {
		return "", fmt.Errorf("MATOMO_BENCH_LOADER=%q: no executable there", raw)
	}
	return "", errors.New("no loader binary at ../bin/loader or bin/loader: run 'make build' or set MATOMO_BENCH_LOADER")
}

// benchWindow is the backfill window: days calendar days (UTC) ending daysAgo days before now,
// oldest first, as YYYY-MM-DD.
func benchWindow(now time.Time, days int) []string {
	y, m, d := now.UTC().Date()
	end := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -daysAgo)
	out := make([]string, days)
	for i := range days {
		out[i] = end.AddDate(0, 0, i-days+1).Format(time.DateOnly)
	}
	return out
}
