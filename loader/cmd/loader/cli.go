package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/version"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitInvalid = 2
)

// run is main without the process: arguments, environment and output are passed in, so tests can
// drive every path.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("loader "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	envFile := fs.String("env-file", "", "read settings from this env file (the process environment wins)")
	if err := fs.Parse(args); err != nil {
		return exitInvalid
	}
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, "trafficinator loader", version.Version)
		return exitOK
	case "validate", "run":
	default:
		fmt.Fprintf(stderr, "unknown command %q; use run, validate or version\n", cmd)
		return exitInvalid
	}
	cfg, ok := loadConfig(*envFile, lookup, stderr)
	if !ok {
		return exitInvalid
	}
	if cmd == "validate" {
		fmt.Fprintln(stdout, "ok")
		return exitOK
	}
	return execute(ctx, cfg, stdout, stderr)
}

// loadConfig merges the env file (if any) under the process environment, decodes, reads the token
// files, validates, and prints every problem (errors and warnings) one per line on stderr.
func loadConfig(envFile string, lookup func(string) (string, bool), stderr io.Writer) (config.Config, bool) {
	var probs config.Problems
	if envFile != "" {
		f, err := os.Open(envFile)
		if err != nil {
			fmt.Fprintf(stderr, "error: env file: %v\n", err)
			return config.Config{}, false
		}
		fileEnv, ps := config.ParseEnvFile(f)
		f.Close()
		for i := range ps {
			ps[i].Field = envFile + ": " + ps[i].Field
		}
		probs = append(probs, ps...)
		probs = append(probs, config.UnknownKeys(fileEnv)...)
		procLookup := lookup
		lookup = func(k string) (string, bool) {
			if v, ok := procLookup(k); ok {
				return v, true
			}
			v, ok := fileEnv[k]
			return v, ok
		}
	}
	cfg, err := config.Decode(lookup)
	if ps, ok := err.(config.Problems); ok {
		probs = append(probs, ps...)
	}
	probs = append(probs, cfg.ReadTokenFiles()...) // the loader alone reads the files a config names
	probs = append(probs, validate(cfg, err)...)
	for _, p := range probs.Errors() {
		fmt.Fprintln(stderr, "error:", p)
	}
	for _, p := range probs.Warnings() {
		fmt.Fprintln(stderr, "warning:", p)
	}
	return cfg, probs.Err() == nil
}

// validate runs the schema's rules, skipping the ones about settings that did not parse (they would
// only repeat the parse error).
func validate(cfg config.Config, decodeErr error) config.Problems {
	bad := map[string]bool{}
	if ps, ok := decodeErr.(config.Problems); ok {
		for _, p := range ps {
			bad[p.Field] = true
		}
	}
	if bad["MATOMO_TARGETS"] { // the legacy triple is not what the user meant: do not complain about it
		bad["MATOMO_URL"], bad["MATOMO_TOKEN_AUTH"] = true, true
	}
	var out config.Problems
	for _, p := range cfg.Validate() {
		if !bad[p.Field] {
			out = append(out, p)
		}
	}
	return out
}
