package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// dayCounts are one day of VisitsSummary.get.
type dayCounts struct {
	Visits  int  `json:"visits"`
	Actions int  `json:"actions"`
	Empty   bool `json:"empty,omitempty"` // Matomo sent no row for the day (no data, or not archived)
}

// readReports invalidates the days' archives of the sites (so a report built earlier cannot be
// reused) and reads VisitsSummary.get for each site; Matomo archives the days on demand when
// browser-triggered archiving is allowed.
func readReports(ctx context.Context, c *matomo.Client, sites []int, days []string) (map[int]map[string]dayCounts, error) {
	if _, err := c.InvalidateArchivedReports(ctx, sites, days); err != nil {
		return nil, fmt.Errorf("invalidate archived reports: %w", err)
	}
	out := make(map[int]map[string]dayCounts, len(sites))
	for _, site := range sites {
		var raw json.RawMessage
		err := c.CallAPI(ctx, "VisitsSummary.get", url.Values{
			"idSite": {strconv.Itoa(site)},
			"period": {"day"},
			"date":   {days[0] + "," + days[len(days)-1]},
		}, &raw)
		if err != nil {
			return nil, fmt.Errorf("VisitsSummary.get for site %d: %w", site, err)
		}
		counts, err := parseVisitsSummary(raw, days)
		if err != nil {
			return nil, fmt.Errorf("VisitsSummary.get for site %d: %w", site, err)
		}
		out[site] = counts
	}
	return out, nil
}

// parseVisitsSummary reads VisitsSummary.get for a date range: an object keyed by date whose
// values are a row ({"nb_visits":…,"nb_actions":…}) or [] for a day without data. A single-day
// reply may also come as the row itself (or [] alone). Numbers may be JSON numbers or strings.
// Every asked day gets an entry; a day missing from the reply counts as empty.
func parseVisitsSummary(raw []byte, days []string) (map[string]dayCounts, error) {
	raw = bytes.TrimSpace(raw)
	byDate := map[string]json.RawMessage{}
	switch {
	case len(raw) > 0 && raw[0] == '[' && len(days) == 1:
		byDate[days[0]] = raw
	case len(raw) > 0 && raw[0] == '{':
		if err := json.Unmarshal(raw, &byDate); err != nil {
			return nil, fmt.Errorf("reply is not a VisitsSummary object: %w", err)
		}
		if _, isRow := byDate["nb_visits"]; isRow && len(days) == 1 {
			byDate = map[string]json.RawMessage{days[0]: raw}
		}
	default:
		return nil, fmt.Errorf("reply is not a VisitsSummary object (%d bytes)", len(raw))
	}
	out := make(map[string]dayCounts, len(days))
	for _, d := range days {
		row, err := parseSummaryRow(byDate[d])
		if err != nil {
			return nil, fmt.Errorf("day %s: %w", d, err)
		}
		out[d] = row
	}
	return out, nil
}

// parseSummaryRow reads one day's row; nothing, null or an empty array is an empty day.
func parseSummaryRow(raw json.RawMessage) (dayCounts, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) || raw[0] == '[' {
		var list []json.RawMessage
		if len(raw) > 0 && raw[0] == '[' && (json.Unmarshal(raw, &list) != nil || len(list) > 0) {
			return dayCounts{}, fmt.Errorf("unexpected list (%d bytes)", len(raw))
		}
		return dayCounts{Empty: true}, nil
	}
	var row map[string]json.RawMessage
	if err := json.Unmarshal(raw, &row); err != nil {
		return dayCounts{}, fmt.Errorf("row is not an object: %w", err)
	}
	visits, err := jsonInt(row["nb_visits"])
	if err != nil {
		return dayCounts{}, fmt.Errorf("nb_visits: %w", err)
	}
	actions, err := jsonInt(row["nb_actions"])
	if err != nil {
		return dayCounts{}, fmt.Errorf("nb_actions: %w", err)
	}
	return dayCounts{Visits: visits, Actions: actions}, nil
}

// jsonInt reads a count sent as a number or a numeric string; a missing value is 0.
func jsonInt(raw json.RawMessage) (int, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 0, nil
	}
	if v, err := strconv.Atoi(s); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int(f)) {
		return 0, fmt.Errorf("%s is not a whole number", s)
	}
	return int(f), nil
}
