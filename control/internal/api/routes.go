package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/runs"
	"github.com/trafficinator/trafficinator/pkg/compare"
)

// route is one endpoint: what serves it, its middleware exceptions and its OpenAPI description.
// The table below is the single list of routes; the OpenAPI document is built from it.
type route struct {
	method, path string
	handler      echo.HandlerFunc
	flags        routeFlags
	op           op
}

// op describes an endpoint for the OpenAPI document.
type op struct {
	tag, summary string
	req          any    // a value of the request body's type; nil when there is no body
	reqMedia     string // "" means application/json
	resp         any    // a value of the success body's type; nil for 204
	respMedia    string // "" means application/json
	altMedia     string // another media type the success body comes in (on request), as a string
	status       int    // success status; 0 means 200
	query        []qparam
}

// qparam is a query parameter.
type qparam struct{ name, typ, desc string }

const (
	mediaText   = "text/plain"
	mediaSSE    = "text/event-stream"
	mediaUpload = "multipart/form-data"
	mediaHTML   = "text/html"
)

var (
	qFollow   = qparam{"follow", "boolean", "1 to stream as Server-Sent Events (event: log) until the run ends"}
	qTail     = qparam{"tail", "integer", "number of last lines, 1 to 10000 (default 200)"}
	qFilter   = qparam{"filter", "string", "only lines containing this text"}
	qReplace  = qparam{"replace", "boolean", "1 to overwrite entries whose name exists"}
	qEnabled  = qparam{"enabled", "boolean", "1 for enabled funnels only"}
	qTimeout  = qparam{"timeout", "integer", "accepted for compatibility (1 to 60); runs stop with the control's grace period"}
	qFormat   = qparam{"format", "string", "json (the default) or html: one self-contained page with inline SVG charts, no scripts, to attach to a ticket"}
	qBaseline = qparam{"baseline", "string", "the target the others are compared with (default: the first)"}
)

// routeTable lists every endpoint.
func (s *Server) routeTable() []route {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	public := routeFlags{public: true}
	upload := routeFlags{upload: true}
	rt := []route{
		{get, "/health", s.health, public, op{tag: "meta", summary: "Liveness and Docker status; no key needed, no secrets", resp: HealthResponse{}}},
		{get, "/", s.root, public, op{tag: "meta", summary: "API entry point (redirects to /ui/ when the UI is built in)", resp: RootResponse{}}},
		{get, "/api/openapi.json", s.openAPI, routeFlags{}, op{tag: "meta", summary: "This OpenAPI 3.0 document", resp: map[string]any{}}},
		{get, "/api/schema", s.getSchema, routeFlags{}, op{tag: "configs", summary: "Every setting: type, default, limits, help, group", resp: SchemaResponse{}}},
		{post, "/api/validate", s.validateConfig, routeFlags{}, op{tag: "configs", summary: "Validate a config; every problem at once", req: ValidateRequest{}, resp: ValidateResponse{}}},
		{post, "/api/test-connection", s.testConnection, routeFlags{ownTimeout: true}, op{tag: "configs", summary: "Check targets (version, token, site, QueuedTracking) without recording a visit", req: TestConnectionRequest{}, resp: TestConnectionResponse{}}},

		{get, "/api/configs", s.listConfigs, routeFlags{}, op{tag: "configs", summary: "List saved configs (tokens never shown)", resp: []ConfigView{}}},
		{post, "/api/configs", s.createConfig, routeFlags{}, op{tag: "configs", summary: "Save a new config", req: ConfigRequest{}, resp: ConfigView{}, status: http.StatusCreated}},
		{get, "/api/configs/:id", s.getConfig, routeFlags{}, op{tag: "configs", summary: "One saved config", resp: ConfigView{}}},
		{put, "/api/configs/:id", s.updateConfig, routeFlags{}, op{tag: "configs", summary: "Replace a config; blank tokens keep the stored ones, clear_tokens removes them", req: ConfigRequest{}, resp: ConfigView{}}},
		{del, "/api/configs/:id", s.deleteConfig, routeFlags{}, op{tag: "configs", summary: "Delete a config (runs keep their snapshot)"}},
		{get, "/api/configs/:id/env", s.configEnv, routeFlags{}, op{tag: "configs", summary: "The config as an env file for docker run --env-file (no tokens)", resp: "", respMedia: mediaText}},
	}
	rt = append(rt, s.presetRoutes()...)
	rt = append(rt, s.funnelRoutes()...)
	rt = append(rt, s.setRoutes(upload)...)
	rt = append(rt, s.scenarioRoutes()...)
	rt = append(rt, s.runRoutes()...)
	return append(rt, s.legacyRoutes()...)
}

