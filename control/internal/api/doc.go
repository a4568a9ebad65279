// Package api is the control service's HTTP API: Echo routes, request and response shapes, API-key
// authentication, per-client rate limits and the Server-Sent Event streams of runs.
//
// It exists so that every way into the control (the web UI, scripts written for the original tool,
// curl) meets the same rules:
//
//   - One schema: configs travel as maps keyed by env var names (MATOMO_URL, ...) and are parsed and
//     validated by pkg/config, so the API cannot drift from the loader.
//   - Bad input gets a 400 that lists every problem at once (field, value, rule); unknown ids are 404,
//     conflicts 409, an unreachable Docker Engine 503. Client mistakes are never a 500, and clients
//     never see internal error text: errors are mapped in one handler (errors.go).
//   - Secrets stay secret: Matomo tokens are write-only (responses say token_set, never the value; a
//     blank token on save keeps the stored one; clear_tokens removes it), presets never hold one, the
//     API key is never echoed, and log lines served are redacted defensively.
//
// The package consumes small interfaces (RunService, ConnectionTester) so that tests use a fake run
// service and a matomotest server instead of Docker and a real Matomo.
package api
