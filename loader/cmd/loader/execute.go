package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// execute runs the configured mode.
func execute(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) int {
	var names []string
	for _, t := range cfg.EnabledTargets() {
		names = append(names, t.Name)
	}
	mode := "live"
	if cfg.BackfillEnabled {
		mode = "backfill"
	}
	fmt.Fprintf(stderr, "would run %s against %s (mode %s); the engines are not built yet\n", mode, strings.Join(names, ", "), cfg.TargetMode)
	return exitOK
}