func (s *Server) presetRoutes() []route {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	return []route{
		{get, "/api/presets", s.listPresets, routeFlags{}, op{tag: "presets", summary: "Built-in (light, medium, heavy, extreme) and user presets", resp: []PresetView{}}},
		{post, "/api/presets", s.createPreset, routeFlags{}, op{tag: "presets", summary: "Save a user preset (tokens are dropped)", req: PresetRequest{}, resp: PresetView{}, status: http.StatusCreated}},
		{get, "/api/presets/export", s.exportPresets, routeFlags{}, op{tag: "presets", summary: "Export the user presets", resp: PresetsFile{}}},
		{post, "/api/presets/import", s.importPresets, routeFlags{}, op{tag: "presets", summary: "Import presets (all or nothing)", req: PresetsFile{}, resp: PresetsImportResult{}, query: []qparam{qReplace}}},
		{get, "/api/presets/:id", s.getPreset, routeFlags{}, op{tag: "presets", summary: "One preset: a built-in name or a user preset id", resp: PresetView{}}},
		{put, "/api/presets/:id", s.updatePreset, routeFlags{}, op{tag: "presets", summary: "Replace a user preset (built-ins: 405)", req: PresetRequest{}, resp: PresetView{}}},
		{del, "/api/presets/:id", s.deletePreset, routeFlags{}, op{tag: "presets", summary: "Delete a user preset (built-ins: 405)"}},
	}
}

func (s *Server) funnelRoutes() []route {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	funnel := map[string]any{}
	return []route{
		{get, "/api/funnels", s.listFunnels, routeFlags{}, op{tag: "funnels", summary: "List funnels by priority", resp: []FunnelView{}, query: []qparam{qEnabled}}},
		{post, "/api/funnels", s.createFunnel, routeFlags{}, op{tag: "funnels", summary: "Create a funnel (body: one funnel in the funnels.json format)", req: funnel, resp: FunnelView{}, status: http.StatusCreated}},
		{post, "/api/funnels/validate", s.validateFunnels, routeFlags{}, op{tag: "funnels", summary: "Validate a funnel object or a funnels.json array", req: funnel, resp: ContentValidation{}}},
		{get, "/api/funnels/export", s.exportFunnels, routeFlags{}, op{tag: "funnels", summary: "Export as the original's funnels.json", resp: []map[string]any{}, query: []qparam{qEnabled}}},
		{post, "/api/funnels/import", s.importFunnels, routeFlags{}, op{tag: "funnels", summary: "Import the original's funnels.json (all or nothing)", req: []map[string]any{}, resp: FunnelsImportResult{}, query: []qparam{qReplace}}},
		{get, "/api/funnels/:id", s.getFunnel, routeFlags{}, op{tag: "funnels", summary: "One funnel with its definition", resp: FunnelView{}}},
		{put, "/api/funnels/:id", s.updateFunnel, routeFlags{}, op{tag: "funnels", summary: "Replace a funnel (body: one funnel)", req: funnel, resp: FunnelView{}}},
		{del, "/api/funnels/:id", s.deleteFunnel, routeFlags{}, op{tag: "funnels", summary: "Delete a funnel"}},
	}
}

