package content

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// StepType is the kind of hit a funnel step sends.
type StepType string

// The six funnel step types of the original funnels.json.
const (
	StepPageview   StepType = "pageview"
	StepEvent      StepType = "event"
	StepSiteSearch StepType = "site_search"
	StepOutlink    StepType = "outlink"
	StepDownload   StepType = "download"
	StepEcommerce  StepType = "ecommerce"
)

// StepTypes lists every valid step type, in the order the control offers them.
var StepTypes = []StepType{StepPageview, StepEvent, StepSiteSearch, StepOutlink, StepDownload, StepEcommerce}

// Valid reports whether t is one of StepTypes.
func (t StepType) Valid() bool { return slices.Contains(StepTypes, t) }

// DefaultFunnelName is the name given to a funnel whose file entry has none.
const DefaultFunnelName = "Unnamed Funnel"

// Funnel is a scripted journey: with Probability, a visit runs Steps in order instead of
// (or before, when ExitAfterCompletion is false) random browsing. Field order follows the
// original export.
type Funnel struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Probability is the chance, checked once per visit, that this funnel runs. Funnels are
	// checked in Priority order and the first hit wins.
	Probability float64 `json:"probability"`
	// Priority orders the funnels, lowest first.
	Priority int `json:"priority"`
	// Enabled is false for funnels that are kept in the file but never run.
	Enabled bool `json:"enabled"`
	// ExitAfterCompletion ends the visit when the funnel's steps are done; when false
	// the same visitor continues browsing.
	ExitAfterCompletion bool   `json:"exit_after_completion"`
	Steps               []Step `json:"steps"`
}

// Step is one hit of a funnel. Which fields apply depends on Type; optional numbers are
// pointers so that "not set" differs from zero.
type Step struct {
	Type StepType `json:"type"`
	// Title labels the step in the editor; it is not sent.
	Title string `json:"title,omitempty"`
	// URL is the page the hit is on: required for pageviews; for other types, empty means
	// the previous step's page.
	URL string `json:"url,omitempty"`
	// ActionName overrides the page title / action name sent.
	ActionName string `json:"action_name,omitempty"`

	EventCategory string   `json:"event_category,omitempty"`
	EventAction   string   `json:"event_action,omitempty"`
	EventName     string   `json:"event_name,omitempty"`
	EventValue    *float64 `json:"event_value,omitempty"`

	SearchKeyword  string `json:"search_keyword,omitempty"`
	SearchCategory string `json:"search_category,omitempty"`
	// SearchResults is the result count reported; nil means a random count.
	SearchResults *int `json:"search_results,omitempty"`

	// TargetURL is the outlink or download URL; a relative one is resolved against the
	// step's page.
	TargetURL string `json:"target_url,omitempty"`

	// Ecommerce overrides; nil fields are generated like a normal order's.
	EcommerceRevenue  *float64 `json:"ecommerce_revenue,omitempty"`
	EcommerceSubtotal *float64 `json:"ecommerce_subtotal,omitempty"`
	EcommerceTax      *float64 `json:"ecommerce_tax,omitempty"`
	EcommerceShipping *float64 `json:"ecommerce_shipping,omitempty"`
	// EcommerceItems is the number of line items in the order.
	EcommerceItems *int `json:"ecommerce_items,omitempty"`
	// EcommerceCurrency is a 3-letter ISO 4217 code overriding the run's currency.
	EcommerceCurrency string `json:"ecommerce_currency,omitempty"`

	// DelaySecondsMin and DelaySecondsMax bound the simulated time between this step and
	// the next (0–3600; after parsing, Max ≥ Min).
	DelaySecondsMin float64 `json:"delay_seconds_min"`
	DelaySecondsMax float64 `json:"delay_seconds_max"`
}

// EnabledFunnels returns the funnels that can run (enabled, probability above 0), keeping
// their order.
func EnabledFunnels(fs []Funnel) []Funnel {
	var out []Funnel
	for _, f := range fs {
		if f.Enabled && f.Probability > 0 {
			out = append(out, f)
		}
	}
	return out
}

// SortFunnels orders funnels by priority, keeping file order among equal priorities.
func SortFunnels(fs []Funnel) {
	slices.SortStableFunc(fs, func(a, b Funnel) int { return cmp.Compare(a.Priority, b.Priority) })
}

// MarshalFunnels writes funnels in the original funnels.json format (an array), for export.
func MarshalFunnels(fs []Funnel) ([]byte, error) {
	out := make([]Funnel, len(fs))
	for i, f := range fs {
		if f.Steps == nil {
			f.Steps = []Step{}
		}
		out[i] = f
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("content: encoding funnels: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseFunnels reads funnels.json (a JSON array of funnels), validates every funnel with
// the original control's rules, applies the original loader's normalisation (defaults,
// delay max raised to min, probability clamped to [0, 1]) and returns the funnels sorted by
// priority. Disabled funnels are validated and kept with Enabled false. Problem paths
// start with the funnel's index, e.g. "[1].steps[0].url".
func ParseFunnels(data []byte) ([]Funnel, config.Problems) {
	var ps problems
	if len(bytes.TrimSpace(data)) == 0 {
		ps.warnf(0, "", "", "the funnels file is empty; no funnels will run")
		return nil, ps.result()
	}
	d, root, ok := parseJSON(data, &ps)
	if !ok {
		return nil, ps.result()
	}
	items, ok := d.array(root, "")
	if !ok {
		return nil, ps.result()
	}
	out := make([]Funnel, 0, len(items))
	for i, item := range items {
		if f, ok := d.funnel(item, index("", i)); ok {
			out = append(out, f)
		}
	}
	SortFunnels(out)
	return out, ps.result()
}

// ParseFunnel reads a single funnel object (as the control's editor sends it) with the
// same rules as ParseFunnels; problem paths start at the funnel ("steps[2].url").
func ParseFunnel(data []byte) (Funnel, config.Problems) {
	var ps problems
	d, root, ok := parseJSON(data, &ps)
	if !ok {
		return Funnel{}, ps.result()
	}
	f, _ := d.funnel(root, "")
	return f, ps.result()
}

// funnelFieldHint lists the keys a funnel object may have, for unknown-key messages.
var funnelFieldHint = strings.Join([]string{"name", "description", "probability", "priority",
	"enabled", "exit_after_completion", "steps"}, ", ")
