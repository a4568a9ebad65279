package backfill

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

// childEnv carries "url|state file" to the helper process.
const childEnv = "TRAFFICINATOR_BACKFILL_KILL_CHILD"

// killConfig is the backfill both the parent and its killed children run.
func killConfig(t *testing.T, url, state string) config.Config {
	cfg := testConfig(t, url)
	cfg.BackfillStartDate, cfg.BackfillEndDate = daysAgo(13), daysAgo(10)
	cfg.BackfillPerDay, cfg.BulkSize, cfg.Concurrency = 80, 15, 6
	cfg.BackfillStateFile = state
	// Longer than the server's late processing: a killed loader's bulk still being processed
	// commits before the next run settles it.
	cfg.BackfillSettleAfter = 150 * time.Millisecond
	return cfg
}

// TestKillChild is not a test of its own: it is the loader process TestKill9Resume starts and
// kills with SIGKILL.
func TestKillChild(t *testing.T) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		t.Skip("helper process of TestKill9Resume")
	}
	url, state, _ := strings.Cut(spec, "|")
	if _, _, err := runWith(t, t.Context(), killConfig(t, url, state), nil); err != nil {
		t.Fatal(err)
	}
}

// A loader killed with SIGKILL at random moments, again and again, against a server that
// deadlocks, processes late and loses replies, and then run to the end leaves Matomo with exactly
// the planned visits and no hit twice: the journal's writes survive the process, and batches cut
// off mid-flight are settled through the Live API.
func TestKill9Resume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	srv := newSink(t, func(o *matomotest.Options) {
		o.Faults = matomotest.Faults{Latency: 3 * time.Millisecond, DeadlockRate: 0.05, DropReplyRate: 0.05,
			LateRate: 0.03, LateDelay: 100 * time.Millisecond, Seed: 31}
	})
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	cfg := killConfig(t, srv.URL, state)
	r := rand.New(rand.NewPCG(7, 7))
	kills := 0
	for range 6 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		// The child's own temporary directories go under ours: a killed test cannot remove them.
		cmd.Env = append(os.Environ(), childEnv+"="+srv.URL+"|"+state, "TMPDIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		target := srv.Summary().Hits + 50 + r.IntN(300)
		killed := false
		for i := 0; i < 20_000 && !killed; i++ { // bounded: 20,000 × 0.5 ms
			select {
			case <-exited:
				killed = true // finished (or failed) on its own
				continue
			default:
			}
			if srv.Summary().Hits >= target {
				_ = cmd.Process.Kill()
				kills++
				killed = true
			}
			time.Sleep(500 * time.Microsecond)
		}
		if !killed {
			_ = cmd.Process.Kill()
		}
		<-exited
	}
	if kills < 3 {
		t.Fatalf("only %d kills landed mid-run", kills)
	}
	if _, _, err := runWith(t, t.Context(), cfg, nil); err != nil {
		t.Fatal(err)
	}
	checkExact(t, srv, cfg)
	if s := srv.Summary(); s.DuplicateHits != 0 {
		t.Fatalf("%d hits recorded twice", s.DuplicateHits)
	}
	st, _ := loadState(state)
	var landed int64
	for _, d := range st.Days {
		landed += d.Targets[0].Landed
	}
	t.Logf("%d kills; %d visits found landed after a kill; %d hits recorded", kills, landed, srv.Summary().Tracked)
}
