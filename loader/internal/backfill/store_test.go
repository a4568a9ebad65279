package backfill

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/trafficinator/trafficinator/loader/internal/adapt"
	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/loader/internal/meter"
	"github.com/trafficinator/trafficinator/pkg/config"
)

func TestSpansAdd(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  []span
		want spans
	}{
		{"adjacent batches merge", []span{{0, 10}, {10, 20}, {20, 25}}, spans{{0, 25}}},
		{"out of order, then the gap is filled", []span{{20, 30}, {0, 10}, {10, 20}}, spans{{0, 30}}},
		{"disjoint spans stay apart, sorted", []span{{50, 60}, {0, 10}}, spans{{0, 10}, {50, 60}}},
		{"an overlapping span swallows what it covers", []span{{0, 10}, {20, 30}, {5, 25}}, spans{{0, 30}}},
		{"an empty span changes nothing", []span{{0, 10}, {12, 12}}, spans{{0, 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ss spans
			for _, s := range tc.add {
				ss.add(s)
			}
			if !slices.Equal(ss, tc.want) {
				t.Fatalf("got %v, want %v", ss, tc.want)
			}
		})
	}
	ss := spans{{0, 10}, {20, 30}}
	for i, want := range map[int64]bool{0: true, 9: true, 10: false, 19: false, 20: true, 29: true, 30: false, -1: false} {
		if ss.contains(i) != want {
			t.Fatalf("contains(%d) = %v", i, !want)
		}
	}
}

// testState is a one-day, one-target state.
func testState() *state {
	p := &plan{Seed: 1, Days: []plannedDay{{Date: "2024-06-01", Visits: 100}}}
	return newState(p, "fp", []string{"A=1"}, []string{"t"})
}

// The journal survives the process: sends without done stay uncertain, done ranges are confirmed
// and counted once, and a last line torn by a kill is ignored.
func TestJournalReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	s, err := openStore(path, OSJournals{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.create(testState()); err != nil {
		t.Fatal(err)
	}
	for _, r := range []record{
		{Op: opSend, Date: "2024-06-01", From: 0, To: 10},
		{Op: opDone, Date: "2024-06-01", From: 0, To: 10, Visits: 10, Hits: 60, Tracked: 60},
		{Op: opSend, Date: "2024-06-01", From: 10, To: 20},
		{Op: opSend, Date: "2024-06-01", From: 20, To: 30},
		{Op: opFail, Date: "2024-06-01", From: 20, To: 30},
	} {
		if err := s.write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.close(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(journalPath(path), os.O_WRONLY|os.O_APPEND, 0)
	_, _ = f.WriteString(`{"op":"done","date":"2024-06-01","t":0,"from":10,"to":2`) // torn by kill -9
	_ = f.Close()

	s, err = openStore(path, OSJournals{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	td := s.st.Days[0].Targets[0]
	if !slices.Equal(td.Confirmed, spans{{0, 10}}) || !slices.Equal(td.Uncertain, spans{{10, 20}}) ||
		td.Visits != 10 || td.Tracked != 60 {
		t.Fatalf("after replay: %+v", td)
	}
}

// A crash between writing the state file and emptying the journal leaves a journal the state
// already holds; it is not counted twice.
func TestJournalStaleGeneration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	s, err := openStore(path, OSJournals{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.create(testState())
	_ = s.write(record{Op: opDone, Date: "2024-06-01", From: 0, To: 10, Visits: 10})
	st := *s.st
	st.Gen++ // what checkpointLocked writes before it empties the journal
	if err := saveState(path, &st); err != nil {
		t.Fatal(err)
	}
	_ = s.close()

	s, err = openStore(path, OSJournals{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if v := s.st.Days[0].Targets[0].Visits; v != 10 {
		t.Fatalf("visits %d after replaying a folded journal, want 10", v)
	}
}

// Two loaders cannot share one state file.
func TestStoreLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	s, err := openStore(path, OSJournals{}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if _, err := openStore(path, OSJournals{}, time.Now); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v", err)
	}
}

// The fingerprint ignores tokens and how a backfill is sent, and names what changed without
// repeating URLs.
func TestFingerprint(t *testing.T) {
	base := config.Default()
	base.BackfillPerDay = 10
	same := base
	same.TokenAuth, same.BulkSize, same.Concurrency = "ffffffffffffffffffffffffffffffff", 7, 3
	rps := 5.0
	same.BackfillRPS = &rps
	if fingerprint(settings(&base)) != fingerprint(settings(&same)) {
		t.Fatal("token or operational settings changed the fingerprint")
	}
	other := base
	other.MatomoURL, other.BackfillPerDay = "https://user:secret@m.example/matomo.php", 20
	changed := strings.Join(changedSettings(settings(&base), settings(&other)), "; ")
	if fingerprint(settings(&base)) == fingerprint(settings(&other)) ||
		!strings.Contains(changed, "BACKFILL_MAX_VISITS_PER_DAY 10 → 20") || strings.Contains(changed, "secret") {
		t.Fatalf("changed: %s", changed)
	}
}

// BACKFILL_RPS_LIMIT counts requests: 250 hits at 100/s with a burst of one batch take 1.5 s.
func TestRateLimitCountsHits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rps := 100.0
		tg := newTarget(0, config.Target{}, nil, &rps, 100, adapt.Defaults, meter.NewSet([]string{""}).Target(0))
		start := time.Now()
		if err := tg.wait(t.Context(), engines.SystemClock{}, 250); err != nil {
			t.Fatal(err)
		}
		if got := time.Since(start); got != 1500*time.Millisecond {
			t.Fatalf("waited %v for 250 hits at 100/s after a burst of 100", got)
		}
	})
}
