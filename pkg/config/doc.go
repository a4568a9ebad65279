// Package config is Trafficinator's one configuration schema.
//
// Every setting of the loader is declared once, in fields.go, with its environment variable name,
// default, type, limits and help text. Everything else derives from that table: the env codec
// (Decode/Encode) used by the loader and by the control when it starts a container, the JSON form
// used by the control's API and storage (FromMap/ToMap), validation (Validate), the UI form
// (Fields, served as GET /api/schema) and docs/configuration.md (Markdown).
//
// Check is how both programs read a config, from the environment (Env) or the API's JSON (JSON):
// parse, validate, and report every Problem at once. Problem is the one problem type of the project:
// the content files, the control's API and its run planning report with it too.
//
// One name per setting everywhere: the env var name (MATOMO_URL) is also the JSON key in the API, the
// key in stored configs and the field name in the UI and the docs.
package config
