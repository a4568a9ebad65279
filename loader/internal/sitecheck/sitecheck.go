// Package sitecheck reads, before a run, what each target's Matomo site defines that the run's
// hits refer to, its goals and its custom dimensions, through the Reporting API, and checks the
// configuration against them: a goal id the site does not have would make every conversion a
// 400, so it is a validation error; a custom dimension Matomo does not have (or has deactivated)
// silently drops its values, so it is a warning. Targets without a token, or whose token may not
// read the site, are skipped with a notice: the check is a help, not a condition of running.
package sitecheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// Reader is what the check needs of a target's client.
type Reader interface {
	Goals(ctx context.Context, siteID int) ([]matomo.SiteGoal, error)
	CustomDimensions(ctx context.Context, siteID int) ([]matomo.SiteDimension, error)
}

var _ Reader = (*matomo.Client)(nil)

// Target is one enabled target.
type Target struct {
	Name   string
	SiteID int
	// HasToken is false when the target has no token: the Reporting API would refuse the reads.
	HasToken bool
	Client   Reader
}

// Want is what the configuration refers to.
type Want struct {
	// GoalField is the setting that lists the goals (GOALS), for problems.
	GoalField string
	// GoalIDs are the goal ids the configuration converts.
	GoalIDs []int
	// DimensionField is the setting of the dimensions file, for problems.
	DimensionField string
	// Dimensions are the custom dimensions the run sends.
	Dimensions []content.Dimension
}

// Result is what was read.
type Result struct {
	// Goals are the goals every target whose goals could be read has (the same id on each: a
	// mirrored visit goes to all of them), as the first of them defines them, in id order; nil
	// when no target's goals were read.
	Goals []matomo.SiteGoal
	// GoalsRead counts the targets whose goals were read.
	GoalsRead int
}

// Check reads the goals (and, when dimensions are sent, the custom dimensions) of every target
// that has a token and checks want against them. It returns every problem at once: errors for
// goal ids a site lacks, warnings for dimensions, and notices (warnings) for targets that could
// not be read. ctx bounds the whole check.
func Check(ctx context.Context, targets []Target, want Want) (Result, config.Problems) {
	var (
		res   Result
		probs config.Problems
		byID  map[int]matomo.SiteGoal // goals common to every target read so far
	)
	for _, t := range targets {
		if !t.HasToken {
			if len(want.GoalIDs) > 0 || len(want.Dimensions) > 0 {
				probs = append(probs, config.Warnf("", t.Name, "target %q has no token, so its site's goals and custom dimensions "+
					"were not read: the ids in the configuration are not checked against it", t.Name))
			}
			continue
		}
		goals, err := t.Client.Goals(ctx, t.SiteID)
		if err != nil {
			probs = append(probs, readProblem(t, "goals", want.GoalField, err))
		} else {
			res.GoalsRead++
			probs = append(probs, checkGoals(t, goals, want)...)
			byID = intersect(byID, goals, res.GoalsRead == 1)
		}
		if len(want.Dimensions) > 0 {
			dims, err := t.Client.CustomDimensions(ctx, t.SiteID)
			if err != nil {
				probs = append(probs, readProblem(t, "custom dimensions", want.DimensionField, err))
			} else {
				probs = append(probs, checkDimensions(t, dims, want)...)
			}
		}
	}
	if res.GoalsRead > 0 {
		res.Goals = make([]matomo.SiteGoal, 0, len(byID))
		for _, g := range byID {
			res.Goals = append(res.Goals, g)
		}
		slices.SortFunc(res.Goals, func(a, b matomo.SiteGoal) int { return a.ID - b.ID })
	}
	return res, probs
}

// readProblem is the notice for a read that failed; the context error of a stop is no notice.
func readProblem(t Target, what, field string, err error) config.Problem {
	why := "the Reporting API call failed"
	switch {
	case errors.Is(err, matomo.ErrAuth):
		why = "the token may not read the site (it needs at least view access)"
	case errors.Is(err, matomo.ErrNotFound):
		why = fmt.Sprintf("Matomo has no site %d", t.SiteID)
	case strings.Contains(err.Error(), "does not exist"):
		why = "the Matomo does not have the plugin"
	}
	return config.Warnf(field, t.Name, "could not read the %s of target %q (site %d): %s (%v); the configuration is not checked against them",
		what, t.Name, t.SiteID, why, err)
}

// checkGoals makes every configured goal id the site lacks an error.
func checkGoals(t Target, goals []matomo.SiteGoal, want Want) config.Problems {
	have := make(map[int]bool, len(goals))
	for _, g := range goals {
		have[g.ID] = true
	}
	var probs config.Problems
	for _, id := range want.GoalIDs {
		if have[id] {
			continue
		}
		probs = append(probs, config.Errorf(want.GoalField, strconv.Itoa(id),
			"target %q (site %d) has no goal %d, so Matomo would reject every conversion of it with 400; %s",
			t.Name, t.SiteID, id, listGoals(goals)))
	}
	return probs
}

func listGoals(goals []matomo.SiteGoal) string {
	if len(goals) == 0 {
		return "the site has no goals: create them in Matomo (Goals > Manage goals) or remove the id"
	}
	parts := make([]string, len(goals))
	for i, g := range goals {
		parts[i] = fmt.Sprintf("%d (%s)", g.ID, g.Name)
	}
	return "the site's goals are " + strings.Join(parts, ", ")
}

// checkDimensions warns about dimensions Matomo would drop or file under another scope.
func checkDimensions(t Target, dims []matomo.SiteDimension, want Want) config.Problems {
	have := make(map[int]matomo.SiteDimension, len(dims))
	for _, d := range dims {
		have[d.ID] = d
	}
	var probs config.Problems
	for _, d := range want.Dimensions {
		conf, ok := have[d.ID]
		field := fmt.Sprintf("%s: dimension %d", want.DimensionField, d.ID)
		switch {
		case !ok:
			probs = append(probs, config.Warnf(field, strconv.Itoa(d.ID),
				"target %q (site %d) has no custom dimension %d, so Matomo drops its values; create it in Matomo "+
					"(Administration > Websites > Custom Dimensions) or fix the id", t.Name, t.SiteID, d.ID))
		case !conf.Active:
			probs = append(probs, config.Warnf(field, strconv.Itoa(d.ID),
				"custom dimension %d (%s) of target %q (site %d) is inactive, so Matomo drops its values", d.ID, conf.Name, t.Name, t.SiteID))
		case conf.Scope != d.Scope:
			probs = append(probs, config.Warnf(field, d.Scope,
				"custom dimension %d (%s) of target %q (site %d) has scope %q in Matomo; the file says %q",
				d.ID, conf.Name, t.Name, t.SiteID, conf.Scope, d.Scope))
		}
	}
	return probs
}

// intersect keeps the goals of so that goals also has, as the first target read defines them;
// first starts from goals.
func intersect(so map[int]matomo.SiteGoal, goals []matomo.SiteGoal, first bool) map[int]matomo.SiteGoal {
	next := make(map[int]matomo.SiteGoal, len(goals))
	for _, g := range goals {
		if first {
			next[g.ID] = g
		} else if had, ok := so[g.ID]; ok {
			next[g.ID] = had
		}
	}
	return next
}
