package runs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/control/internal/docker"
)

// Where a loader keeps its files: the content files the control copies in, and the backfill
// state (BACKFILL_STATE_FILE) with the journal the loader writes beside it.
const (
	dataDir         = "/data"
	stateFile       = dataDir + "/backfill-state.json"
	funnelsFile     = dataDir + "/funnels.json"
	urlsFile        = dataDir + "/urls.txt"
	eventsFile      = dataDir + "/events.json"
	scenarioFile    = dataDir + "/scenario.yaml"
	campaignsFile   = dataDir + "/campaigns" // JSON or CSV: the loader tells them apart
	dimensionsFile  = dataDir + "/dimensions.json"
	checkpointMark  = "backfill" // every checkpoint file's name starts with it
	checkpointsDir  = "checkpoints"
	logsDir         = "logs"
	loaderDirPrefix = "loader-"
)

// checkpointMode is the mode of checkpoint files copied back into a loader container (they
// belong to the loader's user, who appends to the journal).
const checkpointMode = 0o600

// isCheckpointFile picks the backfill state, its journal and anything else of the checkpoint.
func isCheckpointFile(name string) bool { return strings.HasPrefix(name, checkpointMark) }

// checkpointDir is where a run's checkpoint is kept; "" when the service keeps no files.
func (s *Service) checkpointDir(runID string) string {
	if s.opts.DataDir == "" {
		return ""
	}
	return filepath.Join(s.opts.DataDir, checkpointsDir, runID)
}

// saveCheckpoint copies each loader's checkpoint files out of its (exited) container into
// <DataDir>/checkpoints/<run>/loader-<i>/. A container without a /data directory has none.
func (s *Service) saveCheckpoint(ctx context.Context, runID string, loaders []*loader) error {
	dir := s.checkpointDir(runID)
	if dir == "" {
		return errors.New("no data directory is configured")
	}
	var errs []error
	for _, l := range loaders {
		if docker.IsServiceLoader(l.id) {
			continue // a swarm shard's state stays on its volume, where a resumed run finds it
		}
		if l.vanished {
			errs = append(errs, fmt.Errorf("loader %d: its container is gone", l.index))
			continue
		}
		files, err := s.rt.CopyOut(ctx, l.id, dataDir, isCheckpointFile)
		if errors.Is(err, docker.ErrNotFound) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("loader %d: %w", l.index, err))
			continue
		}
		if err := writeFiles(filepath.Join(dir, loaderDirPrefix+strconv.Itoa(l.index)), files); err != nil {
			errs = append(errs, fmt.Errorf("loader %d: %w", l.index, err))
		}
	}
	return errors.Join(errs...)
}

// writeFiles writes files (by base name) into dir, each through a temporary file and a rename,
// so a crash never leaves half a checkpoint.
func writeFiles(dir string, files []docker.File) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create checkpoint directory: %w", err)
	}
	for _, f := range files {
		dst := filepath.Join(dir, path.Base(f.Path))
		tmp := dst + ".tmp"
		if err := os.WriteFile(tmp, f.Data, 0o600); err != nil {
			return fmt.Errorf("write checkpoint file: %w", err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("write checkpoint file: %w", err)
		}
	}
	return nil
}

// loadCheckpoint reads a run's saved checkpoint as files to copy into loader i's container,
// keyed by loader index; empty when there is none.
func (s *Service) loadCheckpoint(runID string) (map[int][]docker.File, error) {
	dir := s.checkpointDir(runID)
	out := make(map[int][]docker.File)
	if dir == "" {
		return out, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint of run %s: %w", runID, err)
	}
	for _, e := range entries {
		idx, err := strconv.Atoi(strings.TrimPrefix(e.Name(), loaderDirPrefix))
		if !e.IsDir() || !strings.HasPrefix(e.Name(), loaderDirPrefix) || err != nil {
			continue
		}
		files, err := readCheckpointFiles(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read checkpoint of run %s: %w", runID, err)
		}
		if len(files) > 0 {
			out[idx] = files
		}
	}
	return out, nil
}

// readCheckpointFiles reads one loader's checkpoint directory.
func readCheckpointFiles(dir string) ([]docker.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []docker.File
	for _, e := range entries {
		if !e.Type().IsRegular() || !isCheckpointFile(e.Name()) || strings.HasSuffix(e.Name(), ".tmp") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files = append(files, docker.File{Path: path.Join(dataDir, e.Name()), Mode: checkpointMode, Data: data})
	}
	return files, nil
}

// logsFile is where a finished run's last log lines are kept; "" when the service keeps no files.
func (s *Service) logsFile(runID string) string {
	if s.opts.DataDir == "" {
		return ""
	}
	return filepath.Join(s.opts.DataDir, logsDir, runID+".jsonl")
}

// saveLogs writes the run's recent log lines (already scrubbed of tokens) as JSON lines, so they
// can still be shown after the containers are removed and the control restarted.
func (s *Service) saveLogs(r *liveRun) error {
	file := s.logsFile(r.id)
	if file == "" {
		return nil
	}
	r.mu.Lock()
	lines := r.logs.last(0)
	r.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	if err := os.WriteFile(file+".tmp", []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(file+".tmp", file)
}

// savedLogs reads the last tail lines kept for a finished run (all when tail ≤ 0); none when
// there are none.
func (s *Service) savedLogs(runID string, tail int) ([]LogLine, error) {
	file := s.logsFile(runID)
	if file == "" {
		return nil, nil
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read logs of run %s: %w", runID, err)
	}
	defer f.Close()
	keep := newRing[LogLine](logRingSize)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 2<<20)
	for sc.Scan() {
		var l LogLine
		if json.Unmarshal(sc.Bytes(), &l) == nil {
			keep.add(l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read logs of run %s: %w", runID, err)
	}
	return keep.last(tail), nil
}

// removeRunFiles deletes what the service kept on disk for a run.
func (s *Service) removeRunFiles(runID string) error {
	var errs []error
	if dir := s.checkpointDir(runID); dir != "" {
		errs = append(errs, os.RemoveAll(dir))
	}
	if file := s.logsFile(runID); file != "" {
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
