package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/report"
)

func TestRunCreateGet(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tick(s)
	cfg, err := s.CreateConfig(ctx, Config{Name: "c", Values: testValues("tok-run")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CreateRun(ctx, Run{Name: "first", Mode: ModeBackfill, ConfigID: &cfg.ID, Config: cfg.Values,
		Containers: []string{"c1", "c2"}, Limits: json.RawMessage(`{"memory_mb":256}`), Placement: []string{"node.role==worker"}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(r.ID) || r.State != StatePending || r.CreatedAt.IsZero() ||
		!r.StartedAt.IsZero() || r.ExitCode != nil || len(r.Containers) != 2 || *r.ConfigID != cfg.ID ||
		string(r.Limits) != `{"memory_mb":256}` || !slices.Equal(r.Placement, []string{"node.role==worker"}) {
		t.Fatalf("created run = %+v", r)
	}
	if r.Config.TokenAuth != "tok-run" || !config.Equal(r.Config, cfg.Values) {
		t.Fatalf("snapshot differs from the config it was made from")
	}
	if _, err := s.CreateRun(ctx, Run{ID: r.ID, Mode: ModeLive, Config: testValues("")}); !errors.Is(err, ErrConflict) {
		t.Errorf("reused run id = %v; want ErrConflict", err)
	}
	missing := int64(999)
	if _, err := s.CreateRun(ctx, Run{Mode: ModeLive, ConfigID: &missing, Config: testValues("")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("run of a missing config = %v; want ErrNotFound", err)
	}
	for _, bad := range []Run{{Mode: "turbo"}, {Mode: ModeLive, State: "sleeping"}, {Mode: ModeLive, Limits: json.RawMessage("{")}} {
		if _, err := s.CreateRun(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateRun(%+v) = %v; want ErrInvalid", bad, err)
		}
	}
	if _, err := s.GetRun(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetRun(nope) = %v; want ErrNotFound", err)
	}

	// Deleting the config leaves the run and its snapshot.
	if err := s.DeleteConfig(ctx, cfg.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetRun(ctx, r.ID); err != nil || got.ConfigID != nil || got.Config.TokenAuth != "tok-run" {
		t.Fatalf("run after its config was deleted = %+v, %v", got, err)
	}
}

func TestListRuns(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tick(s)
	var ids []string
	for _, r := range []Run{{Mode: ModeBackfill, State: StatePending}, {Mode: ModeLive, State: StateRunning}, {Mode: ModeLive, State: StateCompleted}} {
		r.Config = testValues("")
		created, err := s.CreateRun(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, created.ID)
	}
	backfill, live, done := ids[0], ids[1], ids[2]
	tests := []struct {
		name   string
		filter RunFilter
		want   []string
	}{
		// Everything, newest first.
		{"all", RunFilter{}, []string{done, live, backfill}},
		// What reconciliation looks at: runs that may still have containers.
		{"active", RunFilter{ActiveOnly: true}, []string{live, backfill}},
		// One mode only.
		{"backfill", RunFilter{Mode: ModeBackfill}, []string{backfill}},
		// A limit keeps the newest.
		{"limit", RunFilter{Limit: 2}, []string{done, live}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs, err := s.ListRuns(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range runs {
				got = append(got, x.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ids = %v; want %v", got, tt.want)
			}
		})
	}
}

// State changes are compare-and-set: only a run in one of the expected states moves.
func TestUpdateRunState(t *testing.T) {
	ctx := context.Background()
	code := 3
	msg := "loader exited"
	tests := []struct {
		name    string
		start   string
		from    []string
		to      string
		upd     RunUpdate
		wantErr error
	}{
		// The normal path: a starting run becomes running and gets its start time.
		{"start", StateStarting, []string{StatePending, StateStarting}, StateRunning, RunUpdate{Containers: []string{"abc"}}, nil},
		// A run fails with an exit code and a message; its finish time is set.
		{"fail", StateRunning, []string{StateRunning}, StateFailed, RunUpdate{ExitCode: &code, Error: &msg}, nil},
		// A user's stop arriving after the loader completed loses the race.
		{"lost race", StateCompleted, []string{StateRunning, StateStarting}, StateStopping, RunUpdate{}, ErrConflict},
		// Unknown states and an empty from are refused.
		{"unknown state", StateRunning, []string{StateRunning}, "paused", RunUpdate{}, ErrInvalid},
		{"empty from", StateRunning, nil, StateStopped, RunUpdate{}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			r, err := s.CreateRun(ctx, Run{Mode: ModeLive, Config: testValues(""), State: tt.start})
			if err != nil {
				t.Fatal(err)
			}
			err = s.UpdateRunState(ctx, r.ID, tt.from, tt.to, tt.upd)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("UpdateRunState = %v; want %v", err, tt.wantErr)
			}
			got, _ := s.GetRun(ctx, r.ID)
			if tt.wantErr != nil {
				if got.State != tt.start {
					t.Errorf("state = %s after a refused change; want %s", got.State, tt.start)
				}
				return
			}
			if got.State != tt.to || got.StartedAt.IsZero() != (tt.to != StateRunning) || got.FinishedAt.IsZero() != IsActive(tt.to) {
				t.Errorf("run = state %s started %v finished %v", got.State, got.StartedAt, got.FinishedAt)
			}
			if tt.upd.ExitCode != nil && (got.ExitCode == nil || *got.ExitCode != code || got.Error != msg) {
				t.Errorf("exit code/error not saved: %v %q", got.ExitCode, got.Error)
			}
			if tt.upd.Containers != nil && fmt.Sprint(got.Containers) != fmt.Sprint(tt.upd.Containers) {
				t.Errorf("containers = %v", got.Containers)
			}
		})
	}
	s, _ := openTest(t)
	if err := s.UpdateRunState(ctx, "missing", []string{StateRunning}, StateStopped, RunUpdate{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateRunState of an unknown run = %v; want ErrNotFound", err)
	}
}

// Only one of several racing transitions from the same state wins.
func TestUpdateRunStateRace(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.CreateRun(ctx, Run{Mode: ModeLive, Config: testValues(""), State: StateRunning})
	if err != nil {
		t.Fatal(err)
	}
	targets := []string{StateStopping, StateCompleted, StateFailed, StateLost}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, to := range targets {
		wg.Go(func() { errs[i] = s.UpdateRunState(ctx, r.ID, []string{StateRunning}, to, RunUpdate{}) })
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d transitions won; want exactly 1", wins)
	}
}

func statsRecord(t *testing.T, n int64, targets ...string) []byte {
	t.Helper()
	rec := report.Stats{Header: report.Header{Type: report.TypeStats}}
	for _, name := range targets {
		rec.Targets = append(rec.Targets, report.TargetStats{Target: name, Counters: report.Counters{HitsSent: n, HitsTracked: n}})
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Several goroutines saving stats of several runs at once: nothing fails with "database is locked"
// and each run ends with its last record (run with -race).
func TestConcurrentStatsWriters(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	const runs, writes = 4, 25
	ids := make([]string, runs)
	for i := range ids {
		r, err := s.CreateRun(ctx, Run{Mode: ModeLive, Config: testValues(""), State: StateRunning})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = r.ID
	}
	var wg sync.WaitGroup
	errs := make(chan error, runs*writes*2)
	for _, id := range ids {
		wg.Go(func() {
			for n := int64(1); n <= writes; n++ {
				errs <- s.SaveRunStats(ctx, id, statsRecord(t, n, "a", "b"))
			}
		})
		wg.Go(func() { // a reader alongside each writer
			for range writes {
				_, err := s.GetRun(ctx, id)
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		r, _ := s.GetRun(ctx, id)
		var st report.Stats
		if err := json.Unmarshal(r.LastStats, &st); err != nil || st.Targets[0].HitsSent != writes {
			t.Fatalf("run %s last stats = %s, %v; want the last write", id, r.LastStats, err)
		}
		tg, err := s.ListRunTargets(ctx, id)
		if err != nil || len(tg) != 2 || tg[0].Target != "a" {
			t.Fatalf("ListRunTargets = %v, %v", tg, err)
		}
		var c report.TargetStats
		if err := json.Unmarshal(tg[1].Counters, &c); err != nil || c.HitsTracked != writes {
			t.Fatalf("target b counters = %s, %v", tg[1].Counters, err)
		}
	}
}

func TestRunStatsAndSummaryErrors(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.CreateRun(ctx, Run{Mode: ModeLive, Config: testValues("")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveRunStats(ctx, "missing", statsRecord(t, 1, "a")); !errors.Is(err, ErrNotFound) {
		t.Errorf("stats of an unknown run = %v; want ErrNotFound", err)
	}
	if err := s.SaveRunStats(ctx, r.ID, []byte("not json")); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed stats = %v; want ErrInvalid", err)
	}
	sum, _ := json.Marshal(report.Summary{Header: report.Header{Type: report.TypeSummary}, Reason: "finished",
		Targets: []report.TargetStats{{Target: "a", Counters: report.Counters{Orders: 4}}}})
	if err := s.SaveRunSummary(ctx, r.ID, sum); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetRun(ctx, r.ID)
	if string(got.Summary) != string(sum) || got.LastStats != nil {
		t.Errorf("summary = %s, last stats = %s", got.Summary, got.LastStats)
	}
	if _, err := s.ListRunTargets(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ListRunTargets of an unknown run = %v; want ErrNotFound", err)
	}
}

func TestDeleteRun(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.CreateRun(ctx, Run{Mode: ModeBackfill, Config: testValues(""), State: StateRunning})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertRunDay(ctx, r.ID, RunDay{Date: "2025-01-01", Target: "a", Done: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRun(ctx, r.ID); !errors.Is(err, ErrConflict) {
		t.Fatalf("deleting a running run = %v; want ErrConflict", err)
	}
	if err := s.UpdateRunState(ctx, r.ID, []string{StateRunning}, StateStopped, RunUpdate{}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRun(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRun(ctx, r.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second DeleteRun = %v; want ErrNotFound", err)
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM run_days WHERE run_id = ?`, r.ID); err != nil || n != 0 {
		t.Errorf("run_days left behind: %d, %v", n, err)
	}
}

func TestRunDays(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.CreateRun(ctx, Run{Mode: ModeBackfill, Config: testValues(""), State: StateRunning})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		day  RunDay
	}{
		// Progress on day 2, then on day 1 of another target: listed by date, then target.
		{"day 2 partial", RunDay{Date: "2025-01-02", Target: "a", Planned: 100, Sent: 40}},
		{"day 1 b", RunDay{Date: "2025-01-01", Target: "b", Planned: 100, Sent: 100, Tracked: 99, Invalid: 1, Done: true}},
		// The day completes: the row is updated, not duplicated.
		{"day 2 done", DayFromReport(report.Day{Date: "2025-01-02", Target: "a", Planned: 100, Sent: 100, Tracked: 100, Seconds: 2.5, Done: true})},
		// A late partial record cannot reopen a finished day.
		{"late partial", RunDay{Date: "2025-01-02", Target: "a", Planned: 100, Sent: 60}},
	}
	for _, st := range steps {
		if err := s.UpsertRunDay(ctx, r.ID, st.day); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
	}
	days, err := s.ListRunDays(ctx, r.ID)
	if err != nil || len(days) != 2 {
		t.Fatalf("ListRunDays = %+v, %v", days, err)
	}
	if days[0].Date != "2025-01-01" || days[0].Target != "b" || days[0].Invalid != 1 {
		t.Errorf("first day = %+v", days[0])
	}
	if d := days[1]; !d.Done || d.Sent != 100 || d.Seconds != 2.5 || d.UpdatedAt.IsZero() {
		t.Errorf("day 2 = %+v; want done with 100 sent", d)
	}
	if err := s.UpsertRunDay(ctx, "missing", RunDay{Date: "2025-01-01", Target: "a"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("day of an unknown run = %v; want ErrNotFound", err)
	}
	if err := s.UpsertRunDay(ctx, r.ID, RunDay{Date: "01/02/2025", Target: "a"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad date = %v; want ErrInvalid", err)
	}
	if _, err := s.ListRunDays(ctx, "missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ListRunDays of an unknown run = %v; want ErrNotFound", err)
	}
}
