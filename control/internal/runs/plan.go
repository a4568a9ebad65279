package runs

import (
	"context"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"strings"
	"time"

	"github.com/trafficinator/trafficinator/control/internal/docker"
	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// Loaders per run: a live run may be split over at most MaxLoaders containers; a request that
// gives no number gets DefaultLoaders.
const (
	MaxLoaders     = 64
	DefaultLoaders = 1
)

// plan is a start request resolved into everything a run needs before anything is created.
type plan struct {
	name     string
	mode     string
	configID *int64
	cfg      config.Config // as the loaders run it: mode, shards and file paths applied
	loaders  int
	limits   Limits                // of every loader container, defaults applied
	files    []docker.File         // content files for every loader
	resume   map[int][]docker.File // checkpoint files per loader of a resumed backfill
	// platform is how the loaders run; on a swarm, placement constrains where, and a backfill's
	// shards keep their state on the volumes of stateKey.
	platform  docker.Platform
	placement []string
	stateKey  string
}

// invalid wraps problems in ErrInvalid so the API can list them (errors.As to config.Problems).
func invalid(ps config.Problems) error {
	return fmt.Errorf("%w: %w", ErrInvalid, ps)
}

// plan resolves a request: the config (stored, inline or the resumed run's), the mode, the
// number of loaders, the settings the control owns, and the content files; then validates the
// result. Every problem is reported at once, wrapped in ErrInvalid.
func (s *Service) plan(ctx context.Context, req StartRequest) (plan, error) {
	p := plan{name: req.Name, loaders: max(req.Loaders, DefaultLoaders), limits: req.Limits,
		platform: s.platform, placement: req.Placement}
	probs := append(req.Limits.check(), checkPlacement(req.Placement, s.platform)...)
	err := s.resolveConfig(ctx, req, &p, &probs)
	if err != nil {
		return plan{}, err
	}
	p.limits = p.limits.withDefaults()
	probs = append(probs, tokenFileProblems(p.cfg)...)
	switch req.Mode {
	case "":
	case ModeLive, ModeBackfill:
		p.cfg.BackfillEnabled = req.Mode == ModeBackfill
	default:
		probs = append(probs, config.Errorf("mode", req.Mode, "must be %q, %q or empty (follow BACKFILL_ENABLED)", ModeLive, ModeBackfill))
	}
	p.mode = ModeLive
	if p.cfg.BackfillEnabled {
		p.mode = ModeBackfill
	}
	onSwarm := s.platform.Mode == docker.ModeSwarm
	switch {
	case p.mode == ModeBackfill && p.loaders > 1 && !onSwarm:
		probs = append(probs, config.Errorf("loaders", fmt.Sprint(req.Loaders),
			"on a Docker host a backfill runs in one loader (its checkpoint is one file); a Docker Swarm runs a backfill in shards"))
	case p.loaders > MaxLoaders:
		probs = append(probs, config.Errorf("loaders", fmt.Sprint(req.Loaders), "must be at most %d", MaxLoaders))
	}
	// Settings the control owns: it starts the loaders itself (no start signal), a finished
	// backfill must exit rather than idle (or its run never ends), and the checkpoint lives
	// where the control copies it from and back to, or on a swarm on the volumes of its shards.
	p.cfg.ShardIndex, p.cfg.ShardCount = 0, p.loaders
	if p.loaders > 1 && p.cfg.Seed == nil {
		// The loaders of one run compute one schedule: Poisson gaps and random spikes are drawn
		// from the seed, so they must share it.
		seed := int64(mathrand.Uint64() >> 1)
		p.cfg.Seed = &seed
	}
	p.cfg.AutoStart, p.cfg.BackfillRunOnce, p.cfg.BackfillStateFile = true, false, stateFile
	if onSwarm && p.mode == ModeBackfill {
		// The swarm's nodes as they are now: a backfill's safety depends on them.
		if p.platform, err = s.rt.Platform(ctx); err != nil {
			return plan{}, fmt.Errorf("start run: %w", dockerErr(err))
		}
		probs = append(probs, planSwarmBackfill(&p, time.Now())...)
	}
	if err := s.contentFiles(ctx, req, &p, &probs); err != nil {
		return plan{}, err
	}
	if onSwarm {
		probs = append(probs, swarmFileProblems(p.files)...)
	}
	probs = append(probs, p.cfg.Validate().Errors()...)
	if len(probs) > 0 {
		return plan{}, invalid(probs)
	}
	return p, nil
}

// resolveConfig fills in p's config from exactly one of: the run to resume, a stored config, or
// the inline config. Request mistakes become problems; store failures are returned.
func (s *Service) resolveConfig(ctx context.Context, req StartRequest, p *plan, probs *config.Problems) error {
	switch {
	case req.ResumeOf != "":
		if req.ConfigID != nil || req.Config != nil {
			*probs = append(*probs, config.Errorf("resume_of", req.ResumeOf, "a resumed run keeps its config; give no config_id or config"))
		}
		return s.resolveResume(ctx, req, p, probs)
	case (req.ConfigID == nil) == (req.Config == nil):
		*probs = append(*probs, config.Errorf("config", "", "give exactly one of config_id (a saved config) and config"))
	case req.ConfigID != nil:
		c, err := s.st.GetConfig(ctx, *req.ConfigID)
		if errors.Is(err, store.ErrNotFound) {
			*probs = append(*probs, config.Errorf("config_id", fmt.Sprint(*req.ConfigID), "no saved config has this id"))
			return nil
		}
		if err != nil {
			return fmt.Errorf("start run: %w", err)
		}
		p.cfg, p.configID = c.Values, req.ConfigID
		if p.name == "" {
			p.name = c.Name
		}
		p.cfg = applyOverrides(p.cfg, req.Overrides, probs)
	default:
		p.cfg = *req.Config
		if len(req.Overrides) > 0 {
			*probs = append(*probs, config.Errorf("overrides", "", "overrides go with config_id; put the settings in the inline config instead"))
		}
	}
	return nil
}

// notOverridable are the settings a run cannot override: they carry tokens, which live with the
// saved config.
var notOverridable = map[string]bool{"MATOMO_URL": true, "MATOMO_SITE_ID": true, "MATOMO_TOKEN_AUTH": true, "MATOMO_TARGETS": true}

// applyOverrides returns cfg with the overrides applied; every bad override becomes a problem.
func applyOverrides(cfg config.Config, overrides map[string]any, probs *config.Problems) config.Config {
	if len(overrides) == 0 {
		return cfg
	}
	m := config.ToMap(cfg)
	for k, v := range overrides {
		if notOverridable[k] {
			*probs = append(*probs, config.Errorf(k, "", "targets and tokens cannot be overridden per run; change the saved config"))
			continue
		}
		m[k] = v
	}
	out, ps := config.FromMap(m)
	*probs = append(*probs, ps...)
	return out
}

// resolveResume takes the config of a finished backfill run and its saved checkpoint. Without a
// checkpoint a run that already sent visits cannot be resumed: the days would be sent again.
func (s *Service) resolveResume(ctx context.Context, req StartRequest, p *plan, probs *config.Problems) error {
	old, err := s.st.GetRun(ctx, req.ResumeOf)
	if errors.Is(err, store.ErrNotFound) {
		*probs = append(*probs, config.Errorf("resume_of", req.ResumeOf, "no run has this id"))
		return nil
	}
	if err != nil {
		return fmt.Errorf("resume run %s: %w", req.ResumeOf, err)
	}
	switch {
	case old.Mode != ModeBackfill:
		*probs = append(*probs, config.Errorf("resume_of", old.ID, "only a backfill run can be resumed"))
	case req.Mode == ModeLive:
		*probs = append(*probs, config.Errorf("mode", req.Mode, "a resumed run is a backfill"))
	case store.IsActive(old.State):
		return fmt.Errorf("resume run %s: %w: it is still %s", old.ID, ErrConflict, old.State)
	}
	if err := s.resumeState(ctx, req, old, p, probs); err != nil {
		return err
	}
	p.cfg, p.configID = old.Config, old.ConfigID
	p.cfg.BackfillEnabled = true
	if p.limits == (Limits{}) {
		p.limits = storedLimits(old.Limits) // a resumed run keeps its limits unless new ones are given
	}
	if req.Placement == nil {
		p.placement = old.Placement // and its placement
	}
	if p.name == "" {
		p.name = old.Name
	}
	return nil
}

// resumeState finds where the state of the run to resume is: in its checkpoint, which the control
// copied out of its container, or on the state volumes of its shards on a swarm. A run is resumed
// the way it ran, with as many loaders as it had: each shard's state is its own.
func (s *Service) resumeState(ctx context.Context, req StartRequest, old store.Run, p *plan, probs *config.Problems) error {
	key, n := stateKeyOf(old.Config), max(old.Config.ShardCount, 1)
	switch {
	case req.Loaders != 0 && req.Loaders != n:
		*probs = append(*probs, config.Errorf("loaders", fmt.Sprint(req.Loaders), "a resumed backfill keeps its %d loaders: each shard's state is its own", n))
	case key != "" && p.platform.Mode != docker.ModeSwarm:
		*probs = append(*probs, config.Errorf("resume_of", old.ID, "this backfill ran on a Docker Swarm, where its state is; resume it there"))
	case key == "" && p.platform.Mode == docker.ModeSwarm:
		*probs = append(*probs, config.Errorf("resume_of", old.ID, "this backfill ran as a container, whose checkpoint a Swarm cannot take; resume it with CONTROL_RUNTIME=docker"))
	}
	p.loaders, p.stateKey = n, key
	if key != "" {
		return nil // the state is on the volumes of the key
	}
	cp, err := s.loadCheckpoint(old.ID)
	if err != nil {
		return fmt.Errorf("resume run %s: %w", old.ID, err)
	}
	if len(cp) == 0 {
		if err := s.checkNothingSent(ctx, old.ID); err != nil {
			return err
		}
	}
	p.resume = cp
	return nil
}

// checkNothingSent refuses to resume a run without a checkpoint once it has sent visits.
func (s *Service) checkNothingSent(ctx context.Context, runID string) error {
	days, err := s.st.ListRunDays(ctx, runID)
	if err != nil {
		return fmt.Errorf("resume run %s: %w", runID, err)
	}
	for _, d := range days {
		if d.Sent > 0 {
			return fmt.Errorf("resume run %s: %w: its checkpoint was not saved, so resuming would send its days again", runID, ErrConflict)
		}
	}
	return nil
}

// contentFiles exports the enabled stored funnels and the chosen (or default) URL and events
// sets as files copied into each loader under /data, and points the config at them. A setting
// without content stays empty, so the loader uses its built-in defaults.
func (s *Service) contentFiles(ctx context.Context, req StartRequest, p *plan, probs *config.Problems) error {
	p.cfg.FunnelsFile, p.cfg.URLsFile, p.cfg.EventsFile, p.cfg.ScenarioFile = "", "", "", ""
	p.cfg.CampaignsFile, p.cfg.DimensionsFile = "", ""
	stored, err := s.st.ListFunnels(ctx, true)
	if err != nil {
		return fmt.Errorf("start run: %w", err)
	}
	var funnels []content.Funnel
	for _, f := range stored {
		parsed, ps := content.ParseFunnel(f.JSON)
		if errs := ps.Errors(); len(errs) > 0 {
			for _, e := range errs {
				*probs = append(*probs, config.Errorf("funnels", f.Name, "the saved funnel is invalid: %s", e))
			}
			continue
		}
		funnels = append(funnels, parsed)
	}
	if len(funnels) > 0 {
		data, err := content.MarshalFunnels(funnels)
		if err != nil {
			return fmt.Errorf("start run: %w", err)
		}
		p.files = append(p.files, docker.File{Path: funnelsFile, Data: data})
		p.cfg.FunnelsFile = funnelsFile
	}
	sets := []struct {
		kind, field, path string
		id                *int64
		setting           *string
	}{
		{store.KindURLs, "url_set_id", urlsFile, req.URLSetID, &p.cfg.URLsFile},
		{store.KindEvents, "event_set_id", eventsFile, req.EventSetID, &p.cfg.EventsFile},
		{store.KindScenarios, "scenario_id", scenarioFile, req.ScenarioID, &p.cfg.ScenarioFile},
		{store.KindCampaigns, "campaign_set_id", campaignsFile, req.CampaignSetID, &p.cfg.CampaignsFile},
		{store.KindDimensions, "dimension_set_id", dimensionsFile, req.DimensionSetID, &p.cfg.DimensionsFile},
	}
	for _, c := range sets {
		text, ok, err := s.contentSet(ctx, c.kind, c.field, c.id, probs)
		if err != nil {
			return err
		}
		if ok {
			p.files = append(p.files, docker.File{Path: c.path, Data: []byte(text)})
			*c.setting = c.path
		}
		if ok && c.kind == store.KindScenarios {
			*probs = append(*probs, scenarioProblems(text, p.cfg)...)
		}
	}
	return nil
}

// scenarioProblems checks a run's scenario against the run's config (the segments' overrides must
// hold with its settings), under the request field scenario_id.
func scenarioProblems(text string, cfg config.Config) config.Problems {
	sc, ps := scenario.Parse([]byte(text), "")
	if sc != nil {
		_, cps := sc.Compile(cfg, "")
		ps = append(ps, cps...)
	}
	return ps.Under("scenario_id")
}

// contentSet returns the content of the chosen set, or of the kind's default set; ok is false
// when there is none.
func (s *Service) contentSet(ctx context.Context, kind, field string, id *int64, probs *config.Problems) (string, bool, error) {
	var (
		cs  store.ContentSet
		err error
	)
	if id != nil {
		cs, err = s.st.GetContentSet(ctx, *id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && cs.Kind != kind) {
			*probs = append(*probs, config.Errorf(field, fmt.Sprint(*id), "no %s set has this id", kind))
			return "", false, nil
		}
	} else {
		cs, err = s.st.DefaultContentSet(ctx, kind)
		if errors.Is(err, store.ErrNotFound) {
			return "", false, nil
		}
	}
	if err != nil {
		return "", false, fmt.Errorf("start run: %w", err)
	}
	return cs.Content, strings.TrimSpace(cs.Content) != "", nil
}
