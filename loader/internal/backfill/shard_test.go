package backfill

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/trafficinator/trafficinator/loader/internal/engines"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// The shards of one backfill, running at once with one BACKFILL_STATE_FILE template in one shared
// directory (a Kubernetes ReadWriteMany claim), each keep their own state: together they deliver
// every day exactly, and a shard run again finds its own finished state and sends nothing.
func TestShardsShareOneDirectory(t *testing.T) {
	const shards = 3
	srv := newSink(t, nil)
	dir := t.TempDir()
	cfgs := make([]struct {
		cfg     config.Config
		clients []engines.Client
	}, shards)
	for i := range cfgs {
		cfg := testConfig(t, srv.URL)
		cfg.BackfillStateFile = filepath.Join(dir, "backfill-state-{shard}.json")
		cfg.ShardIndex, cfg.ShardCount = i, shards
		cfgs[i].cfg, cfgs[i].clients = cfg, clientsFor(t, cfg)
	}

	var wg sync.WaitGroup
	errs := make([]error, shards)
	reasons := make([]string, shards)
	for i := range cfgs {
		wg.Go(func() {
			sum, _, err := runWith(t, t.Context(), cfgs[i].cfg, withClients(cfgs[i].clients))
			errs[i], reasons[i] = err, sum.Reason
		})
	}
	wg.Wait()
	for i := range shards {
		if errs[i] != nil || reasons[i] != ReasonFinished {
			t.Fatalf("shard %d: reason %q, err %v", i, reasons[i], errs[i])
		}
	}

	cfg := cfgs[0].cfg
	want := map[string]int{cfg.BackfillStartDate: 60, cfg.BackfillEndDate: 60}
	if got := visitsByDay(srv, 1); !equalCounts(got, want) {
		t.Fatalf("visits by day %v, want %v", got, want)
	}
	if s := srv.Summary(); s.Invalid != 0 {
		t.Fatalf("%d invalid hits: %v", s.Invalid, s.InvalidByReason)
	}
	for i := range shards {
		name := filepath.Join(dir, "backfill-state-"+strconv.Itoa(i)+".json")
		if _, err := os.Stat(name); err != nil {
			t.Errorf("shard %d has no state file of its own: %v", i, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "backfill-state-{shard}.json")); err == nil {
		t.Error("a state file was written under the template's literal name")
	}

	before := srv.Summary().Requests
	sum, _, err := runWith(t, t.Context(), cfgs[1].cfg, withClients(cfgs[1].clients))
	if err != nil || sum.Reason != ReasonAlreadyComplete {
		t.Fatalf("shard 1 again: reason %q, err %v", sum.Reason, err)
	}
	if after := srv.Summary().Requests; after != before {
		t.Fatalf("shard 1 run again sent %d requests", after-before)
	}
}
