package webtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/api"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// schemaOf reads GET /api/schema with the key, as the UI does: the limits and defaults the UI must
// show are the ones it serves.
func schemaOf(t *testing.T, c control) api.SchemaResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.url+"/api/schema", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-API-Key", apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET /api/schema: %v", err)
	}
	defer resp.Body.Close()
	var s api.SchemaResponse
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/schema: %d, %v", resp.StatusCode, err)
	}
	return s
}

// fieldNamed is the schema of the setting or target key called name in fields.
func fieldNamed(t *testing.T, fields []config.FieldInfo, name string) config.FieldInfo {
	t.Helper()
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("the schema has no field %q", name)
	return config.FieldInfo{}
}

// propIs fails the test unless a property of the first element matching css (maxLength, max,
// value, checked) reads as want.
func (p *page) propIs(css, prop string, want any) {
	p.t.Helper()
	var got string
	raw := p.eval(css+"."+prop, fmt.Sprintf(`String(document.querySelector(%s)?.[%s])`, jsString(css), jsString(prop)))
	if err := json.Unmarshal(raw, &got); err != nil {
		p.t.Fatalf("%s.%s: %v", css, prop, err)
	}
	if w := fmt.Sprint(want); got != w {
		p.t.Errorf("%s.%s = %s, want %s from the schema", css, prop, got, w)
	}
}

// spyEstimates records the body of every answer of POST /api/backfill/estimate the page receives
// in window.estimates, to compare what the page shows with what the server said.
func (p *page) spyEstimates() {
	p.t.Helper()
	p.eval("estimate spy", `(() => {
		if (window.estimates) return true;
		window.estimates = [];
		const orig = window.fetch;
		window.fetch = async (...args) => {
			const resp = await orig(...args);
			if (String(args[0]).endsWith('/api/backfill/estimate') && resp.ok) window.estimates.push(await resp.clone().json());
			return resp;
		};
		return true })()`)
}

// lastEstimate is the last estimate the server sent the page.
func (p *page) lastEstimate() api.EstimateResponse {
	p.t.Helper()
	var e api.EstimateResponse
	raw := p.eval("last estimate", `window.estimates.at(-1) ?? null`)
	if err := json.Unmarshal(raw, &e); err != nil || e.Days == 0 {
		p.t.Fatalf("no estimate from the server (%s): %v", raw, err)
	}
	return e
}
