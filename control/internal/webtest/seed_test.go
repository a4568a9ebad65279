package webtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// searchRecords is the stdout of a real capacity search, kept so that the Compare view is tested
// (and pictured in docs/capacity.md) on what a loader prints: a step search from 100,000
// visits/day by 1.5× a minute, p95 limit 300 ms, report timing every 30 s, against two matomo-sink
// targets in mirror mode, "current" with -capacity 20 (tracking hits/s) and "tuned" with
// -capacity 40, as docs/capacity.md runs them. It holds no token: the loader never prints one.
const searchRecords = "testdata/capacity-search.jsonl"

// seedCapacityRun stores a finished run with the recorded search's records, as the control stores
// those of a loader it follows, and returns its id.
func seedCapacityRun(t *testing.T, st *store.Store, name string) string {
	t.Helper()
	data, err := os.ReadFile(searchRecords)
	if err != nil {
		t.Fatalf("read the recorded search: %v", err)
	}
	var recs []store.RunRecord
	var start *report.Start
	var summary []byte
	var first, last time.Time
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		rec, err := report.Parse(line)
		if err != nil {
			t.Fatalf("%s: %v", searchRecords, err)
		}
		var h report.Header
		if err := json.Unmarshal(line, &h); err != nil {
			t.Fatal(err)
		}
		if first.IsZero() {
			first = h.Time
		}
		last = h.Time
		switch v := rec.(type) {
		case *report.Start:
			start = v
		case *report.Summary:
			summary = line
		}
		recs = append(recs, store.RunRecord{Type: h.Type, Time: h.Time, Record: line})
	}
	if start == nil || summary == nil {
		t.Fatalf("%s lacks its start or summary record", searchRecords)
	}
	c := config.Default()
	c.TargetMode = start.TargetMode
	c.Capacity.Search = start.Search
	c.Probe.Enabled = start.Probe
	for i, name := range start.Targets {
		c.Targets = append(c.Targets, config.Target{Name: name, URL: "http://127.0.0.1:1809" + string(rune('1'+i)) + "/matomo.php",
			SiteID: 1, Weight: 1, Enabled: true})
	}
	run, err := st.CreateRun(t.Context(), store.Run{Name: name, Mode: store.ModeLive, Config: c, State: store.StateCompleted,
		StartedAt: first, FinishedAt: last})
	if err != nil {
		t.Fatalf("seed a run: %v", err)
	}
	if err := st.AddRunRecords(t.Context(), run.ID, recs); err != nil {
		t.Fatalf("seed the records: %v", err)
	}
	if err := st.SaveRunSummary(t.Context(), run.ID, summary); err != nil {
		t.Fatalf("seed the summary: %v", err)
	}
	return run.ID
}
