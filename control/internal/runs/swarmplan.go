package runs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// Bounds of a run's placement constraints.
const (
	MaxPlacement     = 16  // constraints of one run
	MaxConstraintLen = 200 // characters of one constraint
)

// swarmStateFileFmt is the base name of a swarm backfill's state file: one per shard.
const swarmStateFileFmt = "backfill-state-" + config.ShardPlaceholder + ".json"

// constraintPattern is the form of a Swarm placement constraint: a node or engine attribute, == or
// !=, and a value ("node.role==worker", "node.labels.loadgen == true").
var constraintPattern = regexp.MustCompile(`^(node|engine)\.[A-Za-z0-9_.\-]+\s*(==|!=)\s*\S[^\n]*$`)

// pinsOneNode matches a constraint that keeps every task on one node.
var pinsOneNode = regexp.MustCompile(`^node\.(hostname|id)\s*==\s*\S+$`)

// checkPlacement reports placement constraints that Swarm would not take, and any placement when
// loaders do not run on a swarm.
func checkPlacement(placement []string, platform docker.Platform) config.Problems {
	var ps config.Problems
	if len(placement) > 0 && platform.Mode != docker.ModeSwarm {
		ps = append(ps, config.Errorf("placement", fmt.Sprint(placement), "places loaders on the nodes of a Docker Swarm; this control runs them as containers of its own Docker host"))
	}
	if len(placement) > MaxPlacement {
		ps = append(ps, config.Errorf("placement", fmt.Sprint(len(placement)), "must have at most %d constraints", MaxPlacement))
	}
	for i, c := range placement {
		field := fmt.Sprintf("placement[%d]", i)
		switch {
		case len(c) > MaxConstraintLen:
			ps = append(ps, config.Errorf(field, c, "must be at most %d characters", MaxConstraintLen))
		case !constraintPattern.MatchString(c):
			ps = append(ps, config.Errorf(field, c, "must be a Swarm constraint: node.<attribute> or engine.labels.<name>, == or !=, a value (e.g. node.role==worker, node.labels.loadgen==true)"))
		}
	}
	return ps
}

// planSwarmBackfill gives a backfill on a swarm its state: a state key (a resumed run keeps its
// own), whose volume per slot holds each shard's state file, and an absolute window, so that every
// shard, and a task Swarm starts again on a later day, plans the same days.
func planSwarmBackfill(p *plan, now time.Time) config.Problems {
	if p.stateKey == "" {
		p.stateKey = newStateKey()
	}
	p.cfg.BackfillStateFile = swarmStateFile(p.stateKey)
	ps := pinWindow(&p.cfg, now, p.loaders)
	if p.platform.Nodes > 1 && !p.platform.SharedState && !pinnedToOneNode(p.placement) {
		ps = append(ps, config.Errorf("placement", fmt.Sprint(p.placement),
			"this swarm has %d nodes and a backfill's state volumes stay on the node that made them: a task Swarm moved to another node would start its shard again and send its visits twice. Pin the run to one node (node.hostname==<name>), or configure shared state volumes (CONTROL_SWARM_STATE_DRIVER)", p.platform.Nodes))
	}
	return ps
}

// pinWindow replaces a relative backfill window by the absolute dates it stands for now. A window
// split over several loaders must end before today: each would plan today's hours as of its own
// start, and the shards would no longer add up to one plan.
func pinWindow(c *config.Config, now time.Time, loaders int) config.Problems {
	w, ps := c.BackfillWindow(now)
	if len(ps) > 0 {
		return nil // Validate reports them
	}
	today := time.Date(now.In(w.Location).Year(), now.In(w.Location).Month(), now.In(w.Location).Day(), 0, 0, 0, 0, w.Location)
	if loaders > 1 && !w.End.Before(today) {
		return config.Problems{config.Errorf("BACKFILL_END_DATE", w.End.Format(config.DateLayout),
			"a backfill split over %d loaders must end before today (%s): each loader would plan today's hours as of its own start", loaders, today.Format(config.DateLayout))}
	}
	c.BackfillStartDate, c.BackfillEndDate = w.Start.Format(config.DateLayout), w.End.Format(config.DateLayout)
	c.BackfillDaysBack, c.BackfillDuration = nil, nil
	return nil
}

// pinnedToOneNode reports whether a placement keeps every task on one node.
func pinnedToOneNode(placement []string) bool {
	for _, c := range placement {
		if pinsOneNode.MatchString(c) {
			return true
		}
	}
	return false
}

// swarmFileProblems reports content files too large for a Swarm config, under the request field
// they come from.
func swarmFileProblems(files []docker.File) config.Problems {
	fields := map[string]string{funnelsFile: "funnels", urlsFile: "url_set_id", eventsFile: "event_set_id", scenarioFile: "scenario_id",
		campaignsFile: "campaign_set_id", dimensionsFile: "dimension_set_id"}
	var ps config.Problems
	for _, f := range files {
		if len(f.Data) > docker.MaxConfigBytes {
			ps = append(ps, config.Errorf(fields[f.Path], fmt.Sprint(len(f.Data)),
				"is %d KiB; a Docker Swarm hands a loader at most %d KiB per file (a Swarm config)", len(f.Data)>>10, docker.MaxConfigBytes>>10))
		}
	}
	return ps
}

// newStateKey names the state of a new swarm backfill: its volumes and the directory of its state
// files.
func newStateKey() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error
	return "s" + hex.EncodeToString(b[:])
}

// swarmStateFile is BACKFILL_STATE_FILE of a swarm backfill: a file per shard ({shard}) in a
// directory of its key, so that shards, and runs, never share a file even on one shared volume.
func swarmStateFile(key string) string { return path.Join(dataDir, key, swarmStateFileFmt) }

// stateKeyOf is the state key of a swarm backfill's config, "" for any other config.
func stateKeyOf(c config.Config) string {
	dir, file := path.Split(c.BackfillStateFile)
	key := path.Base(dir)
	if file != swarmStateFileFmt || path.Dir(path.Clean(dir)) != dataDir || swarmStateFile(key) != c.BackfillStateFile {
		return ""
	}
	return key
}