func (s *Server) setRoutes(upload routeFlags) []route {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	return []route{
		{get, "/api/url-sets", s.listSets(urlSets), routeFlags{}, op{tag: "content", summary: "List URL sets (metadata only)", resp: []ContentSetView{}}},
		{post, "/api/url-sets", s.createURLSet, upload, op{tag: "content", summary: "Create a URL set (up to 10 MB)", req: URLSetRequest{}, resp: ContentSetView{}, status: http.StatusCreated}},
		{post, "/api/url-sets/upload", s.uploadURLSet, upload, op{tag: "content", summary: "Upload a URL file (multipart field file, or a text/plain body with ?name=)", req: "", reqMedia: mediaUpload, resp: ContentSetView{}, status: http.StatusCreated,
			query: []qparam{{"name", "string", "the set's name"}, {"default", "boolean", "1 to make it the default URL set"}}}},
		{post, "/api/url-sets/validate", s.validateSetContent(urlSets), upload, op{tag: "content", summary: "Validate a URL list and preview its structure", req: ContentRequest{}, resp: ContentValidation{}}},
		{get, "/api/url-sets/:id", s.getSet(urlSets), routeFlags{}, op{tag: "content", summary: "A URL set with count, structure and warnings (id builtin: the built-in list)", resp: ContentSetView{}}},
		{get, "/api/url-sets/:id/content", s.getSetContent(urlSets), routeFlags{}, op{tag: "content", summary: "The URL list as text", resp: "", respMedia: mediaText}},
		{put, "/api/url-sets/:id", s.updateURLSet, upload, op{tag: "content", summary: "Replace a URL set (content optional)", req: URLSetRequest{}, resp: ContentSetView{}}},
		{del, "/api/url-sets/:id", s.deleteSet(urlSets), routeFlags{}, op{tag: "content", summary: "Delete a URL set"}},

		{get, "/api/event-sets", s.listSets(eventSets), routeFlags{}, op{tag: "content", summary: "List event sets (metadata only)", resp: []ContentSetView{}}},
		{post, "/api/event-sets", s.createEventSet, routeFlags{}, op{tag: "content", summary: "Create an event set", req: EventSetRequest{}, resp: ContentSetView{}, status: http.StatusCreated}},
		{post, "/api/event-sets/validate", s.validateSetContent(eventSets), routeFlags{}, op{tag: "content", summary: "Validate an events JSON", req: ContentRequest{}, resp: ContentValidation{}}},
		{get, "/api/event-sets/:id", s.getSet(eventSets), routeFlags{}, op{tag: "content", summary: "An event set with content and stats (id builtin: the built-in set)", resp: ContentSetView{}}},
		{get, "/api/event-sets/:id/content", s.getSetContent(eventSets), routeFlags{}, op{tag: "content", summary: "The events JSON", resp: map[string]any{}}},
		{put, "/api/event-sets/:id", s.updateEventSet, routeFlags{}, op{tag: "content", summary: "Replace an event set (content optional)", req: EventSetRequest{}, resp: ContentSetView{}}},
		{del, "/api/event-sets/:id", s.deleteSet(eventSets), routeFlags{}, op{tag: "content", summary: "Delete an event set"}},

		{get, "/api/campaign-sets", s.listSets(campaignSets), routeFlags{}, op{tag: "content", summary: "List campaign catalogues (metadata only)", resp: []ContentSetView{}}},
		{post, "/api/campaign-sets", s.createCampaignSet, routeFlags{}, op{tag: "content", summary: "Create a campaign catalogue (JSON or CSV)", req: CampaignSetRequest{}, resp: ContentSetView{}, status: http.StatusCreated}},
		{post, "/api/campaign-sets/validate", s.validateSetContent(campaignSets), routeFlags{}, op{tag: "content", summary: "Validate a campaigns file (JSON or CSV); every problem with its line", req: ContentRequest{}, resp: ContentValidation{}}},
		{get, "/api/campaign-sets/:id", s.getSet(campaignSets), routeFlags{}, op{tag: "content", summary: "A campaign catalogue with content and stats (id builtin: the built-in catalogue)", resp: ContentSetView{}}},
		{get, "/api/campaign-sets/:id/content", s.getSetContent(campaignSets), routeFlags{}, op{tag: "content", summary: "The campaigns file (JSON or CSV, as stored)", resp: "", respMedia: mediaText}},
		{put, "/api/campaign-sets/:id", s.updateCampaignSet, routeFlags{}, op{tag: "content", summary: "Replace a campaign catalogue (content optional)", req: CampaignSetRequest{}, resp: ContentSetView{}}},
		{del, "/api/campaign-sets/:id", s.deleteSet(campaignSets), routeFlags{}, op{tag: "content", summary: "Delete a campaign catalogue"}},

		{get, "/api/dimension-sets", s.listSets(dimensionSets), routeFlags{}, op{tag: "content", summary: "List custom dimension sets (metadata only)", resp: []ContentSetView{}}},
		{post, "/api/dimension-sets", s.createDimensionSet, routeFlags{}, op{tag: "content", summary: "Create a custom dimension set", req: DimensionSetRequest{}, resp: ContentSetView{}, status: http.StatusCreated}},
		{post, "/api/dimension-sets/validate", s.validateSetContent(dimensionSets), routeFlags{}, op{tag: "content", summary: "Validate custom dimension definitions; every problem with its line and path", req: ContentRequest{}, resp: ContentValidation{}}},
		{get, "/api/dimension-sets/:id", s.getSet(dimensionSets), routeFlags{}, op{tag: "content", summary: "A dimension set with content and stats (there is no built-in one)", resp: ContentSetView{}}},
		{get, "/api/dimension-sets/:id/content", s.getSetContent(dimensionSets), routeFlags{}, op{tag: "content", summary: "The dimension definitions JSON", resp: map[string]any{}}},
		{put, "/api/dimension-sets/:id", s.updateDimensionSet, routeFlags{}, op{tag: "content", summary: "Replace a dimension set (content optional)", req: DimensionSetRequest{}, resp: ContentSetView{}}},
		{del, "/api/dimension-sets/:id", s.deleteSet(dimensionSets), routeFlags{}, op{tag: "content", summary: "Delete a dimension set"}},
	}
}

