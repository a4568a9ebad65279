package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Custom dimension scopes, as Matomo's CustomDimensions plugin names them.
const (
	ScopeVisit  = "visit"
	ScopeAction = "action"
)

// maxDimensionValueChars is the length Matomo's CustomDimensions plugin keeps of a value.
const maxDimensionValueChars = 255

// Dimension is one custom dimension a visit may carry (dimensionN in the tracking request,
// N being Matomo's idcustomdimension).
type Dimension struct {
	// ID is the dimension's id in Matomo (Administration > Custom Dimensions), sent as dimension<ID>.
	ID int `json:"id"`
	// Scope is ScopeVisit (one value per visit, set on its first hit) or ScopeAction (a value per
	// pageview).
	Scope string `json:"scope"`
	// Name is a label for people; Matomo does not receive it.
	Name string `json:"name,omitempty"`
	// Values are the values drawn from, by weight.
	Values []DimensionValue `json:"values"`
}

// DimensionValue is one value of a dimension with its weight relative to the others'.
type DimensionValue struct {
	Value  string  `json:"value"`
	Weight float64 `json:"weight"`
}

// Weights returns the values' weights in order, for a weighted draw.
func (d Dimension) Weights() []float64 {
	w := make([]float64, len(d.Values))
	for i, v := range d.Values {
		w[i] = v.Weight
	}
	return w
}

// Param is the tracking parameter that carries the dimension ("dimension3").
func (d Dimension) Param() string { return fmt.Sprintf("dimension%d", d.ID) }

// DimensionSet is the dimensions file.
type DimensionSet struct {
	Dimensions []Dimension `json:"dimensions"`
}

// IDs lists the dimension ids in file order.
func (s DimensionSet) IDs() []int {
	ids := make([]int, len(s.Dimensions))
	for i, d := range s.Dimensions {
		ids[i] = d.ID
	}
	return ids
}

