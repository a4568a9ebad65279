package content

import (
	"github.com/trafficinator/trafficinator/pkg/config"
)

// maxProblems bounds how many problems one parse reports; a file with a systematic
// mistake (say, 50,000 duplicate lines) gets a readable report ending in a summary.
const maxProblems = 500

// problems accumulates findings with a cap, so every parser reports the same way. Each
// finding is a config.Problem, the project's one problem type, with its line set.
type problems struct {
	list          config.Problems
	dropped       int
	droppedErrors int
	errors        int
}

func (ps *problems) add(p config.Problem) {
	if !p.IsWarning() {
		ps.errors++
	}
	if len(ps.list) >= maxProblems {
		ps.dropped++
		if !p.IsWarning() {
			ps.droppedErrors++
		}
		return
	}
	ps.list = append(ps.list, p)
}

func (ps *problems) errorf(line int, field, value, format string, args ...any) {
	p := config.Errorf(field, value, format, args...)
	p.Line = line
	ps.add(p)
}

func (ps *problems) warnf(line int, field, value, format string, args ...any) {
	p := config.Warnf(field, value, format, args...)
	p.Line = line
	ps.add(p)
}

// result returns the list, with a closing summary when some problems were dropped.
func (ps *problems) result() config.Problems {
	if ps.dropped == 0 {
		return ps.list
	}
	out := append(config.Problems(nil), ps.list...)
	summary := config.Warnf
	if ps.droppedErrors > 0 {
		summary = config.Errorf
	}
	return append(out, summary("", "", "%d more problems not listed (%d of them errors); fix the ones above first",
		ps.dropped, ps.droppedErrors))
}