func (s *Server) runRoutes() []route {
	get, post, del := http.MethodGet, http.MethodPost, http.MethodDelete
	long := routeFlags{long: true}
	return []route{
		{get, "/api/runs", s.listRuns, routeFlags{}, op{tag: "runs", summary: "List runs", resp: []runs.View{}, query: []qparam{{"active", "boolean", "1 for active runs only"}, {"limit", "integer", "the newest N runs only (1–10000)"}}}},
		{post, "/api/runs", s.startRun, long, op{tag: "runs", summary: "Start a live or backfill run from a saved or inline config", req: RunRequest{}, resp: runs.View{}, status: http.StatusCreated}},
		{post, "/api/backfill/estimate", s.estimateBackfill, routeFlags{}, op{tag: "runs", summary: "What a backfill of a config would send: days, visits, requests and duration, from the loader's own plan", req: EstimateRequest{}, resp: EstimateResponse{}}},
		{get, "/api/runs/:id", s.getRun, routeFlags{}, op{tag: "runs", summary: "A run: state, uptime, counters per target, backfill days", resp: runs.View{}}},
		{del, "/api/runs/:id", s.deleteRun, long, op{tag: "runs", summary: "Delete a finished run (409 while active)"}},
		{post, "/api/runs/:id/stop", s.stopRun, long, op{tag: "runs", summary: "Stop a run", resp: runs.View{}}},
		{post, "/api/runs/:id/restart", s.restartRun, long, op{tag: "runs", summary: "Stop if active, then start a new run with the same config", resp: runs.View{}, status: http.StatusCreated}},
		{get, "/api/runs/:id/logs", s.runLogs, routeFlags{followable: true}, op{tag: "runs", summary: "Last log lines, or a live stream with ?follow=1", resp: LogsResponse{}, query: []qparam{qTail, qFollow, qFilter}}},
		{get, "/api/runs/:id/report", s.runReport, routeFlags{}, op{tag: "runs", summary: "Compare the run's targets: throughput, latency over time, errors, sustained rates, report timings, verdicts (JSON, or a self-contained HTML page with ?format=html)",
			resp: compare.Report{}, altMedia: mediaHTML, query: []qparam{qFormat, qBaseline}}},
		{get, "/api/runs/:id/events", s.runEvents, routeFlags{stream: true}, op{tag: "runs", summary: "Server-Sent Events of the run's reports (stats, day, progress, summary, error, end)", resp: "", respMedia: mediaSSE}},
	}
}

func (s *Server) legacyRoutes() []route {
	get, post := http.MethodGet, http.MethodPost
	long := routeFlags{long: true}
	return []route{
		{get, "/api/status", s.legacyStatus, routeFlags{}, op{tag: "legacy", summary: "Original API: status of the default run", resp: LegacyStatus{}}},
		{post, "/api/start", s.legacyStart, long, op{tag: "legacy", summary: "Original API: start the default run from the config named default", req: LegacyStartRequest{}, resp: LegacyAction{}}},
		{post, "/api/stop", s.legacyStop, long, op{tag: "legacy", summary: "Original API: stop the default run", resp: LegacyAction{}, query: []qparam{qTimeout}}},
		{post, "/api/restart", s.legacyRestart, long, op{tag: "legacy", summary: "Original API: restart the default run", resp: LegacyAction{}, query: []qparam{qTimeout}}},
		{get, "/api/logs", s.legacyLogs, routeFlags{}, op{tag: "legacy", summary: "Original API: the default run's last lines", resp: LegacyLogs{},
			query: []qparam{{"lines", "integer", "10 to 10000 (default 100)"}, qFilter}}},
		{post, "/api/config/apply", s.legacyApply, long, op{tag: "legacy", summary: "Original API: save as config default and restart the default run with it", req: LegacyApplyRequest{}, resp: LegacyAction{}}},
	}
}
