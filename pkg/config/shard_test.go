package config

import (
	"errors"
	"testing"
)

// SHARD_INDEX comes from the environment, else from a Kubernetes Indexed Job's completion index,
// else from a Swarm task's slot (1-based), else it is 0; a bad index is reported under the name it
// was given as.
func TestDecodeShardIndex(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		want      int
		wantField string // the field of the one problem expected; "" for none
	}{
		{
			name: "neither set: the default, shard 0",
			env:  map[string]string{},
			want: 0,
		},
		{
			name: "SHARD_INDEX alone",
			env:  map[string]string{"SHARD_INDEX": "2"},
			want: 2,
		},
		{
			name: "an Indexed Job's pod without SHARD_INDEX takes its completion index",
			env:  map[string]string{EnvJobCompletionIndex: "3", "SHARD_COUNT": "4"},
			want: 3,
		},
		{
			name: "SHARD_INDEX wins over the completion index",
			env:  map[string]string{"SHARD_INDEX": "1", EnvJobCompletionIndex: "3"},
			want: 1,
		},
		{
			name:      "a SHARD_INDEX that does not parse is not replaced by the completion index",
			env:       map[string]string{"SHARD_INDEX": "one", EnvJobCompletionIndex: "3"},
			want:      0,
			wantField: "SHARD_INDEX",
		},
		{
			name:      "a completion index that does not parse is reported by its own name",
			env:       map[string]string{EnvJobCompletionIndex: "x"},
			want:      0,
			wantField: EnvJobCompletionIndex,
		},
		{
			name: "a Swarm task's first slot is shard 0",
			env:  map[string]string{EnvShardSlot: "1", "SHARD_COUNT": "3"},
			want: 0,
		},
		{
			name: "a Swarm task's third slot is shard 2",
			env:  map[string]string{EnvShardSlot: "3", "SHARD_COUNT": "3"},
			want: 2,
		},
		{
			name: "SHARD_INDEX wins over the slot",
			env:  map[string]string{"SHARD_INDEX": "0", EnvShardSlot: "3"},
			want: 0,
		},
		{
			name: "the completion index wins over the slot",
			env:  map[string]string{EnvJobCompletionIndex: "1", EnvShardSlot: "3"},
			want: 1,
		},
		{
			name:      "slot 0 does not exist in Swarm: reported, not taken as shard -1",
			env:       map[string]string{EnvShardSlot: "0"},
			want:      0,
			wantField: EnvShardSlot,
		},
		{
			name:      "a slot that does not parse (an unexpanded template) is reported by its own name",
			env:       map[string]string{EnvShardSlot: "{{.Task.Slot}}"},
			want:      0,
			wantField: EnvShardSlot,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Decode(mapLookup(tc.env))
			if c.ShardIndex != tc.want {
				t.Errorf("ShardIndex = %d, want %d", c.ShardIndex, tc.want)
			}
			var ps Problems
			errors.As(err, &ps)
			switch {
			case tc.wantField == "" && err != nil:
				t.Errorf("unexpected problems: %v", err)
			case tc.wantField != "" && (len(ps) != 1 || ps[0].Field != tc.wantField):
				t.Errorf("problems %v, want one about %s", err, tc.wantField)
			}
		})
	}
}

// The completion index is range-checked as SHARD_INDEX is: a Job with more completions than
// SHARD_COUNT says is refused rather than sending a share twice.
func TestJobIndexBelowShardCount(t *testing.T) {
	c, err := Decode(mapLookup(map[string]string{EnvJobCompletionIndex: "4", "SHARD_COUNT": "4"}))
	if err != nil {
		t.Fatal(err)
	}
	c.MatomoURL, c.TokenAuth = validBase().MatomoURL, validBase().TokenAuth
	found := false
	for _, p := range c.Validate().Errors() {
		found = found || p.Field == "SHARD_INDEX"
	}
	if !found {
		t.Fatalf("index 4 of 4 shards passed validation: %v", c.Validate())
	}
}

// A slot above SHARD_COUNT is refused by Validate: a service with more replicas than shards would
// send a share twice.
func TestShardSlotBelowShardCount(t *testing.T) {
	cases := []struct {
		name  string
		slot  string
		count string
		bad   bool
	}{
		{"the last slot of three is shard 2 of 3", "3", "3", false},
		{"a fourth replica of a 3-shard run", "4", "3", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Decode(mapLookup(map[string]string{EnvShardSlot: tc.slot, "SHARD_COUNT": tc.count}))
			if err != nil {
				t.Fatal(err)
			}
			c.MatomoURL, c.TokenAuth = validBase().MatomoURL, validBase().TokenAuth
			found := false
			for _, p := range c.Validate().Errors() {
				found = found || p.Field == "SHARD_INDEX"
			}
			if found != tc.bad {
				t.Fatalf("slot %s of %s shards: SHARD_INDEX refused = %v, want %v (%v)", tc.slot, tc.count, found, tc.bad, c.Validate())
			}
		})
	}
}

// {shard} in BACKFILL_STATE_FILE becomes the shard index; other paths are left alone.
func TestBackfillStatePath(t *testing.T) {
	cases := []struct {
		name, file string
		shard      int
		want       string
	}{
		{"the default path has no placeholder", "/data/backfill-state.json", 3, "/data/backfill-state.json"},
		{"placeholder in the file name", "/data/backfill-state-{shard}.json", 3, "/data/backfill-state-3.json"},
		{"placeholder as a directory", "/data/{shard}/state.json", 0, "/data/0/state.json"},
		{"every occurrence", "/data/{shard}/state-{shard}.json", 12, "/data/12/state-12.json"},
		{"other braces are not placeholders", "/data/{SHARD}/state.json", 1, "/data/{SHARD}/state.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.BackfillStateFile, c.ShardIndex = tc.file, tc.shard
			if got := c.BackfillStatePath(); got != tc.want {
				t.Errorf("BackfillStatePath() = %q, want %q", got, tc.want)
			}
		})
	}
}
