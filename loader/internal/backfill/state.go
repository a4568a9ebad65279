package backfill

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// stateVersion is the format version of the state file.
const stateVersion = 1

// targetDay is one target's progress on one day. Counts add up over every run of the backfill.
type targetDay struct {
	Done bool `json:"done,omitempty"`
	// Confirmed are the visit ranges Matomo answered for (or the Live API found).
	Confirmed spans `json:"confirmed,omitempty"`
	// Uncertain are visits that were posted without a recorded reply: settled on resume.
	Uncertain spans `json:"uncertain,omitempty"`
	// LastSend is when a batch was last posted (unix ms): an uncertain batch is settled only once
	// a request of that age would have ended.
	LastSend int64 `json:"last_send,omitempty"`
	// Visits delivered: posted and answered, or found by the Live API after a lost reply.
	Visits int64 `json:"visits"`
	// Landed are visits found by the Live API instead of being sent again.
	Landed int64 `json:"landed,omitempty"`
	// MaybeDup are visits sent again without confirmation (the Live API could not answer).
	MaybeDup int64 `json:"maybe_duplicated,omitempty"`
	// MaybeMissing are visits not sent again without confirmation (BACKFILL_UNSETTLED=skip).
	MaybeMissing int64 `json:"maybe_missing,omitempty"`
	Hits         int64 `json:"hits"` // hits posted, re-posts included
	Tracked      int64 `json:"tracked"`
	Invalid      int64 `json:"invalid"`
	Dropped      int64 `json:"dropped"`
	Orders       int64 `json:"orders,omitempty"`
	// Seconds is the time spent on the day.
	Seconds float64 `json:"seconds"`
}

// dayState is a planned day with each target's progress.
type dayState struct {
	plannedDay
	Targets []targetDay `json:"targets"`
}

// state is the content of BACKFILL_STATE_FILE: the plan and the progress made on it.
type state struct {
	Version int `json:"version"`
	// Gen counts state writes; the journal names the generation it continues.
	Gen int64 `json:"gen"`
	// Fingerprint identifies the plan-relevant settings (tokens excluded); Settings lists them,
	// so that a mismatch can say what changed.
	Fingerprint string     `json:"fingerprint"`
	Settings    []string   `json:"settings"`
	Targets     []string   `json:"targets"`
	Seed        int64      `json:"seed"`
	Cutoff      time.Time  `json:"cutoff"`
	Days        []dayState `json:"days"`
	Complete    bool       `json:"complete"`
	Invalidated bool       `json:"invalidated,omitempty"`
	Updated     time.Time  `json:"updated"`
}

// newState starts the state of a fresh plan.
func newState(p *plan, fp string, lines, targets []string) *state {
	st := &state{Version: stateVersion, Fingerprint: fp, Settings: lines, Targets: targets,
		Seed: p.Seed, Cutoff: p.Cutoff}
	for _, d := range p.Days {
		st.Days = append(st.Days, dayState{plannedDay: d, Targets: make([]targetDay, len(targets))})
	}
	return st
}

// plan returns the stored plan.
func (st *state) plan() *plan {
	p := &plan{Seed: st.Seed, Cutoff: st.Cutoff}
	for _, d := range st.Days {
		p.Days = append(p.Days, d.plannedDay)
	}
	return p
}

// loadState reads a state file; a missing file is (nil, nil).
func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read backfill state %s: %w", path, err)
	}
	var st state
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("backfill state %s is not readable (%w); move it away to start over", path, err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("backfill state %s has version %d, this loader reads %d", path, st.Version, stateVersion)
	}
	for _, d := range st.Days {
		if len(d.Targets) != len(st.Targets) {
			return nil, fmt.Errorf("backfill state %s is inconsistent (day %s has %d targets, not %d)",
				path, d.Date, len(d.Targets), len(st.Targets))
		}
	}
	return &st, nil
}

// saveState replaces the state file atomically: a reader (or a crash) sees the old file or the
// new one, never a mix.
func saveState(path string, st *state) error {
	b, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return fmt.Errorf("encode backfill state: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write backfill state: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("write backfill state %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable; failure only weakens power-loss safety, so it is ignored.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
