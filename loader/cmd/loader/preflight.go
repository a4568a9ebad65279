package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/matomo"
	"github.com/trafficinator/trafficinator/pkg/report"
)

// checkRedirects posts an empty bulk request, which records nothing, to each target's tracker and
// reports every target that answers with a redirect: the client never follows one (it would lose
// the hits, or carry them to another host), so such a run could only fail. It returns false when
// one did. Any other outcome is left to the run, which counts and reports it.
func checkRedirects(ctx context.Context, cfg config.Config, clients []*matomo.Client, out *report.Writer, log *slog.Logger) bool {
	ok := true
	for _, c := range clients {
		pctx, cancel := context.WithTimeout(ctx, cfg.HTTPTimeout)
		_, err := c.ProbeBulk(pctx)
		cancel()
		var re *matomo.RedirectError
		if !errors.As(err, &re) {
			continue
		}
		name := c.Target().Name
		msg := re.Advice(cfg.TargetURLField(name))
		log.Error(msg, "target", name)
		_ = out.Write(report.TypeError, &report.Error{Target: name, Message: msg, Fatal: true})
		ok = false
	}
	return ok
}
