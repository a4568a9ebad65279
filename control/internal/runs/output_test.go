package runs

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/report"
)

func TestTokensNeverShown(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	v, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if !v.TokenSet {
		t.Error("token_set is false for a config with a token")
	}
	events, err := svc.Events(t.Context(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := containerOf(t, rt, v.ID, 0)
	// A misbehaving loader prints the token, in a log line and in an error record.
	rt.emit(id, "stderr", `{"level":"ERROR","msg":"request failed","url":"http://x/?token_auth=`+testToken+`"}`)
	rt.emit(id, "stdout", line(t, func(w *report.Writer) error {
		return w.Write(report.TypeError, &report.Error{Message: "rejected token " + testToken, Fatal: true})
	}))
	rt.setState(id, "exited", 1)
	v = waitState(t, svc, v.ID, store.StateFailed)

	var seen []string
	for ev := range events {
		seen = append(seen, string(ev.Record))
	}
	logs, err := svc.Logs(t.Context(), v.ID, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for l := range logs {
		seen = append(seen, l.Text)
	}
	if len(seen) < 3 {
		t.Fatalf("saw only %d lines and records: %q", len(seen), seen)
	}
	viewJSON, _ := json.Marshal(v)
	list, _ := svc.List(t.Context(), ListFilter{})
	listJSON, _ := json.Marshal(list)
	saved, _ := os.ReadFile(svc.logsFile(v.ID))
	outputs := map[string]string{"view": string(viewJSON), "list": string(listJSON), "service log": e.logs.String(),
		"events and logs": strings.Join(seen, "\n"), "saved logs": string(saved), "error": v.Error}
	for what, out := range outputs {
		if strings.Contains(out, testToken) {
			t.Errorf("the token appears in the %s: %s", what, out)
		}
	}
	if !strings.Contains(v.Error, "rejected token ***") {
		t.Errorf("error %q: want the message with the token masked", v.Error)
	}
}

func TestLogsAndEventsStream(t *testing.T) {
	rt, e, svc, v, id := startOne(t, liveConfig())
	for _, s := range []string{"one", "two", "three"} {
		rt.emit(id, "stderr", s)
	}
	eventually(t, "three log lines", func() bool {
		lines, _ := svc.Logs(t.Context(), v.ID, 0, false)
		n := 0
		for range lines {
			n++
		}
		return n == 3
	})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tail, err := svc.Logs(ctx, v.ID, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	events, err := svc.Events(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"two", "three"} {
		if l := <-tail; l.Text != want || l.Stream != "stderr" || l.Loader != 0 {
			t.Errorf("tail line %+v, want %q on stderr of loader 0", l, want)
		}
	}
	rt.emit(id, "stdout", statsLine(t, 5, 5))
	if l := <-tail; !strings.Contains(l.Text, `"type":"stats"`) || l.Stream != "stdout" {
		t.Errorf("followed line %+v, want the stats record", l)
	}
	if ev := <-events; ev.Type != report.TypeStats || !json.Valid(ev.Record) {
		t.Errorf("event %+v, want a stats record", ev)
	}
	rt.setState(id, "exited", 0)
	for range tail { // both streams end with the run
	}
	for range events {
	}
	waitState(t, svc, v.ID, store.StateCompleted)
	if _, err := svc.Logs(t.Context(), "nosuchrun", 10, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("logs of an unknown run: %v, want ErrNotFound", err)
	}
	// After a control restart the finished run's lines come from the data directory.
	svc.Close()
	svc2 := e.start(t)
	lines, err := svc2.Logs(t.Context(), v.ID, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	var after []LogLine
	for l := range lines {
		after = append(after, l)
	}
	if len(after) != 1 || !strings.Contains(after[0].Text, "stats") {
		t.Errorf("saved tail %+v, want the last line (the stats record)", after)
	}
}

func TestDeleteAndRestart(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	cfg, err := e.st.CreateConfig(t.Context(), store.Config{Name: "saved", Values: *liveConfig()})
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.Start(t.Context(), StartRequest{ConfigID: &cfg.ID, Loaders: 2})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "saved" || v.ConfigID == nil || *v.ConfigID != cfg.ID {
		t.Errorf("run from a saved config: name %q config id %v", v.Name, v.ConfigID)
	}
	if err := svc.Delete(t.Context(), v.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("deleting an active run: %v, want ErrConflict", err)
	}
	next, err := svc.Restart(t.Context(), v.ID)
	if err != nil {
		t.Fatalf("Restart: %v", err)
	}
	if next.ID == v.ID || next.State != store.StateRunning || next.Loaders != 2 || next.ConfigID == nil || *next.ConfigID != cfg.ID {
		t.Errorf("restarted run: %+v", next)
	}
	old, _ := svc.Get(t.Context(), v.ID)
	if old.State != store.StateStopped {
		t.Errorf("the restarted run is %q, want stopped", old.State)
	}
	if err := svc.Delete(t.Context(), v.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := svc.Get(t.Context(), v.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Delete: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(svc.logsFile(v.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the deleted run's log file is still there: %v", err)
	}
	if err := svc.Delete(t.Context(), v.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
}

func TestContentFilesCopiedIn(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	funnel := `{"name":"Buy","probability":0.2,"priority":1,"enabled":true,"steps":[{"type":"pageview","url":"https://example.test/","action_name":"Home"}]}`
	if _, err := e.st.CreateFunnel(t.Context(), store.Funnel{Name: "Buy", Enabled: true, Priority: 1, Probability: 0.2, JSON: json.RawMessage(funnel)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateFunnel(t.Context(), store.Funnel{Name: "Off", Enabled: false, JSON: json.RawMessage(strings.ReplaceAll(funnel, "Buy", "Off"))}); err != nil {
		t.Fatal(err)
	}
	urls := "https://example.test/a\tA\nhttps://example.test/b\tB\n"
	if _, err := e.st.CreateContentSet(t.Context(), store.ContentSet{Kind: store.KindURLs, Name: "mine", Content: urls, IsDefault: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig()}); err != nil {
		t.Fatal(err)
	}
	spec := rt.started()[0]
	files := map[string]string{}
	for _, f := range spec.Files {
		files[f.Path] = string(f.Data)
	}
	if files["/data/urls.txt"] != urls {
		t.Errorf("urls file = %q, want the default set", files["/data/urls.txt"])
	}
	if f := files["/data/funnels.json"]; !strings.Contains(f, `"Buy"`) || strings.Contains(f, `"Off"`) {
		t.Errorf("funnels file = %s, want only the enabled funnel", f)
	}
	if _, ok := files["/data/events.json"]; ok {
		t.Error("an events file was copied in though no events set exists")
	}
	for _, kv := range []string{"FUNNEL_CONFIG_PATH=/data/funnels.json", "URLS_FILE=/data/urls.txt"} {
		if !slices.Contains(spec.Env, kv) {
			t.Errorf("env lacks %s", kv)
		}
	}
	missing := int64(999)
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), EventSetID: &missing}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown events set: %v, want ErrInvalid", err)
	}
}

// A chosen campaign catalogue and the default dimension set are copied into the loader and named
// by CAMPAIGNS_FILE and CUSTOM_DIMENSIONS_FILE; a set of another kind is refused.
func TestCampaignAndDimensionFilesCopiedIn(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	campaigns := "name,medium\nspring,email\n"
	camp, err := e.st.CreateContentSet(t.Context(), store.ContentSet{Kind: store.KindCampaigns, Name: "q2", Content: campaigns})
	if err != nil {
		t.Fatal(err)
	}
	dims := `{"dimensions":[{"id":1,"scope":"visit","values":["a"]}]}`
	if _, err := e.st.CreateContentSet(t.Context(), store.ContentSet{Kind: store.KindDimensions, Name: "d", Content: dims, IsDefault: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), CampaignSetID: &camp.ID}); err != nil {
		t.Fatal(err)
	}
	spec := rt.started()[0]
	files := map[string]string{}
	for _, f := range spec.Files {
		files[f.Path] = string(f.Data)
	}
	if files["/data/campaigns"] != campaigns || files["/data/dimensions.json"] != dims {
		t.Errorf("files = %v", files)
	}
	for _, kv := range []string{"CAMPAIGNS_FILE=/data/campaigns", "CUSTOM_DIMENSIONS_FILE=/data/dimensions.json"} {
		if !slices.Contains(spec.Env, kv) {
			t.Errorf("env lacks %s", kv)
		}
	}
	sets, _ := e.st.ListContentSets(t.Context(), store.KindDimensions)
	dimsID := sets[0].ID
	if _, err := svc.Start(t.Context(), StartRequest{Config: liveConfig(), CampaignSetID: &dimsID}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a dimension set as campaigns: %v, want ErrInvalid", err)
	}
}

// TestScenarioCopiedIn: a run with a stored scenario gets it as SCENARIO_FILE; one whose segments do
// not hold with the run's config is refused with the segment's path under scenario_id.
func TestScenarioCopiedIn(t *testing.T) {
	rt := newFakeRuntime()
	e := newEnv(t, rt, Options{})
	svc := e.start(t)
	text := "name: two\nsegments:\n  - {name: a, share: 0.5, devices: [mobile]}\n  - {name: b, share: 0.5, journey: {pageviews_min: 9}}\n"
	sc, err := e.st.CreateContentSet(t.Context(), store.ContentSet{Kind: store.KindScenarios, Name: "two", Content: text})
	if err != nil {
		t.Fatal(err)
	}
	cfg := liveConfig()
	cfg.PageviewsMax = 10
	if _, err := svc.Start(t.Context(), StartRequest{Config: cfg, ScenarioID: &sc.ID}); err != nil {
		t.Fatal(err)
	}
	spec := rt.started()[0]
	found := false
	for _, f := range spec.Files {
		found = found || (f.Path == "/data/scenario.yaml" && string(f.Data) == text)
	}
	if !found || !slices.Contains(spec.Env, "SCENARIO_FILE=/data/scenario.yaml") {
		t.Errorf("files %v, env %v", spec.Files, spec.Env)
	}
	// With PAGEVIEWS_MAX 6, segment b's 9 pageviews cannot be.
	_, err = svc.Start(t.Context(), StartRequest{Config: liveConfig(), ScenarioID: &sc.ID})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "scenario_id.segments[1].journey.pageviews_min") {
		t.Errorf("start with a scenario that does not fit: %v", err)
	}
	// Without a scenario chosen and none marked default, no file.
	if _, err := svc.Start(t.Context(), StartRequest{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	for _, f := range rt.started()[len(rt.started())-1].Files {
		if f.Path == "/data/scenario.yaml" {
			t.Error("a scenario was copied in though none was chosen")
		}
	}
}
