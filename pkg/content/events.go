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

// Event-list limits and probability hints, as in the original control.
const (
	maxEventsWarn         = 100
	clickProbabilityWarn  = 0.5
	randomProbabilityWarn = 0.3
)

// Event is one Matomo event a visit may trigger (e_c, e_a, e_n and optionally e_v).
type Event struct {
	Category string `json:"category"`
	Action   string `json:"action"`
	Name     string `json:"name"`
	// Value is the event value; nil when the event has none (written as null).
	Value *float64 `json:"value"`
}

// EventSet is the events file: two lists of events and, optionally, the per-visit
// chance of triggering one event from each.
type EventSet struct {
	// ClickProbability and RandomProbability are nil when the file does not set them, in
	// which case the run configuration (CLICK_EVENTS_PROBABILITY,
	// RANDOM_EVENTS_PROBABILITY) decides.
	ClickProbability  *float64 `json:"click_events_probability,omitempty"`
	RandomProbability *float64 `json:"random_events_probability,omitempty"`
	Click             []Event  `json:"click_events"`
	Random            []Event  `json:"random_events"`
}

// EventStats counts events per list and per category, for the control's preview.
type EventStats struct {
	Click      int                 `json:"click_events"`
	Random     int                 `json:"random_events"`
	Categories []EventCategoryStat `json:"categories"`
}

// EventCategoryStat is the number of events of one category in each list.
type EventCategoryStat struct {
	Category string `json:"category"`
	Click    int    `json:"click_events"`
	Random   int    `json:"random_events"`
}

// Stats counts the events of the set per category, most frequent category first.
func (s EventSet) Stats() EventStats {
	byCat := map[string]*EventCategoryStat{}
	get := func(c string) *EventCategoryStat {
		if byCat[c] == nil {
			byCat[c] = &EventCategoryStat{Category: c}
		}
		return byCat[c]
	}
	for _, e := range s.Click {
		get(e.Category).Click++
	}
	for _, e := range s.Random {
		get(e.Category).Random++
	}
	st := EventStats{Click: len(s.Click), Random: len(s.Random)}
	for _, c := range byCat {
		st.Categories = append(st.Categories, *c)
	}
	slices.SortFunc(st.Categories, func(a, b EventCategoryStat) int {
		return cmp.Or(cmp.Compare(b.Click+b.Random, a.Click+a.Random), cmp.Compare(a.Category, b.Category))
	})
	return st
}

// MarshalEvents writes the set in the events-file format.
func MarshalEvents(s EventSet) ([]byte, error) {
	if s.Click == nil {
		s.Click = []Event{}
	}
	if s.Random == nil {
		s.Random = []Event{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("content: encoding events: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseEvents reads an events file. Rules (the original control's): the root is an
// object with only the keys click_events_probability, random_events_probability,
// click_events and random_events; probabilities are numbers in [0, 1]; each event is an
// object with non-empty string category, action and name, an optional value that is a
// number ≥ 0 or null, and no other keys. Empty lists and lists over 100 events are
// warnings.
func ParseEvents(data []byte) (EventSet, config.Problems) {
	var ps problems
	var set EventSet
	d, root, ok := parseJSON(data, &ps)
	if !ok {
		return set, ps.result()
	}
	members, ok := d.object(root, "")
	if !ok {
		return set, ps.result()
	}
	listed := map[string]int{}
	for _, m := range members {
		switch m.key {
		case "click_events_probability":
			set.ClickProbability = d.eventProbability(m.val, m.key, clickProbabilityWarn)
		case "random_events_probability":
			set.RandomProbability = d.eventProbability(m.val, m.key, randomProbabilityWarn)
		case "click_events":
			set.Click, listed[m.key] = d.eventList(m.val, m.key)
		case "random_events":
			set.Random, listed[m.key] = d.eventList(m.val, m.key)
		default:
			d.errorf(m.val, m.key, "unknown key %q; allowed: click_events_probability, "+
				"random_events_probability, click_events, random_events", m.key)
		}
	}
	for _, key := range []string{"click_events", "random_events"} {
		if listed[key] == 0 {
			ps.warnf(0, key, "", "no events listed; visits will trigger none of this kind")
		}
	}
	return set, ps.result()
}

func (d *jdoc) eventProbability(v jval, path string, warnAbove float64) *float64 {
	p, ok := d.number(v, path)
	if !ok {
		return nil
	}
	if p < 0 || p > 1 {
		d.errorf(v, path, "must be between 0 and 1")
		return nil
	}
	if p > warnAbove {
		d.warnf(v, path, "above %.1f: most visits will carry such an event", warnAbove)
	}
	return &p
}

// eventList reads a list of events and also returns how many entries the file lists,
// valid or not.
func (d *jdoc) eventList(v jval, path string) ([]Event, int) {
	items, ok := d.array(v, path)
	if !ok {
		return nil, 0
	}
	if len(items) > maxEventsWarn {
		d.warnf(jval{off: v.off}, path, "%d events; more than %d make the Events report hard to read",
			len(items), maxEventsWarn)
	}
	out := make([]Event, 0, len(items))
	for i, item := range items {
		if e, ok := d.event(item, index(path, i)); ok {
			out = append(out, e)
		}
	}
	return out, len(items)
}

func (d *jdoc) event(v jval, path string) (Event, bool) {
	members, ok := d.object(v, path)
	if !ok {
		return Event{}, false
	}
	var e Event
	valid := true
	have := map[string]bool{}
	for _, m := range members {
		p := join(path, m.key)
		switch m.key {
		case "category", "action", "name":
			s, present := d.str(m.val, p)
			if present && strings.TrimSpace(s) == "" {
				d.errorf(m.val, p, "must not be empty")
				present = false
			}
			have[m.key] = present
			valid = valid && present
			*eventField(&e, m.key) = s
		case "value":
			if isNull(m.val) {
				continue
			}
			f, ok := d.number(m.val, p)
			if ok && f < 0 {
				d.errorf(m.val, p, "must be a number ≥ 0 or null")
				ok = false
			}
			if ok {
				e.Value = &f
			}
			valid = valid && ok
		default:
			d.errorf(m.val, p, "unknown key %q; an event has only category, action, name and value", m.key)
			valid = false
		}
	}
	for _, k := range []string{"category", "action", "name"} {
		if _, listed := have[k]; !listed {
			d.errorf(jval{off: v.off}, join(path, k), "is required")
			valid = false
		}
	}
	return e, valid
}

func eventField(e *Event, key string) *string {
	switch key {
	case "category":
		return &e.Category
	case "action":
		return &e.Action
	}
	return &e.Name
}
