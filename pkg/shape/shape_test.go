package shape

import (
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func spikes(t *testing.T, s string) []config.Spike {
	t.Helper()
	sp, ps := config.ParseSpikes(s)
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	return sp
}

func TestPiecesAddOverlappingSpikes(t *testing.T) {
	stockholm, _ := time.LoadLocation("Europe/Stockholm")
	s := Shape{Spikes: spikes(t, "tue@07:30 x4 1h; daily@08:00 x2 1h"), Location: stockholm}
	day := time.Date(2026, 12, 8, 0, 0, 0, 0, stockholm) // a Tuesday
	got := s.Pieces(day, day.AddDate(0, 0, 1))
	at := func(h, m int) time.Time { return time.Date(2026, 12, 8, h, m, 0, 0, stockholm) }
	want := []Piece{
		{day, at(7, 30), 1},
		{at(7, 30), at(8, 0), 4}, // the newsletter alone
		{at(8, 0), at(8, 30), 5}, // both: 1 + 3 + 1
		{at(8, 30), at(9, 0), 2}, // the daily spike alone
		{at(9, 0), day.AddDate(0, 0, 1), 1},
	}
	if len(got) != len(want) {
		t.Fatalf("pieces %v, want %v", got, want)
	}
	for i := range got {
		if !got[i].From.Equal(want[i].From) || !got[i].To.Equal(want[i].To) || got[i].Factor != want[i].Factor {
			t.Errorf("piece %d = %v, want %v", i, got[i], want[i])
		}
	}
	// Wednesday has only the daily spike.
	if n := len(s.Windows(day.AddDate(0, 0, 1), day.AddDate(0, 0, 2))); n != 1 {
		t.Errorf("Wednesday has %d spikes, want 1", n)
	}
}

func TestRandomSpikesAreSeededPerWeek(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Stockholm")
	sp := spikes(t, "random:3/week x3 30m")
	from := time.Date(2026, 11, 2, 0, 0, 0, 0, loc) // a Monday
	to := from.AddDate(0, 0, 28)
	a := Shape{Spikes: sp, Seed: 42, Location: loc}.Windows(from, to)
	b := Shape{Spikes: sp, Seed: 42, Location: loc}.Windows(from, to)
	c := Shape{Spikes: sp, Seed: 43, Location: loc}.Windows(from, to)
	if len(a) != 12 {
		t.Fatalf("%d spikes in four weeks, want 12", len(a))
	}
	same := true
	for i := range a {
		if !a[i].From.Equal(b[i].From) {
			t.Fatalf("the same seed gave %v and %v", a[i], b[i])
		}
		same = same && a[i].From.Equal(c[i].From)
		h := a[i].From.In(loc).Hour()
		if h < 8 || a[i].To.In(loc).After(time.Date(a[i].To.In(loc).Year(), a[i].To.In(loc).Month(), a[i].To.In(loc).Day(), 20, 0, 0, 0, loc)) {
			t.Errorf("spike at %v is outside 08:00–20:00", a[i].From.In(loc))
		}
	}
	if same {
		t.Error("another seed drew the same spikes")
	}
	// A window asked for piecewise sees the same spikes as a whole.
	var parts int
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		for _, w := range (Shape{Spikes: sp, Seed: 42, Location: loc}).Windows(d, d.AddDate(0, 0, 1)) {
			if !w.From.Before(d) { // count each spike once, on its start day
				parts++
			}
		}
	}
	if parts != 12 {
		t.Errorf("day by day: %d spikes, want 12", parts)
	}
}

func TestOnceSpikeAndDayFactor(t *testing.T) {
	s := Shape{Spikes: spikes(t, "2026-12-07T09:00:00Z x10 30m")}
	if w := s.Windows(time.Date(2026, 12, 7, 9, 29, 0, 0, time.UTC), time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)); len(w) != 1 || w[0].Extra != 9 {
		t.Errorf("windows = %v, want the one spike with extra 9", w)
	}
	if w := s.Windows(time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC), time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)); len(w) != 0 {
		t.Errorf("a spike that ended still shows: %v", w)
	}
	w := [7]float64{0.5, 1, 1, 1, 1, 1, 0.25}
	s.Weekly = &w
	if f := s.DayFactor(time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)); f != 0.5 {
		t.Errorf("Sunday factor %g, want 0.5", f)
	}
	if !(Shape{}).IsZero() || s.IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestPieceClip(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	p := Piece{From: at(10), To: at(12), Factor: 3}
	tests := []struct {
		name     string
		from, to time.Time
		a, b     time.Time
		ok       bool
	}{
		{"span inside the piece", at(10), at(11), at(10), at(11), true},
		{"piece inside the span", at(8), at(14), at(10), at(12), true},
		{"overlapping its start", at(9), at(11), at(10), at(11), true},
		{"overlapping its end", at(11), at(13), at(11), at(12), true},
		{"touching its end", at(12), at(13), at(12), at(12), false},
		{"before it", at(7), at(9), at(10), at(9), false},
	}
	for _, tc := range tests {
		a, b, ok := p.Clip(tc.from, tc.to)
		if ok != tc.ok || ok && (!a.Equal(tc.a) || !b.Equal(tc.b)) {
			t.Errorf("%s: Clip = %v, %v, %v; want %v, %v, %v", tc.name, a, b, ok, tc.a, tc.b, tc.ok)
		}
	}
}