// MarshalDimensions writes the set in the dimensions-file format.
func MarshalDimensions(s DimensionSet) ([]byte, error) {
	if s.Dimensions == nil {
		s.Dimensions = []Dimension{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("content: encoding dimensions: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseDimensions reads a custom-dimension definitions file: a JSON object with one key,
// "dimensions", a list of objects with
//
//   - id: the idcustomdimension in Matomo, a whole number ≥ 1, unique in the file;
//   - scope: "visit" or "action";
//   - name: an optional label;
//   - values: a non-empty list of values, each a string (weight 1) or {"value": "...", "weight": w}
//     with w > 0; a value is not blank and appears once.
//
// Values longer than 255 characters are cut by Matomo (a warning). Every problem is reported,
// with its line and path.
func ParseDimensions(data []byte) (DimensionSet, config.Problems) {
	var ps problems
	var set DimensionSet
	d, root, ok := parseJSON(bytes.TrimPrefix(data, []byte(utf8BOM)), &ps)
	if !ok {
		return set, ps.result()
	}
	members, ok := d.object(root, "")
	if !ok {
		return set, ps.result()
	}
	listed := false
	for _, m := range members {
		if m.key != "dimensions" {
			d.errorf(m.val, m.key, "unknown key %q; the file has only the key dimensions", m.key)
			continue
		}
		listed = true
		items, ok := d.array(m.val, m.key)
		if !ok {
			continue
		}
		ids := map[int]int{}
		for i, item := range items {
			p := index(m.key, i)
			dim, ok := d.dimension(item, p)
			if !ok {
				continue
			}
			if first, dup := ids[dim.ID]; dup {
				d.errorf(item, join(p, "id"), "dimension id %d is already defined on line %d", dim.ID, first)
				continue
			}
			ids[dim.ID] = d.line(item.off)
			set.Dimensions = append(set.Dimensions, dim)
		}
	}
	if !listed || (len(set.Dimensions) == 0 && ps.errors == 0) {
		ps.errorf(0, "dimensions", "", "no dimensions defined; list at least one, or leave CUSTOM_DIMENSIONS_FILE unset")
	}
	return set, ps.result()
}

func (d *jdoc) dimension(v jval, path string) (Dimension, bool) {
	members, ok := d.object(v, path)
	if !ok {
		return Dimension{}, false
	}
	var dim Dimension
	valid := true
	have := map[string]bool{}
	for _, m := range members {
		p := join(path, m.key)
		have[m.key] = true
		switch m.key {
		case "id":
			id, ok := d.integer(m.val, p)
			if ok && id < 1 {
				d.errorf(m.val, p, "must be a whole number ≥ 1 (Matomo's id of the dimension)")
				ok = false
			}
			dim.ID, valid = id, valid && ok
		case "scope":
			s, ok := d.str(m.val, p)
			if ok && s != ScopeVisit && s != ScopeAction {
				d.errorf(m.val, p, "must be %q or %q", ScopeVisit, ScopeAction)
				ok = false
			}
			dim.Scope, valid = s, valid && ok
		case "name":
			s, ok := d.str(m.val, p)
			dim.Name, valid = strings.TrimSpace(s), valid && (ok || isNull(m.val))
		case "values":
			vals, ok := d.dimensionValues(m.val, p)
			dim.Values, valid = vals, valid && ok
		default:
			d.errorf(m.val, p, "unknown key %q; a dimension has only id, scope, name and values", m.key)
			valid = false
		}
	}
	for _, k := range []string{"id", "scope", "values"} {
		if !have[k] {
			d.errorf(jval{off: v.off}, join(path, k), "is required")
			valid = false
		}
	}
	return dim, valid
}

// dimensionValues reads a values list; ok is false when any entry is invalid or there is none.
func (d *jdoc) dimensionValues(v jval, path string) ([]DimensionValue, bool) {
	items, ok := d.array(v, path)
	if !ok {
		return nil, false
	}
	if len(items) == 0 {
		d.errorf(v, path, "must list at least one value")
		return nil, false
	}
	out := make([]DimensionValue, 0, len(items))
	seen := map[string]int{}
	valid := true
	for i, item := range items {
		p := index(path, i)
		dv, ok := d.dimensionValue(item, p)
		if !ok {
			valid = false
			continue
		}
		if first, dup := seen[dv.Value]; dup {
			d.errorf(item, p, "value %q is already listed at %s", dv.Value, index(path, first))
			valid = false
			continue
		}
		seen[dv.Value] = i
		out = append(out, dv)
	}
	return out, valid
}

// dimensionValue reads "text" or {"value": "text", "weight": w}.
func (d *jdoc) dimensionValue(v jval, path string) (DimensionValue, bool) {
	dv := DimensionValue{Weight: 1}
	valueAt, valuePath := v, path
	if kind(v.raw) == '{' {
		members, ok := d.object(v, path)
		if !ok {
			return dv, false
		}
		valueAt, valuePath = jval{}, ""
		valid := true
		for _, m := range members {
			p := join(path, m.key)
			switch m.key {
			case "value":
				valueAt, valuePath = m.val, p
			case "weight":
				w, ok := d.number(m.val, p)
				if ok && w <= 0 {
					d.errorf(m.val, p, "must be a number > 0 (remove a value that should never be drawn)")
					ok = false
				}
				if ok {
					dv.Weight = w
				}
				valid = valid && (ok || isNull(m.val))
			default:
				d.errorf(m.val, p, "unknown key %q; a value has only value and weight", m.key)
				valid = false
			}
		}
		if valuePath == "" {
			d.errorf(jval{off: v.off}, join(path, "value"), "is required")
			return dv, false
		}
		if !valid {
			return dv, false
		}
	}
	s, ok := d.str(valueAt, valuePath)
	if !ok {
		if isNull(valueAt) {
			d.errorf(valueAt, valuePath, "must be a string")
		}
		return dv, false
	}
	if strings.TrimSpace(s) == "" {
		d.errorf(valueAt, valuePath, "must not be blank")
		return dv, false
	}
	if utf8.RuneCountInString(s) > maxDimensionValueChars {
		d.warnf(valueAt, valuePath, "longer than %d characters; Matomo cuts it", maxDimensionValueChars)
	}
	dv.Value = s
	return dv, true
}

// DimensionStats summarises custom dimension definitions for the control's preview.
type DimensionStats struct {
	Visit  int `json:"visit"`
	Action int `json:"action"`
	// Values is the number of values over all dimensions.
	Values int `json:"values"`
}

// Stats computes the preview summary of the definitions.
func (s DimensionSet) Stats() DimensionStats {
	var st DimensionStats
	for _, d := range s.Dimensions {
		if d.Scope == ScopeVisit {
			st.Visit++
		} else {
			st.Action++
		}
		st.Values += len(d.Values)
	}
	return st
}
