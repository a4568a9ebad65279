package store

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func funnelOf(name string, priority int, enabled bool) Funnel {
	return Funnel{Name: name, Description: "d", Enabled: enabled, Priority: priority, Probability: 0.2,
		JSON: json.RawMessage(`{"name":"` + name + `","probability":0.2,"steps":[{"type":"pageview","url":"http://127.0.0.1/"}]}`)}
}

func TestFunnelCRUD(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tick(s)
	f, err := s.CreateFunnel(ctx, funnelOf("checkout", 1, true))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetFunnel(ctx, f.ID)
	if err != nil || got.Name != "checkout" || !got.Enabled || got.Priority != 1 || got.Probability != 0.2 ||
		string(got.JSON) != string(funnelOf("checkout", 1, true).JSON) {
		t.Fatalf("GetFunnel = %+v, %v", got, err)
	}
	if _, err := s.CreateFunnel(ctx, funnelOf("checkout", 2, true)); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate funnel name = %v; want ErrConflict", err)
	}
	bad := funnelOf("broken", 0, true)
	bad.JSON = json.RawMessage(`{"steps": [`)
	if _, err := s.CreateFunnel(ctx, bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed JSON = %v; want ErrInvalid", err)
	}
	f.Enabled, f.Priority = false, 5
	upd, err := s.UpdateFunnel(ctx, f)
	if err != nil || upd.Enabled || upd.Priority != 5 || !upd.UpdatedAt.After(f.UpdatedAt) {
		t.Fatalf("UpdateFunnel = %+v, %v", upd, err)
	}
	if err := s.DeleteFunnel(ctx, f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetFunnel(ctx, f.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetFunnel after delete = %v; want ErrNotFound", err)
	}
	if _, err := s.UpdateFunnel(ctx, f); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateFunnel after delete = %v; want ErrNotFound", err)
	}
	if err := s.DeleteFunnel(ctx, f.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteFunnel twice = %v; want ErrNotFound", err)
	}
}

// Funnels list by priority, ties broken by the most recently updated, as the original exported them.
func TestListFunnelsOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tick(s)
	for _, f := range []Funnel{funnelOf("p2", 2, true), funnelOf("p1-old", 1, true), funnelOf("p1-new", 1, true), funnelOf("off", 0, false)} {
		if _, err := s.CreateFunnel(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		enabledOnly bool
		want        []string
	}{
		// Everything, disabled included.
		{"all", false, []string{"off", "p1-new", "p1-old", "p2"}},
		// What a run exports: enabled funnels only.
		{"enabled", true, []string{"p1-new", "p1-old", "p2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListFunnels(ctx, tt.enabledOnly)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range list {
				names = append(names, f.Name)
			}
			if len(names) != len(tt.want) {
				t.Fatalf("names = %v; want %v", names, tt.want)
			}
			for i := range names {
				if names[i] != tt.want[i] {
					t.Fatalf("names = %v; want %v", names, tt.want)
				}
			}
		})
	}
}
