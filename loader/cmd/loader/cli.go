package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/trafficinator/trafficinator/loader/internal/catalog"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/scenario"
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
		// The content files too (URLs, events, funnels, campaigns, dimensions): a run would refuse them.
		_, probs := catalog.Load(catalog.Options(cfg))
		printProblems(stderr, probs)
		if probs.Err() != nil {
			return exitInvalid
		}
		fmt.Fprintln(stdout, "ok")
		return exitOK
	}
	return execute(ctx, cfg, stdout, stderr)
}

// loadConfig merges the env file (if any) under the process environment, checks the result, reads
// the token files it names, and prints every problem (errors and warnings) once, one per line, on stderr.
func loadConfig(envFile string, lookup func(string) (string, bool), stderr io.Writer) (config.Config, bool) {
	var probs config.Problems
	if envFile != "" {
		fileEnv, ps, err := readEnvFile(envFile)
		if err != nil { // nothing else is worth checking: the file was meant to set it
			printProblems(stderr, config.Problems{config.Errorf("--env-file", envFile, "cannot read the file: %v", err)})
			return config.Config{}, false
		}
		probs = append(probs, ps...)
		procLookup := lookup
		lookup = func(k string) (string, bool) {
			if v, ok := procLookup(k); ok {
				return v, true
			}
			v, ok := fileEnv[k]
			return v, ok
		}
	}
	cfg, ps := config.Check(config.Env(lookup))
	probs = append(probs, ps...)
	probs = append(probs, cfg.ReadTokenFiles()...) // the loader alone reads the files a config names
	if cfg.ScenarioFile != "" && probs.Err() == nil {
		_, _, sp := scenario.Load(cfg.ScenarioFile, cfg)
		probs = append(probs, sp...)
	}
	printProblems(stderr, probs)
	return cfg, probs.Err() == nil
}

// readEnvFile reads an env file; its problems (malformed lines, names that look like misspelt
// settings) name the file.
func readEnvFile(path string) (map[string]string, config.Problems, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	env, ps := config.ParseEnvFile(f)
	ps = append(ps, config.UnknownKeys(env)...)
	return env, ps.InFile(path), nil
}

// printProblems prints every problem once, errors first, each line led by its severity.
func printProblems(w io.Writer, ps config.Problems) {
	for _, p := range ps.Errors() {
		fmt.Fprintln(w, "error:", p)
	}
	for _, p := range ps.Warnings() {
		fmt.Fprintln(w, "warning:", p)
	}
}
