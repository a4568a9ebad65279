package config

// EnvJobCompletionIndex is the variable a Kubernetes Indexed Job gives each of its pods: the pod's
// completion index, 0 to completions−1. It is not a setting of its own: Decode takes SHARD_INDEX
// from it when SHARD_INDEX is unset, so the Job's index is the loader's shard.
const EnvJobCompletionIndex = "JOB_COMPLETION_INDEX"

// EnvShardSlot is the variable a Docker Swarm service gives each of its tasks through the template
// `SHARD_SLOT={{.Task.Slot}}`: the task's slot, 1 to replicas (Swarm counts slots from 1). Like
// JOB_COMPLETION_INDEX it is not a setting of its own: Decode takes SHARD_INDEX = SHARD_SLOT − 1 from
// it when neither SHARD_INDEX nor JOB_COMPLETION_INDEX is set, so a replica's slot is its shard, and
// a task that Swarm starts again in the same slot resumes the same shard.
const EnvShardSlot = "SHARD_SLOT"

// shardFromEnv sets c.ShardIndex when SHARD_INDEX is unset: from JOB_COMPLETION_INDEX (a
// Kubernetes Indexed Job, 0-based) when that is set, else from SHARD_SLOT (a Swarm task's slot,
// 1-based). A value that is not a whole number, or a slot below 1, is reported under its own name
// and leaves the default. The resulting index is range-checked by Validate, as SHARD_INDEX is.
func shardFromEnv(c *Config, lookup func(string) (string, bool)) Problems {
	if _, set := lookup("SHARD_INDEX"); set {
		return nil
	}
	if s, set := lookup(EnvJobCompletionIndex); set {
		v, err := parseWhole[int](s)
		if err != nil {
			return Problems{Errorf(EnvJobCompletionIndex, s, "%v (it stands for SHARD_INDEX, which is unset)", err)}
		}
		c.ShardIndex = v
		return nil
	}
	s, set := lookup(EnvShardSlot)
	if !set {
		return nil
	}
	v, err := parseWhole[int](s)
	switch {
	case err != nil:
		return Problems{Errorf(EnvShardSlot, s, "%v (it stands for SHARD_INDEX + 1, and SHARD_INDEX is unset)", err)}
	case v < 1:
		return Problems{Errorf(EnvShardSlot, s, "must be at least 1: Swarm numbers task slots from 1 (SHARD_INDEX is the slot − 1)")}
	}
	c.ShardIndex = v - 1
	return nil
}
