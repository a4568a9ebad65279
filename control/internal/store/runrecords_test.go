package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// Records are listed in the order stored, a record stored again is skipped, and deleting the run
// deletes them.
func TestRunRecords(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.CreateRun(ctx, Run{Mode: ModeLive, Config: testValues("tok-rec"), State: StateCompleted})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rec := func(loader int, typ string, sec int, body string) RunRecord {
		return RunRecord{Loader: loader, Type: typ, Time: at.Add(time.Duration(sec) * time.Second), Record: json.RawMessage(body)}
	}
	first := []RunRecord{rec(0, "start", 0, `{"type":"start"}`), rec(0, "stats", 10, `{"type":"stats","n":1}`),
		rec(1, "stats", 10, `{"type":"stats","n":1}`)}
	if err := s.AddRunRecords(ctx, r.ID, first); err != nil {
		t.Fatal(err)
	}
	// A control that restarted reads the log again: the first records come back, then new ones;
	// the same time with other content is another record.
	again := append(first, rec(0, "stats", 20, `{"type":"stats","n":2}`), rec(0, "stats", 20, `{"type":"stats","n":3}`))
	if err := s.AddRunRecords(ctx, r.ID, again); err != nil {
		t.Fatal(err)
	}
	got, err := s.ListRunRecords(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, g := range got {
		order = append(order, g.Type+":"+string(g.Record))
	}
	want := `start:{"type":"start"} stats:{"type":"stats","n":1} stats:{"type":"stats","n":1} stats:{"type":"stats","n":2} stats:{"type":"stats","n":3}`
	if strings.Join(order, " ") != want || got[2].Loader != 1 || !got[1].Time.Equal(at.Add(10*time.Second)) {
		t.Fatalf("records %v", order)
	}

	bad := []struct {
		name string
		recs []RunRecord
		want error
	}{
		{"an unknown run", []RunRecord{rec(0, "stats", 1, `{}`)}, ErrNotFound},
		{"not JSON", []RunRecord{rec(0, "stats", 1, `{"type":`)}, ErrInvalid},
		{"too large", []RunRecord{rec(0, "stats", 1, `"`+strings.Repeat("x", MaxRunRecordBytes)+`"`)}, ErrInvalid},
	}
	for _, b := range bad {
		id := r.ID
		if errors.Is(b.want, ErrNotFound) {
			id = "000000000000"
		}
		if err := s.AddRunRecords(ctx, id, b.recs); !errors.Is(err, b.want) {
			t.Errorf("%s: %v, want %v", b.name, err, b.want)
		}
	}
	if _, err := s.ListRunRecords(ctx, "000000000000"); !errors.Is(err, ErrNotFound) {
		t.Errorf("records of an unknown run: %v", err)
	}
	if err := s.DeleteRun(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM run_records`); err != nil || n != 0 {
		t.Errorf("%d records left after the run was deleted (%v)", n, err)
	}
}
