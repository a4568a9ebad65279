package runs

import "testing"

// List keeps the newest runs when asked for a limit.
func TestListLimit(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{MaxActive: 10})
	svc := e.start(t)
	var ids []string
	for range 3 {
		v, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	all, err := svc.List(t.Context(), ListFilter{})
	if err != nil || len(all) != 3 {
		t.Fatalf("all: %d runs, %v", len(all), err)
	}
	two, err := svc.List(t.Context(), ListFilter{Limit: 2})
	if err != nil || len(two) != 2 {
		t.Fatalf("limit 2: %d runs, %v", len(two), err)
	}
	for _, v := range two {
		if v.ID == ids[0] {
			t.Fatalf("limit kept the oldest run %s, want the newest two", ids[0])
		}
	}
}
