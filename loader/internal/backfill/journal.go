package backfill

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Journal operations.
const (
	opSend = "send" // the range is about to be posted
	opDone = "done" // Matomo answered (or the Live API confirmed) for the whole range
	opFail = "fail" // the range was certainly not recorded (refused before processing, never sent)
	opGen  = "gen"  // first line: the state generation the journal continues
)

// record is one journal line. A batch is named by its visit indices (Idx, ascending): its visits
// are those of one lane, not a contiguous range. Journals of earlier versions name a range
// [From, To) instead, which is still read.
type record struct {
	Op      string  `json:"op"`
	Date    string  `json:"date"`
	T       int     `json:"t"`
	Idx     []int64 `json:"idx,omitempty"`
	From    int64   `json:"from,omitempty"`
	To      int64   `json:"to,omitempty"`
	Visits  int64   `json:"visits,omitempty"`
	Landed  int64   `json:"landed,omitempty"`
	Maybe   int64   `json:"maybe,omitempty"`
	Missing int64   `json:"missing,omitempty"`
	Hits    int64   `json:"hits,omitempty"`
	Tracked int64   `json:"tracked,omitempty"`
	Invalid int64   `json:"invalid,omitempty"`
	Dropped int64   `json:"dropped,omitempty"`
	Orders  int64   `json:"orders,omitempty"`
	Gen     int64   `json:"gen,omitempty"`
	At      int64   `json:"at,omitempty"` // send: unix milliseconds
}

// Journal upkeep.
const (
	compactAfter = 50_000      // records before the journal is folded into the state file
	syncEvery    = time.Second // fsync cadence of the journal (a kill needs none; power loss does)
)

// store keeps the state in memory, the state file on disk and the journal of what happened since
// the state file was written. Every change goes through it, under one lock.
type store struct {
	path string
	now  func() time.Time
	mu   sync.Mutex
	st   *state
	days map[string]int
	f    Journal // opened for appending and locked against other loaders
	n    int     // records in the journal
	sync time.Time
	err  error // the first write failure: after it nothing more is written (or posted)
}

// Journal is the open journal of a backfill: read back when a run starts, appended to for every
// batch (one Write per record), emptied at each checkpoint. An *os.File is one.
type Journal interface {
	io.ReadWriteSeeker
	Truncate(size int64) error
	Sync() error
	Close() error
}

// Journals opens journals (Deps.Journals). A failed Write is taken as the end of the journal: no
// record after it is written, and no batch is posted without its intent on record, which is how a
// crash or a full disk leaves a backfill that a re-run can finish exactly.
type Journals interface {
	// Open opens the journal at path for reading and appending, creating it, locked against other
	// loaders.
	Open(path string) (Journal, error)
}

// OSJournals keeps journals in files, locked with flock: two loaders sharing one state file would
// each send what the other already sent.
type OSJournals struct{}

// Open opens and locks the file at path.
func (OSJournals) Open(path string) (Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open backfill journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("backfill journal %s is in use by another loader: %w", path, err)
	}
	return f, nil
}

// journalPath is where the journal of a state file lives.
func journalPath(statePath string) string { return statePath + ".journal" }

// openStore opens the journal of path through journals and reads the state with the journal
// applied. The state is nil when there is none yet. now is the engine's clock.
func openStore(path string, journals Journals, now func() time.Time) (*store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("backfill state directory: %w", err)
	}
	f, err := journals.Open(journalPath(path))
	if err != nil {
		return nil, err
	}
	s := &store{path: path, now: now, f: f, sync: now()}
	st, err := loadState(path)
	if err == nil && st != nil {
		s.adopt(st)
		err = s.replay()
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return s, nil
}

// adopt makes st the current state.
func (s *store) adopt(st *state) {
	s.st = st
	s.days = make(map[string]int, len(st.Days))
	for i, d := range st.Days {
		s.days[d.Date] = i
	}
}

