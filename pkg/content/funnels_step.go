package content

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// stepFieldHint lists the keys a step may have, for unknown-key messages.
var stepFieldHint = strings.Join([]string{"type", "title", "url", "action_name", "event_category",
	"event_action", "event_name", "event_value", "search_keyword", "search_category",
	"search_results", "target_url", "ecommerce_revenue", "ecommerce_subtotal", "ecommerce_tax",
	"ecommerce_shipping", "ecommerce_items", "ecommerce_currency", "delay_seconds_min",
	"delay_seconds_max"}, ", ")

// step reads and validates one funnel step; problems are recorded, the step is returned
// as far as it could be read.
func (d *jdoc) step(v jval, path string) Step {
	members, ok := d.object(v, path)
	if !ok {
		return Step{}
	}
	var s Step
	var haveType, haveMax bool
	var maxAt jval
	for _, m := range members {
		p := join(path, m.key)
		switch m.key {
		case "type":
			haveType = true
			d.stepType(m.val, p, &s)
		case "title", "url", "action_name", "event_category", "event_action", "event_name",
			"search_keyword", "search_category", "target_url", "ecommerce_currency":
			d.stepString(m, p, &s)
		case "event_value", "ecommerce_revenue", "ecommerce_subtotal", "ecommerce_tax", "ecommerce_shipping":
			d.stepNumber(m, p, &s)
		case "search_results", "ecommerce_items":
			d.stepCount(m, p, &s)
		case "delay_seconds_min":
			s.DelaySecondsMin, _ = d.delay(m.val, p)
		case "delay_seconds_max":
			s.DelaySecondsMax, haveMax = d.delay(m.val, p)
			maxAt = m.val
		default:
			d.errorf(m.val, p, "unknown key %q; a step has only %s", m.key, stepFieldHint)
		}
	}
	here := jval{off: v.off}
	if !haveType {
		d.errorf(here, join(path, "type"), "is required; %s", stepTypeHint)
	}
	switch {
	case !haveMax:
		s.DelaySecondsMax = s.DelaySecondsMin
	case s.DelaySecondsMax < s.DelaySecondsMin:
		d.warnf(maxAt, join(path, "delay_seconds_max"),
			"is below delay_seconds_min (%s); raised to it", fmtFloat(s.DelaySecondsMin))
		s.DelaySecondsMax = s.DelaySecondsMin
	}
	d.requireStepFields(here, path, s)
	return s
}

func (d *jdoc) stepType(v jval, path string, s *Step) {
	str, ok := d.str(v, path)
	if !ok {
		return
	}
	t := StepType(strings.TrimSpace(str))
	if !t.Valid() {
		d.errorf(v, path, "must be %s", stepTypeHint)
		return
	}
	s.Type = t
}

func (d *jdoc) stepString(m member, path string, s *Step) {
	str, ok := d.str(m.val, path)
	if !ok {
		return
	}
	switch m.key {
	case "title":
		if utf8.RuneCountInString(str) > maxStepTitle {
			d.errorf(m.val, path, "must be at most %d characters", maxStepTitle)
		}
		s.Title = str
	case "url":
		s.URL = strings.TrimSpace(str)
		if s.URL != "" {
			if _, msg := checkPageURL(s.URL); msg != "" {
				d.errorf(m.val, path, "%s", msg)
			}
		}
	case "target_url":
		s.TargetURL = strings.TrimSpace(str)
		if msg := checkTargetURL(s.TargetURL); msg != "" {
			d.errorf(m.val, path, "%s", msg)
		}
	case "ecommerce_currency":
		s.EcommerceCurrency = strings.TrimSpace(str)
		if s.EcommerceCurrency != "" && !isCurrencyCode(s.EcommerceCurrency) {
			d.errorf(m.val, path, "must be a 3-letter ISO 4217 code in capitals, e.g. SEK")
		}
	default:
		*stepText(s, m.key) = str
	}
}

func stepText(s *Step, key string) *string {
	switch key {
	case "action_name":
		return &s.ActionName
	case "event_category":
		return &s.EventCategory
	case "event_action":
		return &s.EventAction
	case "event_name":
		return &s.EventName
	case "search_keyword":
		return &s.SearchKeyword
	}
	return &s.SearchCategory
}

func (d *jdoc) stepNumber(m member, path string, s *Step) {
	f, ok := d.number(m.val, path)
	if !ok {
		return
	}
	if m.key != "event_value" && f < 0 {
		d.errorf(m.val, path, "must be 0 or more")
	}
	switch m.key {
	case "event_value":
		s.EventValue = &f
	case "ecommerce_revenue":
		s.EcommerceRevenue = &f
	case "ecommerce_subtotal":
		s.EcommerceSubtotal = &f
	case "ecommerce_tax":
		s.EcommerceTax = &f
	default:
		s.EcommerceShipping = &f
	}
}

func (d *jdoc) stepCount(m member, path string, s *Step) {
	n, ok := d.integer(m.val, path)
	if !ok {
		return
	}
	if m.key == "search_results" {
		if n < 0 {
			d.errorf(m.val, path, "must be 0 or more")
		}
		s.SearchResults = &n
		return
	}
	if n < 1 || n > maxEcommerceItems {
		d.errorf(m.val, path, "must be between 1 and %d", maxEcommerceItems)
	}
	s.EcommerceItems = &n
}

func (d *jdoc) delay(v jval, path string) (float64, bool) {
	f, ok := d.number(v, path)
	if !ok {
		return 0, false
	}
	if f < 0 || f > maxStepDelay {
		d.errorf(v, path, "must be between 0 and %d seconds", maxStepDelay)
		f = min(max(f, 0), maxStepDelay)
	}
	return f, true
}

// requireStepFields checks the fields each step type needs (the original control's rules).
func (d *jdoc) requireStepFields(here jval, path string, s Step) {
	need := func(val, key string) {
		if strings.TrimSpace(val) == "" {
			d.errorf(here, join(path, key), "is required for %s steps", s.Type)
		}
	}
	switch s.Type {
	case StepPageview:
		need(s.URL, "url")
	case StepEvent:
		need(s.EventCategory, "event_category")
		need(s.EventAction, "event_action")
		need(s.EventName, "event_name")
	case StepSiteSearch:
		need(s.SearchKeyword, "search_keyword")
	case StepOutlink, StepDownload:
		need(s.TargetURL, "target_url")
	}
}

// checkTargetURL accepts an absolute http(s) URL or a reference relative to the page.
func checkTargetURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "not a valid URL or path"
	}
	if u.Scheme == "" && u.Host == "" {
		return ""
	}
	_, msg := checkPageURL(raw)
	return msg
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := range 3 {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
