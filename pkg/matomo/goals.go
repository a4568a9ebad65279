package matomo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
)

// SiteGoal is a goal of a site, as Goals.getGoals reports it. A tracking request converts it
// with idgoal=ID (see Goal); Matomo rejects an id the site does not have with a 400.
type SiteGoal struct {
	ID   int
	Name string
	// Revenue is the default revenue of a conversion that sends none.
	Revenue float64
	// AllowMultiple: a visit may convert the goal more than once (otherwise Matomo keeps one
	// conversion per visit).
	AllowMultiple bool
	// MatchAttribute is how Matomo converts the goal by itself ("url", "title", "event_action",
	// …); "manually" means only an explicit idgoal request does.
	MatchAttribute string
}

// goalJSON is a row of the goal table, its numbers as JSON numbers or strings.
type goalJSON struct {
	ID             flexInt   `json:"idgoal"`
	Name           string    `json:"name"`
	Revenue        flexFloat `json:"revenue"`
	AllowMultiple  flexInt   `json:"allow_multiple"`
	MatchAttribute string    `json:"match_attribute"`
}

// Goals lists the goals of a site (Goals.getGoals, view access), in id order. Matomo 5.0.2 answers
// a list with JSON numbers; an object keyed by goal id and numbers as strings (other versions and
// renderers) are read too. A missing site, or one
// the token cannot see, is an error wrapping ErrNotFound or ErrAuth.
func (c *Client) Goals(ctx context.Context, siteID int) ([]SiteGoal, error) {
	const method = "Goals.getGoals"
	var raw json.RawMessage
	if err := c.api(ctx, method, url.Values{"idSite": {strconv.Itoa(siteID)}}, &raw, ErrNotFound); err != nil {
		return nil, err
	}
	var rows []goalJSON
	switch trimmed := bytes.TrimSpace(raw); {
	case len(trimmed) > 0 && trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &rows); err != nil {
			return nil, fmt.Errorf("matomo: %s: %w", method, err)
		}
	default:
		var byID map[string]goalJSON
		if err := json.Unmarshal(trimmed, &byID); err != nil {
			return nil, fmt.Errorf("matomo: %s: %w", method, err)
		}
		for _, g := range byID {
			rows = append(rows, g)
		}
	}
	out := make([]SiteGoal, 0, len(rows))
	for _, g := range rows {
		if g.ID <= 0 {
			return nil, fmt.Errorf("matomo: %s: a goal of site %d has no id", method, siteID)
		}
		out = append(out, SiteGoal{ID: int(g.ID), Name: g.Name, Revenue: float64(g.Revenue),
			AllowMultiple: g.AllowMultiple != 0, MatchAttribute: g.MatchAttribute})
	}
	slices.SortFunc(out, func(a, b SiteGoal) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Custom dimension scopes.
const (
	ScopeVisit  = "visit"
	ScopeAction = "action"
)

// SiteDimension is a custom dimension configured for a site, as
// CustomDimensions.getConfiguredCustomDimensions reports it. A tracking request sets it with
// dimension<ID>=value (see Dimension); Matomo ignores values of dimensions that do not exist or
// are inactive.
type SiteDimension struct {
	ID     int
	Name   string
	Scope  string // ScopeVisit or ScopeAction
	Active bool
}

type dimensionJSON struct {
	ID     flexInt `json:"idcustomdimension"`
	Name   string  `json:"name"`
	Scope  string  `json:"scope"`
	Active flexInt `json:"active"`
}

// CustomDimensions lists the custom dimensions configured for a site, active or not, in id
// order (view access). A Matomo without the CustomDimensions plugin answers with an *APIError.
func (c *Client) CustomDimensions(ctx context.Context, siteID int) ([]SiteDimension, error) {
	const method = "CustomDimensions.getConfiguredCustomDimensions"
	var rows []dimensionJSON
	if err := c.api(ctx, method, url.Values{"idSite": {strconv.Itoa(siteID)}}, &rows, ErrNotFound); err != nil {
		return nil, err
	}
	out := make([]SiteDimension, 0, len(rows))
	for _, d := range rows {
		out = append(out, SiteDimension{ID: int(d.ID), Name: d.Name, Scope: d.Scope, Active: d.Active != 0})
	}
	slices.SortFunc(out, func(a, b SiteDimension) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// flexFloat decodes a number Matomo may send as a JSON number or a numeric string; "" and null
// are 0.
type flexFloat float64

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) || bytes.Equal(b, []byte(`""`)) {
		*f = 0
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("matomo: %q is not a number", b)
	}
	*f = flexFloat(v)
	return nil
}
