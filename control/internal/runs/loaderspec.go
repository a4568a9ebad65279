package runs

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// The user the loader image runs as (deploy/loader.Dockerfile). The service starts loaders as this
// user whatever the image says, and the files it copies in belong to it.
const (
	loaderUID  = 65532
	loaderUser = "65532:65532"
)

// secretsDir holds the token files of a loader: the control passes tokens as files readable by the
// loader's user alone (MATOMO_TOKEN_AUTH_FILE, a target's token_auth_file), never in the
// environment, which anyone who may inspect the container can read.
const (
	secretsDir = dataDir + "/secrets"
	secretMode = 0o400
)

// runSpec describes the loaders of a planned run: hardened (see docker.Spec), with their files,
// token files and limits, and no token in their environment. Each loader learns its shard from its
// slot (SHARD_SLOT, its shard + 1), which Launch sets per container or Swarm per task, so the
// environment holds no SHARD_INDEX.
func (s *Service) runSpec(runID string, p plan) docker.RunSpec {
	c, secrets := tokenFiles(p.cfg)
	kind, restarts := docker.KindLive, s.opts.RestartRetries
	if p.mode == ModeBackfill {
		kind = docker.KindBackfill
		if p.platform.Mode != docker.ModeSwarm {
			// A backfill container is never restarted behind the control's back: its checkpoint
			// is copied in by the control. A swarm task resumes its shard from its volume.
			restarts = 0
		}
	}
	spec := docker.Spec{
		RunID: runID, Kind: kind, Image: s.opts.LoaderImage, Env: withoutShardIndex(config.Encode(c)), User: loaderUser,
		Network: s.opts.Network, DataDir: dataDir, Files: ownedByLoader(p.files),
		RestartOnFailure: restarts, StopTimeout: c.ShutdownGrace + stopGraceMargin,
	}
	p.limits.apply(&spec)
	rs := docker.RunSpec{Loader: spec, Loaders: p.loaders, SlotEnv: config.EnvShardSlot, Secrets: ownedByLoader(secrets),
		Placement: p.placement, StateKey: p.stateKey}
	for i, files := range p.resume {
		if rs.IndexFiles == nil {
			rs.IndexFiles = make(map[int][]docker.File)
		}
		rs.IndexFiles[i] = ownedByLoader(files)
	}
	return rs
}

// withoutShardIndex drops SHARD_INDEX from an environment: the loader takes it from SHARD_SLOT.
func withoutShardIndex(env []string) []string {
	return slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "SHARD_INDEX=") })
}

// ownedByLoader returns copies of files that belong to the loader's user.
func ownedByLoader(files []docker.File) []docker.File {
	out := slices.Clone(files)
	for i := range out {
		out[i].UID, out[i].GID = loaderUID, loaderUID
	}
	return out
}

// tokenFiles moves c's tokens into files for the loader: it returns c with each token replaced by
// the path of its file, and the files.
func tokenFiles(c config.Config) (config.Config, []docker.File) {
	var files []docker.File
	secret := func(name, token string) string {
		path := secretsDir + "/" + name
		files = append(files, docker.File{Path: path, Mode: secretMode, Data: []byte(token)})
		return path
	}
	if c.TokenAuth != "" {
		c.TokenAuthFile, c.TokenAuth = secret("token_auth", c.TokenAuth), ""
	}
	c.Targets = slices.Clone(c.Targets)
	for i := range c.Targets {
		if t := &c.Targets[i]; t.Token != "" {
			t.TokenFile, t.Token = secret(fmt.Sprintf("target-%d", i), t.Token), ""
		}
	}
	return c, files
}

// tokenFileProblems refuses token files named in a config the control runs: they are paths in a
// loader run on its own, and the control puts its own token files in its loaders.
func tokenFileProblems(c config.Config) config.Problems {
	const why = "is for a loader run on its own; the control passes the token to its loaders as a file itself: give the token"
	var ps config.Problems
	if c.TokenAuthFile != "" {
		ps = append(ps, config.Errorf("MATOMO_TOKEN_AUTH_FILE", c.TokenAuthFile, "%s (MATOMO_TOKEN_AUTH)", why))
	}
	for i, t := range c.Targets {
		if t.TokenFile != "" {
			ps = append(ps, config.Errorf(fmt.Sprintf("MATOMO_TARGETS[%d].token_auth_file", i), t.TokenFile, "%s (token_auth)", why))
		}
	}
	return ps
}
