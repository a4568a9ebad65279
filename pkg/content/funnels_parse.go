package content

import (
	"strings"
	"unicode/utf8"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Limits of the original control's funnel model.
const (
	maxFunnelName        = 100
	maxFunnelDescription = 500
	maxStepTitle         = 120
	maxStepDelay         = 3600
	maxEcommerceItems    = 100
)

var stepTypeHint = "one of pageview, event, site_search, outlink, download, ecommerce"

// funnel reads and validates one funnel object; ok is false when it has errors.
func (d *jdoc) funnel(v jval, path string) (Funnel, bool) {
	before := d.ps.errors
	members, ok := d.object(v, path)
	if !ok {
		return Funnel{}, false
	}
	f := Funnel{Enabled: true, ExitAfterCompletion: true}
	var haveName, haveProb, haveSteps bool
	for _, m := range members {
		p := join(path, m.key)
		switch m.key {
		case "name":
			haveName = d.funnelName(m.val, p, &f)
		case "description":
			if s, ok := d.str(m.val, p); ok {
				if utf8.RuneCountInString(s) > maxFunnelDescription {
					d.errorf(m.val, p, "must be at most %d characters", maxFunnelDescription)
				}
				f.Description = s
			}
		case "probability":
			f.Probability, haveProb = d.probability(m.val, p)
		case "priority":
			if n, ok := d.integer(m.val, p); ok {
				if n < 0 {
					d.errorf(m.val, p, "must be 0 or more")
				}
				f.Priority = n
			}
		case "enabled":
			if b, ok := d.boolean(m.val, p); ok {
				f.Enabled = b
			}
		case "exit_after_completion":
			if b, ok := d.boolean(m.val, p); ok {
				f.ExitAfterCompletion = b
			}
		case "steps":
			haveSteps = true
			f.Steps = d.steps(m.val, p)
		default:
			d.errorf(m.val, p, "unknown key %q; a funnel has only %s", m.key, funnelFieldHint)
		}
	}
	here := jval{off: v.off}
	if !haveName {
		d.warnf(here, join(path, "name"), "no name; using %q", DefaultFunnelName)
		f.Name = DefaultFunnelName
	}
	switch {
	case !haveProb:
		d.warnf(here, join(path, "probability"), "not set; defaults to 0, so the funnel never runs")
	case f.Probability == 0 && f.Enabled:
		d.warnf(here, join(path, "probability"), "is 0, so the funnel never runs")
	}
	if !haveSteps {
		d.errorf(here, join(path, "steps"), "is required: a funnel needs at least one step")
	}
	return f, d.ps.errors == before
}

func (d *jdoc) funnelName(v jval, path string, f *Funnel) bool {
	s, ok := d.str(v, path)
	s = strings.TrimSpace(s)
	if !ok || s == "" {
		return false
	}
	if utf8.RuneCountInString(s) > maxFunnelName {
		d.errorf(v, path, "must be at most %d characters", maxFunnelName)
	}
	if err := config.CheckName(s); err != nil {
		d.errorf(v, path, "%v", err)
	}
	f.Name = s
	return true
}

// probability reads a funnel probability; out of [0, 1] is an error, and the value is
// clamped so that callers that only warn still get a usable number.
func (d *jdoc) probability(v jval, path string) (float64, bool) {
	p, ok := d.number(v, path)
	if !ok {
		return 0, false
	}
	if p < 0 || p > 1 {
		d.errorf(v, path, "must be between 0 and 1")
		p = min(max(p, 0), 1)
	}
	return p, true
}

func (d *jdoc) steps(v jval, path string) []Step {
	items, ok := d.array(v, path)
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(v, path, "must list at least one step")
		return nil
	}
	out := make([]Step, 0, len(items))
	for i, item := range items {
		s := d.step(item, index(path, i))
		out = append(out, s)
	}
	if out[0].Type != "" && out[0].Type != StepPageview {
		d.errorf(jval{off: items[0].off}, index(path, 0)+".type",
			"the first step must be a pageview, not %s", out[0].Type)
	}
	return out
}
