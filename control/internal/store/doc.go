// Package store is the control service's SQLite storage: configs (with their targets), user presets,
// funnels, URL and event sets, runs (config snapshot, state, per-target counters, per-day backfill
// progress) and a few settings.
//
// It exists so that nothing the user saves is lost or leaked. The schema is created and upgraded by
// embedded, numbered SQL migrations; a stored config carries its pkg/config schema version and is
// migrated (and saved back) when it is read. Matomo tokens are write-only: they are sealed with
// AES-256-GCM under a key kept beside the database (never in it), a blank token on update keeps the
// stored one (the original tool wiped it, its bug 17), and presets never hold a token (its bug 24).
//
// Errors are classified by the sentinels ErrNotFound, ErrConflict, ErrInvalid and ErrDecrypt, so that
// the API maps them to HTTP codes in one place without reading error text.
package store