// replay applies the journal to the loaded state. A journal of another generation was folded into
// the state file already (a crash came between writing the state and emptying the journal) and is
// ignored. A last line cut short by a kill is ignored too: the record it was is either an intent
// to post that never got posted, or a reply whose range then stays uncertain and is checked.
func (s *store) replay() error {
	if _, err := s.f.Seek(0, 0); err != nil {
		return fmt.Errorf("read backfill journal: %w", err)
	}
	sc := bufio.NewScanner(s.f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec record
		if json.Unmarshal(line, &rec) != nil {
			continue // torn by a crash
		}
		if first && (rec.Op != opGen || rec.Gen != s.st.Gen) {
			break // stale: already part of the state file
		}
		first = false
		s.apply(&rec)
		s.n++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read backfill journal: %w", err)
	}
	return nil
}

// apply changes the in-memory state by one record. Records of finished or unknown days are stale
// (the journal outlived a state write) and change nothing.
func (s *store) apply(rec *record) {
	i, ok := s.days[rec.Date]
	if !ok || rec.T < 0 || rec.T >= len(s.st.Targets) || s.st.Days[i].Targets[rec.T].Done {
		return
	}
	td := &s.st.Days[i].Targets[rec.T]
	rs := rec.spans()
	switch rec.Op {
	case opSend:
		for _, r := range rs {
			td.Uncertain.add(r)
		}
		td.LastSend = max(td.LastSend, rec.At)
	case opFail:
		for _, r := range rs {
			td.Uncertain.sub(r)
		}
	case opDone:
		for _, r := range rs {
			td.Uncertain.sub(r)
			td.Confirmed.add(r)
		}
		td.Visits += rec.Visits
		td.Landed += rec.Landed
		td.MaybeDup += rec.Maybe
		td.MaybeMissing += rec.Missing
		td.Hits += rec.Hits
		td.Tracked += rec.Tracked
		td.Invalid += rec.Invalid
		td.Dropped += rec.Dropped
		td.Orders += rec.Orders
	}
}

// spans are the visit indices the record names.
func (rec *record) spans() spans {
	if len(rec.Idx) > 0 {
		return ofIndices(rec.Idx)
	}
	return spans{{rec.From, rec.To}}
}

// create writes a fresh state and empties the journal.
func (s *store) create(st *state) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adopt(st)
	return s.checkpointLocked()
}

// write applies rec and appends it to the journal. An error means the record is not on disk: the
// caller must not post (for a send) and must stop.
func (s *store) write(rec record) error {
	line, err := json.Marshal(&rec)
	if err != nil {
		return fmt.Errorf("encode journal record: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		s.err = fmt.Errorf("write backfill journal: %w", err)
		return s.err
	}
	s.apply(&rec)
	s.n++
	if s.n >= compactAfter {
		return s.checkpointLocked()
	}
	if now := s.now(); now.Sub(s.sync) >= syncEvery {
		s.sync = now
		if err := s.f.Sync(); err != nil {
			s.err = fmt.Errorf("sync backfill journal: %w", err)
			return s.err
		}
	}
	return nil
}

// update changes the state through fn and writes a checkpoint (a day finished, the backfill
// complete, reports invalidated).
func (s *store) update(fn func(st *state)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	fn(s.st)
	return s.checkpointLocked()
}

// checkpointLocked folds the journal into the state file: the state (uncertain ranges included)
// is written atomically under a new generation first, then the journal is emptied and restarted
// with that generation. A crash between the two leaves a journal of the old generation, which
// replay skips.
func (s *store) checkpointLocked() error {
	s.st.Updated = s.now().UTC()
	s.st.Gen++
	if err := saveState(s.path, s.st); err != nil {
		s.err = err
		return err
	}
	if err := s.f.Truncate(0); err != nil {
		s.err = fmt.Errorf("empty backfill journal: %w", err)
		return s.err
	}
	line, _ := json.Marshal(&record{Op: opGen, Gen: s.st.Gen})
	if _, err := s.f.Write(append(line, '\n')); err != nil {
		s.err = fmt.Errorf("write backfill journal: %w", err)
		return s.err
	}
	s.n = 0
	return nil
}

// view runs fn on the state under the lock.
func (s *store) view(fn func(st *state)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s.st)
}

// close syncs and unlocks the journal.
func (s *store) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.f.Sync()
	return errors.Join(err, s.f.Close())
}
