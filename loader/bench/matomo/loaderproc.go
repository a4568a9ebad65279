package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/trafficinator/trafficinator/pkg/report"
)

// loaderJob is one backfill run of the loader binary.
type loaderJob struct {
	Bin    string
	URL    string // Matomo root; the loader gets URL + "/matomo.php"
	SiteID int
	Token  string
	Days   []string
	Visits int
	Seed   int64
	Dir    string // state file and logs go here
	Name   string // names the log files: <Name>.stderr.log, <Name>.stdout.jsonl
}

// loaderResult is what a run printed and how long it took.
type loaderResult struct {
	ExitCode int
	Wall     time.Duration
	Summary  *report.Summary  // the last summary record, if any
	Progress *report.Progress // the last progress record, if any
	Days     []report.Day     // the days' final records
	Errors   []string         // error records' messages
	LogPath  string           // the loader's stderr
}

// HitsPerSec is tracked hits over the wall-clock time of the whole process.
func (r loaderResult) HitsPerSec() float64 {
	if r.Summary == nil || r.Wall <= 0 {
		return 0
	}
	return float64(r.Summary.Total.HitsTracked) / r.Wall.Seconds()
}

// ReportedHitsPerSec is the loader's own figure: tracked hits over the seconds its summary reports.
func (r loaderResult) ReportedHitsPerSec() float64 {
	if r.Summary == nil || r.Summary.Seconds <= 0 {
		return 0
	}
	return float64(r.Summary.Total.HitsTracked) / r.Summary.Seconds
}

// env is the loader's whole environment: its defaults, plus the target, the window and the seed
// (and no crawlers).
// Nothing is inherited from this process, so a stray BACKFILL_* or MATOMO_* variable in the
// caller's shell cannot change what is measured.
func (j loaderJob) env() []string {
	return []string{
		"MATOMO_URL=" + j.URL + "/matomo.php",
		"MATOMO_SITE_ID=" + strconv.Itoa(j.SiteID),
		"MATOMO_TOKEN_AUTH=" + j.Token,
		"BACKFILL_ENABLED=true",
		"BACKFILL_START_DATE=" + j.Days[0],
		"BACKFILL_END_DATE=" + j.Days[len(j.Days)-1],
		"BACKFILL_MAX_VISITS_PER_DAY=" + strconv.Itoa(j.Visits),
		"BACKFILL_MAX_VISITS_TOTAL=" + strconv.Itoa(j.Visits*len(j.Days)),
		"BACKFILL_STATE_FILE=" + filepath.Join(j.Dir, j.Name+"-state.json"),
		"SEED=" + strconv.FormatInt(j.Seed, 10),
		"TIMEZONE=UTC",
		// Crawler visits are excluded by Matomo: the days would fall short of the planned visits.
		"BOT_PROBABILITY=0",
	}
}

// runLoader runs the job to its end (or until ctx ends: the loader then gets SIGTERM and a
// minute to checkpoint), reading its JSON-line reports from stdout. Its stderr goes to a log file;
// stdout is kept beside it.
func runLoader(ctx context.Context, j loaderJob) (loaderResult, error) {
	res := loaderResult{LogPath: filepath.Join(j.Dir, j.Name+".stderr.log")}
	logf, err := os.Create(res.LogPath)
	if err != nil {
		return res, err
	}
	defer logf.Close()
	outf, err := os.Create(filepath.Join(j.Dir, j.Name+".stdout.jsonl"))
	if err != nil {
		return res, err
	}
	defer outf.Close()

	cmd := exec.CommandContext(ctx, j.Bin)
	cmd.Env = j.env()
	cmd.Dir = j.Dir
	cmd.Stderr = logf
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start loader %s: %w", j.Bin, err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		_, _ = outf.Write(line)
		_, _ = outf.Write([]byte{'\n'})
		res.add(line)
	}
	_, _ = io.Copy(outf, stdout) // after an over-long line: keep the loader from blocking on a full pipe
	waitErr := cmd.Wait()
	res.Wall = time.Since(start)
	res.ExitCode = cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) {
		return res, fmt.Errorf("loader: %w", waitErr)
	}
	return res, nil
}

// add takes one stdout line; lines that are not report records are ignored.
func (r *loaderResult) add(line []byte) {
	rec, err := report.Parse(line)
	if err != nil {
		return
	}
	switch v := rec.(type) {
	case *report.Summary:
		r.Summary = v
	case *report.Progress:
		r.Progress = v
	case *report.Day:
		if v.Done {
			r.Days = append(r.Days, *v)
		}
	case *report.Error:
		r.Errors = append(r.Errors, v.Message)
	}
}

// planned is each day's planned visits as the loader's day records say, else want for every day.
func (r loaderResult) planned(days []string, want int) map[string]int {
	out := make(map[string]int, len(days))
	for _, d := range days {
		out[d] = want
	}
	for _, d := range r.Days {
		if _, ok := out[d.Date]; ok && d.Planned > 0 {
			out[d.Date] = int(d.Planned)
		}
	}
	return out
}
