package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// Connection-test bounds.
const (
	defaultTestTimeout = 10 // seconds per request
	maxTestTimeout     = 60
	maxTestTargets     = 20
	testParallel       = 4
)

// TestConnectionRequest names what to test: a config being edited (config, with config_id to use
// its stored tokens for blank ones), a saved config (config_id alone), or, as in the original, one
// target (matomo_url, site_id, token_auth). Timeout is per request, 1 to 60 s (default 10).
type TestConnectionRequest struct {
	Config    map[string]any `json:"config,omitempty"`
	ConfigID  *int64         `json:"config_id,omitempty"`
	MatomoURL string         `json:"matomo_url,omitempty"`
	SiteID    *int           `json:"site_id,omitempty" validate:"omitempty,min=1"`
	TokenAuth string         `json:"token_auth,omitempty"`
	Timeout   *float64       `json:"timeout,omitempty" validate:"omitempty,testtimeout"`
}

// TestConnectionResponse has one check per enabled target, plus the original's summary fields
// (success, reachable, status_code, response_time_ms, message, error) for its scripts.
type TestConnectionResponse struct {
	Success        bool          `json:"success"`
	Reachable      bool          `json:"reachable"`
	StatusCode     int           `json:"status_code,omitempty"`
	ResponseTimeMS float64       `json:"response_time_ms"`
	Message        string        `json:"message"`
	Error          string        `json:"error,omitempty"`
	Targets        []TargetCheck `json:"targets"`
}

func (s *Server) testConnection(c echo.Context) error {
	var req TestConnectionRequest
	if err := s.bind(c, &req); err != nil {
		return err
	}
	cfg, err := s.connectionConfig(c.Request().Context(), req)
	if err != nil {
		return err
	}
	targets := cfg.EnabledTargets()
	if len(targets) > maxTestTargets {
		return invalidField("config", "", "at most %d targets can be tested at once", maxTestTargets)
	}
	timeout := time.Duration(defaultTestTimeout) * time.Second
	if req.Timeout != nil {
		timeout = time.Duration(*req.Timeout * float64(time.Second))
	}
	// Three requests per target, a few targets at a time.
	rounds := (len(targets) + testParallel - 1) / testParallel
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Duration(3*rounds)*timeout+time.Second)
	defer cancel()
	checks := s.runChecks(ctx, cfg, TestOptions{Timeout: timeout, InsecureSkipVerify: cfg.TLSSkipVerify})
	if req.Config != nil || req.ConfigID != nil {
		for i := range checks {
			compareSite(&checks[i], cfg)
		}
	}
	return c.JSON(http.StatusOK, summarize(checks))
}

// connectionConfig builds the config whose targets are tested.
func (s *Server) connectionConfig(ctx context.Context, req TestConnectionRequest) (config.Config, error) {
	if (req.MatomoURL != "") == (req.Config != nil || req.ConfigID != nil) {
		return config.Config{}, invalidField("config", "", "give either config (and/or config_id) or matomo_url")
	}
	if req.MatomoURL != "" {
		c := config.Default()
		c.MatomoURL, c.SiteID, c.TokenAuth = req.MatomoURL, 1, req.TokenAuth
		if req.SiteID != nil {
			c.SiteID = *req.SiteID
		}
		return c, nil
	}
	var stored *config.Config
	if req.ConfigID != nil {
		sc, err := s.store.GetConfig(ctx, *req.ConfigID)
		if err != nil {
			return config.Config{}, public(err, "config %d not found", *req.ConfigID)
		}
		stored = &sc.Values
	}
	if req.Config == nil {
		return *stored, nil
	}
	c, probs := config.FromMap(req.Config) // the targets are tested, not the rest: only parse errors count
	if probs.Err() != nil {
		return c, invalid("invalid configuration", probs.Errors())
	}
	if stored != nil {
		c = withStoredTokens(c, *stored, nil)
	}
	return c, nil
}

// runChecks tests the enabled targets, testParallel at a time, keeping their order. The placeholder
// URL is never contacted.
func (s *Server) runChecks(ctx context.Context, cfg config.Config, o TestOptions) []TargetCheck {
	targets := cfg.EnabledTargets()
	out := make([]TargetCheck, len(targets))
	sem := make(chan struct{}, testParallel)
	var wg sync.WaitGroup
	for i, t := range targets {
		if t.URL == config.PlaceholderURL || strings.TrimSpace(t.URL) == "" {
			out[i] = TargetCheck{Name: t.Name, URL: t.URL, SiteID: t.SiteID, TokenSet: t.Token != "",
				Errors: []string{"no Matomo URL set (still the placeholder); nothing was contacted"}, Warnings: []string{}}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				to := o
				to.URLField = cfg.TargetURLField(t.Name)
				out[i] = s.tester.TestTarget(ctx, t, to)
			case <-ctx.Done():
				out[i] = TargetCheck{Name: t.Name, URL: redactURLText(t.URL), SiteID: t.SiteID,
					Errors: []string{"not tested: out of time"}, Warnings: []string{}}
			}
		}()
	}
	wg.Wait()
	return out
}

// compareSite warns when the site and the config disagree in ways that change the reports.
func compareSite(chk *TargetCheck, cfg config.Config) {
	if chk.Site == nil {
		return
	}
	if chk.Site.Timezone != "" && chk.Site.Timezone != cfg.Timezone {
		chk.Warnings = append(chk.Warnings, fmt.Sprintf("the site's time zone is %s but TIMEZONE is %s: "+
			"backfill days will not line up with the site's days", chk.Site.Timezone, cfg.Timezone))
	}
	if chk.Site.Currency != "" && chk.Site.Currency != cfg.Currency {
		chk.Warnings = append(chk.Warnings, fmt.Sprintf("the site's currency is %s but ECOMMERCE_CURRENCY is %s",
			chk.Site.Currency, cfg.Currency))
	}
	if !chk.Site.Ecommerce && cfg.EcommerceProb > 0 {
		chk.Warnings = append(chk.Warnings, "ecommerce is off for this site, so its orders will be rejected; "+
			"enable it in Matomo or set ECOMMERCE_PROBABILITY=0")
	}
}

// summarize adds the original's summary fields.
func summarize(checks []TargetCheck) TestConnectionResponse {
	resp := TestConnectionResponse{Success: len(checks) > 0, Reachable: len(checks) > 0, Targets: nonNil(checks)}
	for _, chk := range checks {
		resp.Success = resp.Success && chk.OK
		resp.Reachable = resp.Reachable && chk.Reachable
		resp.ResponseTimeMS = max(resp.ResponseTimeMS, chk.ResponseTimeMS)
		if resp.StatusCode == 0 {
			resp.StatusCode = chk.StatusCode
		}
		if resp.Error == "" && len(chk.Errors) > 0 {
			resp.Error = chk.Name + ": " + chk.Errors[0]
		}
	}
	switch {
	case len(checks) == 0:
		resp.Message = "no enabled target to test"
	case resp.Success:
		resp.Message = fmt.Sprintf("%d target(s) reachable and ready; nothing was recorded", len(checks))
	default:
		resp.Message = "some checks failed; see targets"
	}
	return resp
}
